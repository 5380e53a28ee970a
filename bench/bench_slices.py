"""/Slices' figures: the computation (training, grid, 2 x 2 Hessian) of the default slice and of the heaviest the
controls allow (cut to the page's budget by ui/plans.slices), the bytes of its three figures, and with --browser the
time from opening the page's link in headless Chromium until every chart is drawn, and what the server sent.

    python bench/bench_slices.py              # computation and bytes (no browser)
    python bench/bench_slices.py --browser    # and the page in Chromium against `streamlit run app.py`
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DESCENT_WARM_SCENES", "0")
os.environ.setdefault("DESCENT_COMPILE", "0")

import torch  # noqa: E402

from bench.common import ROOT  # noqa: E402
from core.run.budget import Deadline  # noqa: E402
from ui import plans, slicing  # noqa: E402
from viz.slices import slice_contour, slice_losses, slice_surface  # noqa: E402

HEAVY = {"model": "mlp", "n": "64", "hidden": "32", "size": "1000", "grid": "101", "steps": "5000"}
LINKS = {"default": {}, "default, random directions": {"dirs": "random"}, "heaviest (Adam)": HEAVY,
         "heaviest (LBFGS)": {**HEAVY, "opt": "lbfgs"}}


def computation() -> None:
    """Each link's plan as the page cuts it, the seconds its work takes, and its figures' bytes."""
    torch.set_num_threads(1)
    slicing._slice(plans.slices(plans.link_values("Slices", {"steps": "5", "grid": "3", "dirs": "random"})),
                   lambda done, total: None, Deadline())  # torch's lazy imports and first optimizer, as warm_up()
    print("| link | model, weights | steps | grid | compute | figures (JSON) |\n| --- | --- | --- | --- | --- | --- |")
    for name, link in LINKS.items():
        plan = plans.slices(plans.link_values("Slices", link))
        started = time.perf_counter()
        s = slicing._slice(plan, lambda done, total: None, Deadline()).slice
        seconds = time.perf_counter() - started
        size = sum(len(f.to_json()) for f in (slice_surface(s), slice_contour(s), slice_losses(s)))
        print(f"| {name} | {plan.model.kind}, {s.center.size:,} | {plan.steps:,} of {plan.asked_steps:,} | "
              f"{plan.points} of {plan.asked_points} | {seconds:.2f} s | {size / 1e3:.0f} kB |")


def browser() -> None:
    """Each link opened in a fresh Chromium page: seconds until every chart is drawn, first (computed) and again
    (cached), and the websocket bytes the server sent for it; /Sweep in the same run as a reference (the machine
    is shared: compare within one run)."""
    from playwright.sync_api import sync_playwright

    from tests.audit import open_settled
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    with streamlit_server(ROOT) as base, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        print("| link | first open | again (cached) | sent by the server |\n| --- | --- | --- | --- |")
        pages = {f"/Slices, {name}": "Slices?" + "&".join(f"{k}={v}" for k, v in link.items())
                 for name, link in LINKS.items()}
        for name, path in {"/Sweep at defaults (one plain Plotly chart), for reference": "Sweep", **pages}.items():
            url = f"{base}/{path}"
            times, sent = [], []
            for _ in range(2):
                page = chromium.new_page(viewport={"width": 1400, "height": 1000})
                got = []
                page.on("websocket", lambda ws, got=got: ws.on("framereceived", lambda f: got.append(len(f))))
                t = time.perf_counter()
                open_settled(page, url)
                times.append(time.perf_counter() - t)
                sent.append(sum(got))
                page.close()
            print(f"| {name} | {times[0]:.1f} s | {times[1]:.1f} s | {sent[0] / 1e3:.0f} kB, {sent[1] / 1e3:.0f} kB |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also open the page in headless Chromium")
    computation()
    if parser.parse_args().browser:
        browser()
