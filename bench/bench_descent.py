"""Descent Lab benchmark: prints figures measured in one run (never pass/fail).

    python bench/bench_descent.py [--quick]

1. the source tutorial's own loop vs core.run.run on the source run (target ratio <= 0.8)
2. per-step cost of 1, 100 and 10,000 batched start points (target: 10,000 <= 2x one)
3. the Descent page's warm rerun time at defaults under AppTest (target <= 0.5 s)
4. building and serialising the figures /Descent sends (target <= 50 ms at defaults), and their size
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DESCENT_WARM_SCENES", "0")  # the page under AppTest: no background warm-up here
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core.grid import surface  # noqa: E402
from core.run import make_config, run  # noqa: E402
from viz.style import Path  # noqa: E402


def himmelblau(x):  # the source's function, as printed
    return (x[0]**2 + x[1] - 11)**2 + (x[0] + x[1]**2 - 7)**2


def source_loop(steps: int) -> None:
    """The tutorial's loop, line for line (printing kept as string formatting)."""
    x = torch.tensor([0., 0.], requires_grad=True)
    optimizer = torch.optim.Adam([x], lr=1e-3)
    for step in range(steps):
        pred = himmelblau(x)
        optimizer.zero_grad()
        pred.backward()
        optimizer.step()
        if step % 2000 == 0:
            'step{}:x={},f(x)={}'.format(step, x.tolist(), pred.item())


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def bench_source(steps: int, repeats: int) -> None:
    config = make_config({"lr": 1e-3}, starts=[(0, 0)], steps=steps, tol=None)
    source_loop(200)
    run(dataclasses.replace(config, steps=200))
    src, core = [], []
    for _ in range(repeats):  # interleaved, so both see the same machine load
        src.append(timed(source_loop, steps))
        core.append(timed(lambda: run(config).log_lines(2000)))
    s, c = statistics.median(src), statistics.median(core)
    print(f"source run ({steps:,} Adam steps, median of {repeats}): source loop {s:.2f} s "
          f"({s / steps * 1e6:.0f} us/step), core {c:.2f} s ({c / steps * 1e6:.0f} us/step), "
          f"ratio {c / s:.2f} (target <= 0.8)")


def bench_batch(steps: int, repeats: int) -> None:
    per_step = {}
    for k in (1, 100, 10_000):
        g = torch.Generator().manual_seed(0)
        starts = (torch.rand(k, 2, generator=g) * 12 - 6).tolist()
        config = make_config({"lr": 1e-2}, starts=starts, steps=steps, tol=None)
        run(dataclasses.replace(config, steps=10))
        per_step[k] = statistics.median(timed(run, config) for _ in range(repeats)) / steps
    print("batched starts, Adam, us per step: " + ", ".join(f"{k:,}: {v * 1e6:.0f}" for k, v in per_step.items())
          + f"; 10,000 / 1 = {per_step[10_000] / per_step[1]:.2f} (target <= 2)")


def bench_gradient(steps: int, repeats: int) -> None:
    """The private engine call against the public torch.autograd.grad, on the default run, interleaved."""
    from core.run import loop

    config, engine, times = make_config({"lr": 1e-3}, steps=steps, tol=None), loop._ENGINE, {"private": [],
                                                                                               "public": []}
    for _ in range(repeats):
        for mode in times:
            loop._ENGINE = engine if mode == "private" else None
            times[mode].append(timed(run, config) / steps * 1e6)
    loop._ENGINE = engine
    p, q = statistics.median(times["private"]), statistics.median(times["public"])
    print(f"gradient per step ({steps:,} Adam steps, median of {repeats}): engine.run_backward {p:.0f} us, "
          f"torch.autograd.grad {q:.0f} us, gain {q - p:.0f} us ({(q - p) / q:.0%})")


def bench_page(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "1_Descent.py"), default_timeout=120)
    cold = timed(at.run)
    warm = [timed(at.run) for _ in range(repeats)]
    assert not at.exception, at.exception
    print(f"Descent page under AppTest at defaults: first run {cold:.2f} s (torch warm-up, run, figures), "
          f"warm rerun median {statistics.median(warm):.3f} s, max {max(warm):.3f} s (target <= 0.5 s)")


def bench_figure(repeats: int = 7) -> None:
    """What /Descent sends its instrument (ui/instrument): the scene once per session, the paths on every rerun;
    built and serialised as the page does (JSON)."""
    import json

    from viz.instrument import digest, lift, path_arrays, scene

    config = make_config({"lr": 1e-3}, steps=2000)
    surf = surface(config.objective_spec)
    view = scene(config.objective_spec, surf, "f")
    print(f"instrument scene (surface, contour, axes; sent once per session): {len(json.dumps(view)) / 1e3:.0f} kB")
    for label, cfg in (("defaults (2,000 steps)", config),
                       ("tutorial run (20,000 steps)", dataclasses.replace(config, steps=20_000, tol=None))):
        path = [Path(run(cfg))]
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            packed = path_arrays(path, surf, "f", lift(surf, "f"))
            sent = json.dumps({"id": digest(packed), "paths": packed})
            times.append(time.perf_counter() - t)
        print(f"instrument paths of /Descent, {label}: built and serialised in "
              f"{statistics.median(times) * 1e3:.1f} ms (median of {repeats}); sent {len(sent) / 1e3:.0f} kB "
              f"per rerun (target <= 100 kB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the server does
    quick = args.quick
    bench_source(5_000 if quick else 20_000, 3)
    bench_batch(100 if quick else 300, 3)
    bench_gradient(500 if quick else 2000, 5)
    bench_page(5)
    bench_figure()


if __name__ == "__main__":
    main()
