"""A measuring process for bench/bench_descent.py: imports core from the tree it is given (this one or a past
commit's) and answers one JSON request a line with the CPU seconds it took, so two trees are measured side by side,
interleaved, each in a process of its own.

    python bench/descent_worker.py TREE     # then lines such as {"task": "steps", "k": 10000, "on": true}
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
import time


def main(tree: str) -> None:
    sys.path.insert(0, tree)
    os.environ.setdefault("DESCENT_WARM_SCENES", "0")  # the page under AppTest: no background warm-up here
    import torch

    from core.explore.basins import basin_map
    from core.run import compiled, make_config, run, run_endpoints

    torch.set_num_threads(1)  # as the server does
    def setup() -> None:
        """Compile what the server compiles in the background: the gradients, and the stop screen where the tree
        has one."""
        for d in ("float32", "float64"):
            compiled.build("himmelblau", d)
            if hasattr(compiled, "build_screen"):
                compiled.build_screen(getattr(torch, d))

    tasks = {"setup": setup}

    def steps(k: int, n: int, on: bool, ends: bool, lr: float) -> float:
        """CPU seconds of one run of n Adam steps from k starts (tol off: every row runs every step)."""
        g = torch.Generator().manual_seed(0)
        starts = [(0.0, 0.0)] if k == 1 else [tuple(p) for p in (torch.rand(k, 2, generator=g) * 12 - 6).tolist()]
        config = make_config({"lr": lr}, starts=starts, steps=n, tol=None)
        return switched(compiled, on, run_endpoints if ends else run, config)

    def basins(n: int, on: bool) -> float:
        config = make_config({"lr": 0.05}, steps=n)
        return switched(compiled, on, basin_map, config, 200)

    page: dict = {}

    def change(on: bool) -> float:
        """Wall seconds of a new learning rate (one not run before) on /Descent at defaults, under AppTest."""
        from streamlit.testing.v1 import AppTest

        from ui.params import log_options

        if not page:
            page["at"] = AppTest.from_file(f"{tree}/pages/1_Descent.py", default_timeout=120)
            page["at"].run()
            for t in threading.enumerate():  # the page starts compiling every pair in the background: not measured
                if t.name == "descent-compile":
                    t.join()
            page["lrs"] = iter([v for v in log_options(1e-6, 10.0, 1e-3) if 1e-4 <= v <= 0.5 and v != 1e-3] * 4)
        before = compiled.enabled(on)
        try:
            slider = page["at"].select_slider(key="lr").set_value(next(page["lrs"]))
            t = time.perf_counter()
            slider.run()
            took = time.perf_counter() - t
        finally:
            compiled.enabled(before)
        if page["at"].exception:
            raise RuntimeError(str(page["at"].exception))
        return took

    tasks.update(steps=steps, basins=basins, change=change, warm=lambda: switched(
        compiled, True, run, dataclasses.replace(make_config({"lr": 1e-3}), steps=20)))
    for line in sys.stdin:
        request = json.loads(line)
        result = tasks[request.pop("task")](**request)
        print(json.dumps(result if isinstance(result, float) else None), flush=True)


def switched(compiled, on: bool, fn, *args) -> float:
    """CPU seconds of fn(*args) with the compiled path on or off."""
    before = compiled.enabled(on)
    try:
        t = time.process_time()
        fn(*args)
        return time.process_time() - t
    finally:
        compiled.enabled(before)


if __name__ == "__main__":
    main(sys.argv[1])
