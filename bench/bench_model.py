"""The model's loss as the landscape: prints figures measured in one process (never pass/fail).

    python bench/bench_model.py                       # the perceptron's surface, descents, curvature, slices
    python bench/bench_model.py --before 837d143      # the default Himmelblau run in this tree and a past commit,
                                                      # interleaved (the loop now asks the objective for each
                                                      # step's loss: minibatches)
    python bench/bench_model.py --page                # /Model: its server-side time (surface, default descent,
                                                      # the instrument's data), what each rerun sends it, and
                                                      # a rerun that keeps a heavy link's run
    python bench/bench_model.py --browser             # /Model in headless Chromium: a load and a change of B,
                                                      # until every view has drawn, and the websocket's bytes
"""
from __future__ import annotations

import argparse
import base64
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
from bench.common import timed  # noqa: E402
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


def page_figures() -> None:
    """/Model's default view computed as the page computes it (ui/plans.model, core's surface and run, the
    instrument's scene and paths), cold and again; then the instrument's data of each rerun under AppTest."""
    from ui import plans
    from viz.instrument import lift, path_arrays, scene
    from viz.style import Path as Drawn

    print("# /Model, server side (default: Adam lr 0.05, 500 steps, 100 points, B = 10)")
    perceptron_objective.cache_clear()
    config = plans.model(plans.link_values("Model", {})).runs[0][0]
    for label in ("cold", "again", "again"):
        t0 = time.perf_counter()
        objective = config.objective_spec
        surf = surface(perceptron_objective(DataSpec(batch=0)))
        t1 = time.perf_counter()
        traj = run(config)
        t2 = time.perf_counter()
        scene(objective, surf)
        paths = path_arrays([Drawn(traj)], surf, "f", lift(surf, "f"))
        t3 = time.perf_counter()
        print(f"{label}: objective and surface {(t1 - t0) * 1e3:.0f} ms, default descent {(t2 - t1) * 1e3:.0f} ms "
              f"({traj.summary().seconds * 1e3:.0f} ms in the loop), scene and paths (the full loss at "
              f"{len(base64.b64decode(paths[0]['full']['bdata'])) // 4} drawn points) {(t3 - t2) * 1e3:.0f} ms")
    rerun_bytes()
    heavy_rerun()


def rerun_bytes() -> None:
    """What each rerun of /Model sends the instrument (JSON), under AppTest in one session."""
    import json

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "9_Model.py"), default_timeout=300)
    def sent() -> tuple[str, dict]:
        data = at.get("bidi_component")[0].proto.json
        return data, json.loads(data)

    t = time.perf_counter()
    at.run()
    steps = [("first load (scene and paths)", time.perf_counter() - t, sent())]
    for label, change in (("B 10 -> 25 (paths only)", lambda: at.number_input(key="batch").set_value(25)),
                          ("B 25 -> 0 (new scene: one loss line)", lambda: at.number_input(key="batch").set_value(0)),
                          ("lr 0.05 -> 0.1", lambda: at.select_slider(key="lr").set_value(0.1)),
                          ("language en -> zh", lambda: at.selectbox(key="lang").set_value("zh"))):
        change()
        t = time.perf_counter()
        at.run()
        steps.append((label, time.perf_counter() - t, sent()))
    for label, seconds, (data, parts) in steps:
        print(f"{label}: rerun {seconds:.2f} s, instrument data {len(data) / 1000:.1f} kB "
              f"(paths {len(json.dumps(parts['paths'])) / 1000:.1f} kB, scene "
              f"{len(json.dumps(parts.get('scene', {}))) / 1000:.1f} kB)")


def heavy_rerun(reps: int = 5) -> None:
    """A rerun of /Model that keeps its run (the run cached), at a heavy link: 20,000 steps on minibatches of 10 of
    1,000 points; under AppTest, median of reps (the page's texts state the full loss along the whole path)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "9_Model.py"), default_timeout=300)
    for key, value in {"steps": "20000", "size": "1000", "batch": "10", "tol": "off"}.items():
        at.query_params[key] = value
    at.run()
    seconds = statistics.median(timed(at.run) for _ in range(reps))
    print(f"/Model?steps=20000&size=1000&batch=10&tol=off, a rerun with the run cached: {seconds:.3f} s "
          f"(median of {reps})")


def browser_figures(reps: int) -> None:
    """/Model in headless Chromium against a `streamlit run` server: a page load and a change of B to new values,
    from the action until every view has drawn (bench/interaction.py's probe), with the websocket's bytes; /Descent's
    load on the same server, interleaved, for scale."""
    from playwright.sync_api import sync_playwright

    from bench.interaction import Session
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    print("# /Model in headless Chromium (software WebGL: pessimistic; medians of --reps)")
    with sync_playwright() as pw, streamlit_server(ROOT, env={"DESCENT_WARM_SCENES": "0"}) as base:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        loads, descent = [], []
        for i in range(reps + 1):  # the first load computes: reported alone
            d = Session(browser, base)
            descent.append(d.open("/Descent", 3))
            d.close()
            s = Session(browser, base)
            loads.append(s.open("/Model", 4))
            s.close() if i < reps else None
        field = s.page.get_by_role("spinbutton", name="minibatch size B")
        changes = []
        for b in range(11, 11 + reps):  # new values: each computes its run and paths
            changes.append(s.act(lambda b=b: (field.fill(str(b)), field.press("Enter")), 4))
        s.close()
        browser.close()
    print(f"first load (cold caches): {loads[0]:.2f} s; load, warm server: median {statistics.median(loads[1:]):.2f} s "
          f"(/Descent beside it: {statistics.median(descent[1:]):.2f} s)")
    print(f"B changed to a new value: median {statistics.median(c[0] for c in changes):.2f} s, "
          f"{statistics.median(c[1] for c in changes) / 1000:.0f} kB received")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a past commit to time the default run against")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--page", action="store_true", help="/Model's server-side figures and bytes per rerun")
    parser.add_argument("--browser", action="store_true", help="/Model in headless Chromium")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.before:
        before_and_after(args.before, args.reps)
        return
    if args.page or args.browser:
        page_figures() if args.page else None
        browser_figures(args.reps) if args.browser else None
        return
    surface_and_descent()
    curvature_figures()
    slices()


if __name__ == "__main__":
    main()
