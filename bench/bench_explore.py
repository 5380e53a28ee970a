"""Compare / basin-map speed: prints figures measured in one process (never pass/fail).

    python bench/bench_explore.py

- a 100 x 100 basin map of 500 Adam steps on Himmelblau against one 500-step run (target <= 2x); 200 x 200 (<= 5x)
- a 6-run comparison of 1,000 steps against one run (target <= 4x): six different optimizers, and one
  optimizer from six starts (batched)
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core.explore.basins import basin_map  # noqa: E402
from core.run import make_config, run  # noqa: E402

RACE = (("sgd", 1e-3), ("adam", 1e-2), ("rmsprop", 1e-2), ("adagrad", 0.5), ("nadam", 1e-2), ("lbfgs", 1.0))


def median_time(fn, repeats: int = 3) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    torch.set_num_threads(1)  # as the server does
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
