"""Descent Lab benchmark: prints figures measured in one run (never pass/fail).

    python bench/bench_descent.py [--quick] [--no-class] [--before REV]

Eager and compiled f and gradient (core/run/compiled.py) are measured in the same run, interleaved; with --before
REV, sections 2-4 also measure a past commit's core (a temporary git worktree), each tree in a process of its own
(bench/descent_worker.py), the two taking turns. Times per step are CPU time of the measuring process (the machine
may be shared: wall time says more about the neighbours).
1. what compiling costs: each built-in's compile, and a typed formula's against the most a run could gain
2. per step: the source tutorial's own loop, core eager and core compiled, at 1, 100 and 10,000 starts (10,000
   with the whole path kept, as /Compare keeps it, and with only the ends, as basin maps keep them)
   (targets: compiled one start <= 0.5x the tutorial's loop; 10,000 starts <= 2x one start)
3. a new learning rate on /Descent at defaults, end to end under AppTest (the uncached run, figures and page)
4. a basin map of 200 x 200 starts x 1,000 Adam steps (target <= 1 s)
5. the private autograd engine call against torch.autograd.grad (eager path); where a step of 10,000 starts goes
   (only the ends kept, both dtypes): f and gradient, Adam's own step, the copy of x, the stop check in chunks
   of 64 and of record.chunk_steps, against one start; and Adam with fused=True, its cost and its numbers; a
   basin map with chunks of 64 and of record.chunk_steps
6. the Descent page's warm rerun time at defaults under AppTest (target <= 0.5 s)
7. building and serialising the figures /Descent sends (target <= 50 ms at defaults), and their size
8. the class scenarios lrs and mixed of bench/load.py (30 clients, broker on), compiling off and on
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DESCENT_WARM_SCENES", "0")  # the page under AppTest: no background warm-up here
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench.common import checkout, timed  # noqa: E402
from core.grid import surface  # noqa: E402
from core.run import compiled, make_config, run, run_endpoints  # noqa: E402
from viz.style import Path  # noqa: E402


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


def himmelblau(x):  # the source's function, as printed
    return (x[0]**2 + x[1] - 11)**2 + (x[0] + x[1]**2 - 7)**2


def cpu(fn, *args) -> float:
    """CPU seconds of this process for fn(*args)."""
    t = time.process_time()
    fn(*args)
    return time.process_time() - t


def switched(on: bool, fn, *args) -> float:
    """CPU seconds of fn(*args) with the compiled path on or off."""
    before = compiled.enabled(on)
    try:
        return cpu(fn, *args)
    finally:
        compiled.enabled(before)


class Worker:
    """A process measuring one tree's core (bench/descent_worker.py): ask(task, **args) -> CPU seconds."""

    def __init__(self, tree: Path) -> None:
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "descent_worker.py"), str(tree)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tree)

    def ask(self, task: str, **args) -> float | None:
        self.process.stdin.write(json.dumps({"task": task, **args}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


@contextmanager
def workers(before: str | None):
    """One worker for this tree ("after"), and one for the commit before (a temporary worktree) when given."""
    with contextlib.ExitStack() as stack:
        trees = {"after": ROOT}
        if before:
            trees["before"] = stack.enter_context(checkout(before))
        pool = {name: Worker(tree) for name, tree in trees.items()}
        for w in pool.values():
            stack.callback(w.close)
            w.ask("setup")  # compile (inductor's disk cache makes the second quick) and warm up
            w.ask("warm")
        yield pool


PER_STEP = [(1, False), (100, False), (10_000, False), (10_000, True)]  # (starts, only the ends kept)


def bench_per_step(pool: dict, steps: int, repeats: int) -> None:
    """Per step, interleaved: the tutorial's loop (one start, in this process), core eager and core compiled at
    1, 100 and 10,000 starts (a whole path, and only the ends as basin maps keep them), in each tree."""
    def n(k: int) -> int:
        return steps if k == 1 else min(steps, 300)  # a whole path of 10,000 starts: <= 4M points

    source_loop(200)
    times: dict[tuple, list[float]] = {}
    for r in range(repeats):
        times.setdefault(("tutorial",), []).append(cpu(source_loop, steps) / steps)
        for k, ends in PER_STEP:
            for on in (False, True):
                for name in sorted(pool, reverse=bool(r % 2)):  # before and after take turns going first
                    took = pool[name].ask("steps", k=k, n=n(k), on=on, ends=ends, lr=1e-3 if k == 1 else 1e-2)
                    times.setdefault((name, k, ends, on), []).append(took / n(k))
    us = {key: statistics.median(v) * 1e6 for key, v in times.items()}
    tutorial = us["tutorial",]
    print(f"per step, CPU time, {steps:,} Adam steps (batches {n(100):,}), median of {repeats} interleaved runs "
          f"(machine shared with other work: compare columns, not days): tutorial loop {tutorial:.0f} us "
          f"(one start)")
    for name in pool:
        for k, ends in PER_STEP:
            e, c = us[name, k, ends, False], us[name, k, ends, True]
            print(f"  {name:>6} {k:>6,} starts{' (ends only)' if ends else ''}: eager {e:.0f} us "
                  f"({e / tutorial:.2f}x tutorial), compiled {c:.0f} us ({c / tutorial:.2f}x tutorial, "
                  f"{c / e:.2f}x eager)")
        one = us[name, 1, False, True]
        print(f"  {name:>6} compiled, 10,000 starts / 1 start: whole path "
              f"{us[name, 10_000, False, True] / one:.2f}, ends only {us[name, 10_000, True, True] / one:.2f} "
              f"(targets: 1 start <= 0.5x tutorial, here {one / tutorial:.2f}x; 10,000 starts <= 2x one start)")


def bench_compile() -> None:
    """Compile time of every built-in that compiles (wall time, once per process; then inductor's disk cache),
    and of a typed formula against the most a run of it could gain."""
    from core.limits import MAX_STEPS
    from core.objectives import OBJECTIVES, get_objective

    for dtype in ("float32", "float64"):
        took = []
        for key in compiled.SAME_BITS:
            t = time.perf_counter()
            compiled.build(key, dtype)
            took.append(f"{key} {time.perf_counter() - t:.1f} s")
        print(f"compile + bit check, {dtype}: " + ", ".join(took))
    typed = get_objective("custom", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-6, 6, -6, 6)).fn
    try:
        compiled.compile_gradient(typed, torch.float32)
        note = "the typed formula compiles"
    except Exception as err:  # its constants are made with .item(), which dynamo cannot trace as one graph
        note = f"the typed formula itself does not compile ({type(err).__name__})"

    c = 0.5 + random.random()  # a constant of the graph: no compile cache has seen this function

    def new_f(p: torch.Tensor) -> torch.Tensor:  # as a new formula would be
        return OBJECTIVES["himmelblau"].fn(p) + c * p[..., 0] * p[..., 1]

    t = time.perf_counter()
    gradient = compiled.compile_gradient(new_f, torch.float32)
    took = time.perf_counter() - t
    x = torch.zeros(1, 2)
    eager = min(cpu(lambda: [compiled.eager("himmelblau", x) for _ in range(2000)]) for _ in range(3)) / 2000
    fast = min(cpu(lambda: [gradient(x) for _ in range(2000)]) for _ in range(3)) / 2000
    gain = MAX_STEPS * (eager - fast)
    print(f"a new f ({note}; a stand-in compiled): {took:.1f} s to compile; f and gradient {eager * 1e6:.0f} us "
          f"eager, {fast * 1e6:.0f} us compiled; the most one run gains ({MAX_STEPS:,} steps) {gain:.2f} s: "
          f"{'pays off' if gain > took else 'does not pay off, typed formulas run eagerly'}")


def bench_change(pool: dict, repeats: int) -> None:
    """A new learning rate on /Descent at defaults, end to end under AppTest (wall time: run, figures, page);
    each change a learning rate not run before, eager and compiled, each tree, interleaved."""
    for w in pool.values():
        w.ask("change", on=True)
    times: dict[tuple, list[float]] = {}
    for r in range(repeats):
        for on in (False, True):
            for name in sorted(pool, reverse=bool(r % 2)):
                times.setdefault((name, on), []).append(pool[name].ask("change", on=on))
    for name in pool:
        e, c = (statistics.median(times[name, on]) for on in (False, True))
        print(f"  {name:>6} a new lr on /Descent at defaults (2,000 Adam steps, uncached), AppTest wall time, "
              f"median of {repeats}: eager {e:.3f} s, compiled {c:.3f} s ({c / e:.2f}x)")


def bench_basins(pool: dict, steps: int, repeats: int) -> None:
    """A basin map of 200 x 200 starts (Basins' defaults otherwise: Adam, lr 0.05, tol 1e-4), eager and compiled,
    in each tree, interleaved."""
    for w in pool.values():
        w.ask("basins", n=5, on=True)
    times: dict[tuple, list[float]] = {}
    for r in range(repeats):
        for on in (False, True):
            for name in sorted(pool, reverse=bool(r % 2)):
                times.setdefault((name, on), []).append(pool[name].ask("basins", n=steps, on=on))
    for name in pool:
        e, c = (statistics.median(times[name, on]) for on in (False, True))
        print(f"  {name:>6} basin map 200 x 200 x {steps:,} Adam steps, CPU time, median of {repeats}: eager "
              f"{e:.2f} s, compiled {c:.2f} s ({c / e:.2f}x; target <= 1 s)")


def bench_floor(steps: int, repeats: int) -> None:
    """Where a step of 10,000 starts goes, only the ends kept (CPU time, in this process, interleaved, the compiled
    gradient throughout): f and gradient alone; Adam's own step alone; the two as a loop with no record; that
    loop with the copy of x a record needs; run_endpoints with chunks of 64 steps and with record.chunk_steps;
    one start's whole run. And Adam with fused=True in the same loop: its cost, and whether its numbers are
    eager Adam's (the issue keeps the numbers: where they differ it is not used)."""
    for dtype in ("float32", "float64"):
        if compiled.build("himmelblau", dtype) is None:
            print("where a step goes: no C++ compiler, skipped")
            return
        floor_one(dtype, steps, repeats)


@contextmanager
def chunks_of(steps: int | None):
    """Ends-only chunks of `steps` steps for what runs inside (None: record.chunk_steps, as the app has them)."""
    from core.run import record

    before = record.chunk_steps
    record.chunk_steps = before if steps is None else (lambda k, dtype: steps)
    try:
        yield
    finally:
        record.chunk_steps = before


def bench_basin_chunks(repeats: int) -> None:
    """A basin map of 200 x 200 x 1,000 Adam steps (tol on: rows stop, and the exact check runs) with ends-only
    chunks of 64 steps and of record.chunk_steps, interleaved in this process; the basins' counts must agree."""
    from core.explore.basins import basin_map
    from core.run.record import CHUNK

    config = make_config({"lr": 0.05}, steps=1000)
    ways = {f"chunks of {CHUNK}": CHUNK, "record.chunk_steps": None}
    times: dict[str, list[float]] = {}
    counts = set()
    for r in range(repeats):
        for name in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
            with chunks_of(ways[name]):
                t = time.process_time()
                counts.add(tuple(sorted(basin_map(config, 200).counts().items())))
                times.setdefault(name, []).append(time.process_time() - t)
    print(f"basin map 200 x 200 x 1,000 Adam steps, median of {repeats} interleaved: " + ", ".join(
        f"{name} {statistics.median(v):.3f} s" for name, v in times.items())
        + f" (the same counts both ways: {len(counts) == 1})")


def floor_one(dtype: str, steps: int, repeats: int) -> None:
    """bench_floor for one dtype."""
    from core.run.record import CHUNK, chunk_steps

    dt = getattr(torch, dtype)
    gradient = compiled.lookup("himmelblau", dtype)
    start = torch.rand(10_000, 2, generator=torch.Generator().manual_seed(0), dtype=dt) * 12 - 6
    config = make_config({"lr": 1e-2}, starts=[tuple(p) for p in start.tolist()], steps=steps, tol=None,
                         dtype=dtype)
    one = make_config({"lr": 1e-3}, steps=steps, tol=None, dtype=dtype)

    def loop(adam: bool = True, copy: bool = False, fused: bool = False, grad: bool = True) -> torch.Tensor:
        x = start.clone().requires_grad_()
        x.grad = gradient(x.detach())[1]
        optimizer = torch.optim.Adam([x], lr=1e-2, fused=fused or None)
        ring = torch.empty(16, *x.shape, dtype=dt)
        for i in range(steps):
            if grad:
                x.grad = gradient(x.detach())[1]
            if adam:
                optimizer.step()
            if copy:
                ring[i % 16].copy_(x.detach())
        return x.detach()

    def ends(steps: int | None) -> None:
        with chunks_of(steps):
            run_endpoints(config)

    parts = {"f and gradient": lambda: loop(adam=False), "Adam's step": lambda: loop(grad=False),
             "both, no record": loop, "both and the copy of x": lambda: loop(copy=True),
             f"run_endpoints, chunks of {CHUNK}": lambda: ends(CHUNK),
             f"run_endpoints, chunks of {chunk_steps(10_000, dt)}": lambda: ends(None),
             "Adam fused=True, f, gradient and step": lambda: loop(fused=True),
             "one start, run()": lambda: run(one)}
    times: dict[str, list[float]] = {}
    for r in range(repeats):
        for name in (list(parts) if r % 2 == 0 else list(parts)[::-1]):
            times.setdefault(name, []).append(cpu(parts[name]) / steps * 1e6)
    us = {name: statistics.median(v) for name, v in times.items()}
    same = torch.equal(loop(fused=True), loop())
    print(f"where a step of 10,000 starts goes, only the ends kept, {dtype}, {steps} Adam steps, median of "
          f"{repeats} interleaved (us a step; x one start's whole run):")
    for name, t in us.items():
        print(f"  {name:<40} {t:6.0f} us  {t / us['one start, run()']:.2f}x")
    print(f"  Adam fused=True ends {'at' if same else 'off'} eager Adam's point "
          f"({'bit for bit' if same else 'not bit for bit: not used'})")


def bench_class(clients: int) -> None:
    """bench/load.py's scenarios lrs and mixed, broker on, a fresh server each, compiling off then on."""
    import load

    for name in ("lrs", "mixed"):
        for on in (False, True):
            print(f"compiling {'on' if on else 'off'}: ", end="", flush=True)
            load.scenario(name, clients, True, compile_gradients=on)


def bench_gradient(steps: int, repeats: int) -> None:
    """The private engine call against the public torch.autograd.grad, on the default run, interleaved."""
    from core.run import loop

    config, engine, times = make_config({"lr": 1e-3}, steps=steps, tol=None), loop._ENGINE, {"private": [],
                                                                                               "public": []}
    compiled_before = compiled.enabled(False)  # the eager path's own engine call
    for _ in range(repeats):
        for mode in times:
            loop._ENGINE = engine if mode == "private" else None
            times[mode].append(timed(run, config) / steps * 1e6)
    loop._ENGINE = engine
    compiled.enabled(compiled_before)
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
    parser.add_argument("--no-class", action="store_true", help="skip the class scenarios (fresh servers, minutes)")
    parser.add_argument("--before", metavar="REV",
                        help="also measure a past commit's core (per step, a /Descent change, basin map)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the server does
    quick = args.quick
    bench_compile()
    with workers(args.before) as pool:
        bench_per_step(pool, 300 if quick else 2000, 3 if quick else 5)
        bench_change(pool, 3 if quick else 7)
        bench_basins(pool, 100 if quick else 1000, 1 if quick else 3)
    bench_gradient(500 if quick else 2000, 5)
    bench_floor(640, 3 if quick else 7)
    bench_basin_chunks(2 if quick else 5)
    bench_page(5)
    bench_figure()
    if not args.no_class:
        bench_class(30)


if __name__ == "__main__":
    main()
