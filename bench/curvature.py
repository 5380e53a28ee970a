"""What the curvature at the cursor costs (prints figures):

    python bench/curvature.py              # the paths' bytes and the Hessians' compute time
    python bench/curvature.py --browser    # also the bytes Chromium receives for one lr change on /Descent, off and on

Bytes: the JSON of the paths one rerun sends the instrument (ui/compute.cached_paths), without and with the Hessian
(hxx, hxy, hyy as float32 per drawn point); the rest of a rerun's message is the same either way. Time: the Hessians
at every drawn point of a path by one batched double backward (core/curvature.hessians), against one double
backward per point (core/curvature.hessian), interleaved, medians of --reps.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path as FilePath

import numpy as np
import torch

torch.set_num_threads(1)  # as the server (ui/compute.warm_up): with 2 threads a 430-point batch took 0.75 s here
ROOT = FilePath(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import timed  # noqa: E402
from core.curvature import hessian, hessians  # noqa: E402
from core.run import make_config, run  # noqa: E402
from ui import plans  # noqa: E402
from ui.compute import cached_paths, run_paths  # noqa: E402
from viz.instrument import sampled  # noqa: E402
from viz.style import Path  # noqa: E402

CASES = {  # /Descent links: the defaults, the tutorial's 20,000 steps, LBFGS, a typed formula
    "defaults (Adam, 2,000 steps)": {},
    "tutorial (20,000 steps)": {"steps": "20000", "tol": "off"},
    "LBFGS, Rosenbrock": {"opt": "lbfgs", "lr": "1", "fn": "rosenbrock", "x0": "-1.5", "y0": "2"},
    "typed formula": {"fn": "custom", "expr": "sin(3*x)*cos(2*y) + (x - 1)**2 + 2*(y + 0.5)**2"},
}


def paths_bytes() -> None:
    print("# bytes of the paths one rerun sends (JSON)")
    for name, link in CASES.items():
        drawn = plans.descent(plans.link_values("Descent", link))
        off, on = (len(json.dumps(cached_paths(drawn.runs, drawn.scale, c)["paths"])) for c in (False, True))
        print(f"{name:32s} off {off / 1000:6.1f} kB   on {on / 1000:6.1f} kB   (+{(on - off) / 1000:.1f} kB, "
              f"{on / off:.2f}x)")


def one_by_one(fn, points: np.ndarray) -> list:
    return [hessian(fn, q) for q in points]


def hessian_time(reps: int) -> None:
    print(f"# the Hessians at a path's drawn points (median of {reps}, interleaved)")
    perceptron = make_config({"lr": 0.5}, objective="perceptron", optimizer="sgd", starts=[(-2.0, 2.0)], steps=2000,
                             tol=None)
    for name, link in {**CASES, "perceptron (SGD, 2,000 steps)": None}.items():
        if link is None:
            paths = [Path(run(perceptron), 0, "", "#000000")]
        else:
            paths = run_paths(plans.descent(plans.link_values("Descent", link)).runs)
        (steps,) = sampled(paths)
        p = paths[0]
        points = p.traj.positions[steps, p.row].astype(np.float64)
        fn = p.traj.objective.fn
        batched, looped = [], []
        for _ in range(reps):
            batched.append(timed(hessians, fn, points))
            looped.append(timed(one_by_one, fn, points))
        b, lo = statistics.median(batched), statistics.median(looped)
        print(f"{name:32s} {len(points):5d} points: batched {b * 1e3:7.1f} ms, one by one {lo * 1e3:7.1f} ms "
              f"({lo / b:.0f}x)")


def browser_bytes(reps: int) -> None:
    from playwright.sync_api import sync_playwright

    from bench.interaction import Session
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    print(f"# bytes Chromium receives for one new lr on /Descent (median of {reps})")
    with sync_playwright() as pw, streamlit_server(ROOT, env={"DESCENT_WARM_SCENES": "0"}) as base:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for query in ("", "?curv=true"):
            s = Session(browser, base)
            s.open("/Descent" + query, 3)
            sent = [s.act(lambda s=s: s.lr_key("ArrowRight"), 3)[1] for _ in range(reps)]
            print(f"curvature {'on ' if query else 'off'}: {statistics.median(sent) / 1000:.1f} kB")
            s.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium (a server of its own)")
    args = parser.parse_args()
    paths_bytes()
    hessian_time(args.reps)
    if args.browser:
        browser_bytes(args.reps)


if __name__ == "__main__":
    main()
