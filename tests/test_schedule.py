"""One budget per page view, turns between light and heavy work, and dropped work nobody waits for."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from core.explore.basins import CUT, basin_map, most_grid, most_steps
from core.explore.sweep import sweep
from core.run import Reason, make_config, run, run_endpoints
from core.run.broker import Broker
from core.run.budget import Budget, Cancelled, Deadline
from core.run.schedule import Scheduler


def in_thread(fn, *args):
    """fn(*args) on a thread; returns the thread and a dict that gets 'out' (or 'error') and 'at' (when done)."""
    box: dict = {}

    def go():
        try:
            box["out"] = fn(*args)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box["error"] = err
        box["at"] = time.perf_counter()

    thread = threading.Thread(target=go)
    thread.start()
    return thread, box


def test_one_budget_is_shared_by_every_run_of_a_view():
    """A second run on a spent budget takes no more than the one step it takes before it asks, and says why."""
    budget = Budget(0.3)
    first = run(make_config({"lr": 1.0}, optimizer="lbfgs", steps=20_000, tol=None), gate=Deadline(budget))
    assert first.reason == (Reason.TIME_LIMIT,) and budget.exhausted
    second = run(make_config({}, steps=2000, tol=None), gate=Deadline(budget))
    assert second.reason == (Reason.TIME_LIMIT,) and second.end[0] <= 1


def test_an_lbfgs_basin_map_stops_at_its_budget_and_holds_the_rest_at_their_starts():
    """Starts the budget left no time for are not started: each ends at its start, with f there (by hand)."""
    config = make_config({"lr": 1.0, "tolerance_grad": 0.0, "tolerance_change": 0.0}, optimizer="lbfgs", steps=50,
                         tol=None)
    t0 = time.perf_counter()
    bm = basin_map(config, 30, gate=Deadline(Budget(0.5)))
    assert time.perf_counter() - t0 < 5  # not 900 starts x 50 steps (tens of seconds)
    reasons = np.array(bm.ends.reason)
    idle = np.flatnonzero(bm.ends.end == 0)
    assert idle.size > 100 and (reasons[idle] == Reason.TIME_LIMIT).all()
    assert (bm.category.ravel()[idle] == CUT).all()  # none of these starts lies within 0.01 of a minimum
    gx, gy = np.meshgrid(bm.xs, bm.ys)
    starts = np.stack([gx.ravel(), gy.ravel()], 1)[idle]
    assert np.array_equal(bm.ends.positions[idle], starts.astype(np.float32))
    x, y = torch.tensor(starts, dtype=torch.float32).unbind(1)
    assert np.array_equal(bm.ends.losses[idle], ((x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2).numpy())


def test_an_lbfgs_sweep_on_a_spent_budget_starts_nothing():
    config = make_config({"lr": 1.0}, optimizer="lbfgs", steps=100, tol=None, starts=[(1.0, 2.0)])
    budget = Budget(0.0)
    ends = sweep(config, 1e-3, 1.0, 20, gate=Deadline(budget))
    assert set(ends.reason) == {Reason.TIME_LIMIT} and (ends.end == 0).all()
    assert (ends.positions == np.float32([1.0, 2.0])).all()


def test_runs_taking_turns_are_bit_identical_to_runs_made_alone():
    """Two runs interleaved step by step through the scheduler give exactly their numbers made alone."""
    scheduler = Scheduler(quantum=0.0, patience=0.0)  # hand the turn over at every step
    configs = [make_config({"lr": 0.01}, optimizer=opt, steps=600, tol=None, starts=[(i, -i)])
               for i, opt in ((1.0, "adam"), (-2.0, "rmsprop"))]

    def made(config):
        with scheduler.job() as job:
            return run(config, gate=job)

    pairs = [in_thread(made, c) for c in configs]
    for (thread, box), config in zip(pairs, configs):
        thread.join()
        alone = run(config)
        assert np.array_equal(box["out"].positions, alone.positions)
        assert np.array_equal(box["out"].losses, alone.losses)


def test_light_work_goes_before_heavy_work_that_is_under_way():
    """A light run asked for while a heavy map holds the turn finishes first; the heavy map still finishes whole."""
    scheduler = Scheduler()
    heavy = make_config({"lr": 0.01}, steps=1000, tol=None)
    light = make_config({"lr": 0.01}, steps=300, tol=None, starts=[(1.0, 1.0)])

    def job(fn, *args):
        with scheduler.job() as gate:
            return fn(*args, gate=gate)

    big, big_box = in_thread(job, basin_map, heavy, 120)
    while scheduler._holder is None:  # wait until the heavy map holds the turn
        time.sleep(0.01)
    small, small_box = in_thread(job, run, light)
    small.join()
    big.join()
    assert small_box["at"] < big_box["at"]
    assert np.array_equal(small_box["out"].positions, run(light).positions)
    assert set(big_box["out"].ends.reason) <= {Reason.MAX_STEPS, Reason.CONVERGED, Reason.DIVERGED}


def test_heavy_work_is_not_starved_by_a_stream_of_light_work():
    """With light runs asked for without pause, a heavy run still gets turns and finishes."""
    scheduler = Scheduler(quantum=0.01, patience=0.2)
    heavy = make_config({"lr": 0.01}, steps=3000, tol=None)
    stop = threading.Event()

    def lights():
        while not stop.is_set():
            with scheduler.job() as gate:
                run(make_config({"lr": 0.01}, steps=100, tol=None), gate=gate)

    streams = [in_thread(lights)[0] for _ in range(3)]
    try:
        with scheduler.job() as gate:
            out = run(heavy, gate=gate)
    finally:
        stop.set()
        for thread in streams:
            thread.join()
    assert out.reason == (Reason.MAX_STEPS,) and np.array_equal(out.positions, run(heavy).positions)


def test_queued_work_whose_view_has_gone_never_starts():
    scheduler = Scheduler()
    gone = threading.Event()
    config = make_config({"lr": 0.01}, steps=1000, tol=None)

    def heavy():
        with scheduler.job() as gate:
            return run(config, gate=gate)

    def queued():
        with scheduler.job(cancelled=gone.is_set) as gate:
            return run(config, gate=gate)

    holder, _ = in_thread(heavy)
    while scheduler._holder is None:
        time.sleep(0.01)
    waiter, box = in_thread(queued)
    gone.set()
    waiter.join()
    holder.join()
    assert isinstance(box["error"], Cancelled) and scheduler.started == 1


def test_a_broker_request_whose_view_has_gone_is_dropped_unless_another_waits():
    """Alone, a cancelled request's run is never made; batched with a request still waiting, it is made for that one."""
    broker = Broker(window=0.1)
    config = make_config({"lr": 0.01}, steps=500, tol=None)
    with pytest.raises(Cancelled):
        broker.submit(config, cancelled=lambda: True)
    time.sleep(0.3)  # past the gathering window: the batch would have been made by now
    assert broker.batches == [] and broker.scheduler.started == 0
    other = make_config({"lr": 0.02}, steps=500, tol=None, starts=[(1.0, 0.0)])
    waiting, box = in_thread(broker.submit, other)
    leaves = time.perf_counter() + 0.05  # this view goes away within the gathering window
    with pytest.raises(Cancelled):
        broker.submit(config, cancelled=lambda: time.perf_counter() > leaves)
    waiting.join()
    assert np.array_equal(box["out"].positions, run(other).positions)


