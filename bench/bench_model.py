"""The model's loss as the landscape: prints figures measured in one process (never pass/fail).

    python bench/bench_model.py                       # the perceptron's surface, descents, curvature, slices
    python bench/bench_model.py --before 837d143      # the default Himmelblau run in this tree and a past commit,
                                                      # interleaved (the loop now asks the objective for each
                                                      # step's loss: minibatches)
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench.common import median_time as median_of  # noqa: E402
from core.curvature import curvature, stability  # noqa: E402
from core.grid import surface  # noqa: E402
from core.model.data import DataSpec  # noqa: E402
from core.model.network import Model, ModelSpec, train  # noqa: E402
from core.model.objective import full_losses, perceptron_objective  # noqa: E402
from core.model.slices import make_slice, slice_curvature  # noqa: E402
from core.objectives import OBJECTIVES  # noqa: E402
from core.run import make_config, run  # noqa: E402

DEFAULT_RUN = ("import sys, time, torch; sys.path.insert(0, '.'); torch.set_num_threads(1);"
               "from core.run import make_config, run; c = make_config({}, steps=2000, tol=None); run(c);"
               "t = time.perf_counter(); run(c); print(time.perf_counter() - t)")


def median_time(fn) -> float:
    return median_of(fn, repeats=5)


def surface_and_descent() -> None:
    print("# the perceptron's loss surface and its descents (default data: 100 points, spread 3)")
    t = time.perf_counter()
    perceptron_objective.cache_clear()
    objective = perceptron_objective(DataSpec())
    print(f"objective (data set + minimum by Newton): {time.perf_counter() - t:.3f} s")
    for name, o in (("perceptron", objective), ("himmelblau", OBJECTIVES["himmelblau"])):
        print(f"surface 100 x 100, {name}: {median_time(lambda o=o: surface(o)) * 1e3:.1f} ms")
    for label, spec in (("himmelblau", None), ("full batch", DataSpec()), ("minibatch 10", DataSpec(batch=10))):
        kw = {} if spec is None else {"objective": "perceptron", "data": spec, "starts": [(-2.0, 2.0)]}
        config = make_config({"lr": 0.05}, steps=2000, tol=None, **kw)
        seconds = median_time(lambda config=config: run(config))
        print(f"Adam, 2,000 steps, {label}: {seconds:.3f} s ({seconds / 2000 * 1e6:.0f} us a step)")
    traj = run(make_config({"lr": 0.05}, objective="perceptron", data=DataSpec(batch=10), steps=2000, tol=None))
    seconds = median_time(lambda: full_losses(traj.positions, traj.objective))
    print(f"full loss at the 2,001 recorded points: {seconds * 1e3:.1f} ms")


def curvature_figures() -> None:
    print("# curvature")
    objective = perceptron_objective(DataSpec())
    print(f"Hessian + eigenvalues at a point: {median_time(lambda: curvature(objective.fn, (0.5, 0.5))) * 1e3:.2f} ms")
    bound = curvature(objective.fn, objective.minima[0]).lr_bound()
    config = make_config({}, objective="perceptron", optimizer="sgd", steps=1500, dtype="float64")
    t = time.perf_counter()
    s = stability(config, objective.minima[0], bound / 1.7, min(10.0, bound * 1.55), 41)
    print(f"stability sweep, 41 lrs x 1,500 SGD steps: {time.perf_counter() - t:.2f} s; predicted {s.predicted:.4g}, "
          f"measured between {s.measured[0]:.4g} and {s.measured[1]:.4g}")


def slices() -> None:
    print("# slices: 300 Adam steps, then 41 x 41 grids")
    for spec, data in ((ModelSpec("perceptron"), DataSpec(dim=64)), (ModelSpec("mlp", 8), DataSpec(dim=10)),
                       (ModelSpec("mlp", 32), DataSpec(dim=64, size=1000))):
        model = Model(spec, data)
        t = time.perf_counter()
        training = train(model, "adam", {"lr": 0.01}, 300)
        trained = time.perf_counter() - t
        figures = []
        for kind in ("random", "pca"):
            t = time.perf_counter()
            s = make_slice(model, training, kind, points=41)
            figures.append(f"{kind} {time.perf_counter() - t:.3f} s")
        t = time.perf_counter()
        slice_curvature(model, s, (0.0, 0.0))
        print(f"{spec.kind} n={data.dim} hidden={spec.hidden if spec.kind == 'mlp' else '-'} ({model.size} weights, "
              f"{data.size} points): training {trained:.2f} s, slices {', '.join(figures)}, 2x2 Hessian "
              f"{(time.perf_counter() - t) * 1e3:.1f} ms; PCA explains {sum(s.explained):.1%}")


def before_and_after(rev: str, reps: int) -> None:
    """The default Himmelblau run (Adam, 2,000 steps) in this tree and at rev, alternately, in fresh processes."""
    with tempfile.TemporaryDirectory() as old:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        times: dict[str, list[float]] = {rev: [], "now": []}
        for _ in range(reps):
            for label, cwd in ((rev, old), ("now", ROOT)):
                out = subprocess.run([sys.executable, "-c", DEFAULT_RUN], cwd=cwd, capture_output=True, text=True,
                                     check=True, env={"DESCENT_COMPILE": "0", "PATH": "/usr/bin:/bin"})
                times[label].append(float(out.stdout))
    for label, values in times.items():
        print(f"default run, {label}: median {statistics.median(values) * 1e3:.0f} ms of {reps} "
              f"({min(values) * 1e3:.0f}-{max(values) * 1e3:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a past commit to time the default run against")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.before:
        before_and_after(args.before, args.reps)
        return
    surface_and_descent()
    curvature_figures()
    slices()


if __name__ == "__main__":
    main()
