"""Compare / basin-map speed: prints figures measured in one process (never pass/fail).

    python bench/bench_explore.py
    python bench/bench_explore.py --costs   # the costs per step that core/limits.py sizes the limits from

- a 100 x 100 basin map of 500 Adam steps on Himmelblau against one 500-step run (target <= 2x); 200 x 200 (<= 5x)
- a 6-run comparison of 1,000 steps against one run (target <= 4x): six different optimizers, and one
  optimizer from six starts (batched)
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import median_time, timed  # noqa: E402
from core.explore.basins import basin_map, grid  # noqa: E402
from core.run import make_config, run  # noqa: E402

RACE = (("sgd", 1e-3), ("adam", 1e-2), ("rmsprop", 1e-2), ("adagrad", 0.5), ("nadam", 1e-2), ("lbfgs", 1.0))


FORMULA = "sin(x*y)*cos(x-y)+exp(-x**2)*tanh(y)+" * 7 + "x"  # a typed formula near FORMULA_CHARS


def per_step(fn, steps: int) -> float:
    """fn's seconds per step: the best of three after a warm-up (the least disturbed by other work)."""
    fn()
    return min(timed(fn) for _ in range(3)) / steps


def measure(kw: dict) -> dict[str, float]:
    """Seconds per step on one objective: a run's step (the worst of five optimizers), a batched run's row-step,
    a sweep's lr-step and an LBFGS iteration (history 100, tolerances 0: every step takes every iteration)."""
    from core.explore.sweep import sweep
    from core.run import run_endpoints

    def one(opt: str) -> float:
        return per_step(lambda: run(make_config({"lr": 1e-5}, optimizer=opt, steps=300, tol=None, **kw)), 300)

    step = max(one(o) for o in ("sgd", "adam", "rprop", "radam", "asgd"))
    _, _, starts = grid(make_config({}, **kw).objective_spec, 200)
    rows = make_config({"lr": 1e-5}, steps=10, tol=None, starts=starts, **kw)
    lrs = make_config({"lr": 1e-5}, optimizer="rprop", steps=30, tol=None, **kw)
    hard = make_config({"lr": 1.0, "history_size": 100, "tolerance_grad": 0.0, "tolerance_change": 0.0},
                       optimizer="lbfgs", steps=20, tol=None, starts=[(0.3, 0.2)], **kw)
    return {"run": step, "row": (per_step(lambda: run_endpoints(rows), 10) - step) / len(starts),
            "group": per_step(lambda: sweep(lrs, 1e-6, 1e-5, 100), 30) / 100,
            "lbfgs": per_step(lambda: run(hard), 20) / 20}


def costs() -> None:
    """The worst cost per step over the built-in objectives (and a typed formula), beside core/limits.py's values."""
    from core import limits
    from core.objectives import OBJECTIVES

    worst = {"run": 0.0, "row": 0.0, "group": 0.0, "lbfgs": 0.0}
    for key in [*OBJECTIVES, "custom"]:
        kw = {"objective": key} | ({"expr": FORMULA, "bounds": (-5, 5, -5, 5)} if key == "custom" else {})
        got = measure(kw)
        print(f"{key:10s} run step {got['run'] * 1e6:6.0f} us, batched row-step {got['row'] * 1e6:6.3f} us, "
              f"sweep lr-step {got['group'] * 1e6:5.1f} us, LBFGS iteration {got['lbfgs'] * 1e3:5.2f} ms")
        factor = limits.FORMULA_FACTOR if key == "custom" else 1.0
        worst = {name: max(worst[name], got[name] / factor) for name in worst}
    print(f"worst (a typed formula divided by FORMULA_FACTOR {limits.FORMULA_FACTOR:g}), and core/limits.py's value: "
          f"run step {worst['run'] * 1e6:.0f} us ({limits.STEP_SECONDS * 1e6:.0f}), "
          f"row-step {worst['row'] * 1e6:.3f} us ({limits.ROW_STEP_SECONDS * 1e6:.3f}), "
          f"lr-step {worst['group'] * 1e6:.1f} us ({limits.GROUP_STEP_SECONDS * 1e6:.0f}), "
          f"LBFGS iteration {worst['lbfgs'] * 1e3:.2f} ms ({limits.LBFGS_ITERATION_SECONDS * 1e3:.2f})")


def main() -> None:
    torch.set_num_threads(1)  # as the server does
    if "--costs" in sys.argv[1:]:
        costs()
        return
    one = make_config({"lr": 0.05}, steps=500, tol=None)
    base = median_time(lambda: run(one))
    print(f"one 500-step Adam run: {base:.3f} s")
    for n, target in ((100, 2), (200, 5)):
        t = median_time(lambda n=n: basin_map(one, n))
        print(f"basin map {n} x {n} ({n * n:,} starts, one batch): {t:.3f} s = {t / base:.1f}x one run "
              f"(target <= {target}x)")
    single = make_config({"lr": 1e-2}, steps=1000, tol=None)
    base = median_time(lambda: run(single))
    race = [make_config({"lr": lr}, optimizer=opt, steps=1000, tol=None) for opt, lr in RACE]
    t_race = median_time(lambda: [run(c) for c in race])
    starts = make_config({"lr": 1e-2}, steps=1000, tol=None,
                         starts=[(0, 0), (1, 0), (-4, 0), (4, 0), (-1, -1), (2.5, -3)])
    t_starts = median_time(lambda: run(starts))
    print(f"one 1,000-step run {base:.3f} s; six optimizers {t_race:.3f} s = {t_race / base:.1f}x; "
          f"one optimizer from six starts (batched) {t_starts:.3f} s = {t_starts / base:.1f}x (target <= 4x)")


if __name__ == "__main__":
    main()