def test_limits_fit_the_budget_per_optimizer():
    """No basin map, sweep or run a control offers costs more than the work limit at the measured costs."""
    from core import limits
    from core.run.cost import step_seconds

    for opt in ("adam", "sgd", "lbfgs"):
        config = make_config({}, optimizer=opt)
        n = most_grid(config)
        assert n == limits.MAX_GRID or opt == "lbfgs"
        steps = most_steps(config, n)
        assert 1 <= steps and steps * step_seconds(config, rows=n * n) <= limits.WORK_SECONDS
    lbfgs = make_config({}, optimizer="lbfgs")
    assert most_grid(lbfgs) < limits.MAX_GRID  # 40,000 LBFGS starts cannot take one step each within the budget
    assert most_steps(lbfgs, 10) * 100 * 20 * limits.LBFGS_ITERATION_SECONDS <= limits.WORK_SECONDS


def test_run_endpoints_keeps_its_meaning_under_a_gate():
    """A batched run through a job gives the same ends as without one."""
    config = make_config({"lr": 0.05}, steps=300, tol=1e-4, starts=[(0.0, 0.0), (1.0, 2.0), (-3.0, 3.0)])
    with Scheduler().job() as gate:
        gated = run_endpoints(config, gate=gate)
    alone = run_endpoints(config)
    assert np.array_equal(gated.positions, alone.positions) and gated.reason == alone.reason


def test_the_readme_states_the_limits_the_code_computes(root):
    """The README's table of what fits the budget, against core's own arithmetic."""
    from core.explore import sweep as sweeps
    from core.run.cost import most_steps as fits
    from core.run.cost import step_seconds

    text = (root / "README.md").read_text(encoding="utf-8")
    adam, lbfgs = make_config({}, optimizer="adam"), make_config({}, optimizer="lbfgs")
    six = make_config({}, optimizer="lbfgs", starts=[(0.0, 0.0)] * 6)
    rows = [f"| Descent, one run | {fits(step_seconds(adam)):,} steps | {fits(step_seconds(lbfgs)):,} steps |",
            f"| {fits(6 * step_seconds(adam)):,} steps each | {fits(step_seconds(six)):,} steps for six LBFGS starts |",
            f"| Basins | 200 × 200 starts × {most_steps(adam, 200):,} steps | {most_grid(lbfgs)} × {most_grid(lbfgs)} "
            f"starts × {most_steps(lbfgs, most_grid(lbfgs))} step; 10 × 10 × {most_steps(lbfgs, 10)} steps |",
            f"| {sweeps.most_steps(adam, 100):,} steps ({sweeps.most_steps(adam, 50):,}) | "
            f"{sweeps.most_steps(lbfgs, 100)} steps |"]
    for row in rows:
        assert row in text, row


def test_a_page_says_what_its_budget_cut_short_and_does_not_keep_it(monkeypatch):
    """/Descent on a budget too small for its run: the run ends with "time limit" and the page says so; with the
    budget back, the same link runs the whole run (the cut one was not cached)."""
    from streamlit.testing.v1 import AppTest

    from core import limits

    monkeypatch.setattr(limits, "RUN_SECONDS", 0.05)
    at = AppTest.from_file("../pages/1_Descent.py", default_timeout=120)
    at.query_params.update({"opt": "lbfgs", "steps": "900", "tol": "off", "lbfgs_tolerance_grad": "0",
                            "lbfgs_tolerance_change": "0"})
    at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["stopped"] == "time limit"
    assert any("cut short by its compute budget of 0.05 s" in w.value for w in at.warning)
    monkeypatch.setattr(limits, "RUN_SECONDS", 30.0)
    at.run()
    assert {m.label: m.value for m in at.metric}["steps run"] == "900"
    assert not any("cut short" in w.value for w in at.warning)
