"""Compare, inspector, basins, sweeps and typed formulas: against separate runs, torch's step() and hand checks."""
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import expr
from core.explore.basins import DIVERGED, basin_map, classify
from core.explore.race import ranking, steps_to_reach
from core.explore.sweep import sweep
from core.objectives import OBJECTIVES, get_objective
from core.optimizers import OPTIMIZERS
from core.run import make_config, run, run_endpoints
from core.run.inspector import RULES, inspect_step
from viz.style import Path

HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


# --- typed formulas -------------------------------------------------------------------------------------------

def test_typed_himmelblau_equals_the_registry_function():
    f = expr.parse(HIMMELBLAU)
    p = torch.rand(50, 2, dtype=torch.float64) * 12 - 6
    torch.testing.assert_close(f(p[:, 0], p[:, 1]), OBJECTIVES["himmelblau"](p))


def test_typed_formula_runs_like_the_registry_function():
    typed = run(make_config({"lr": 1e-2}, objective="custom", expr=HIMMELBLAU, bounds=(-6, 6, -6, 6), steps=300))
    known = run(make_config({"lr": 1e-2}, steps=300))
    # pow's backward (2 x g) rounds differently from x * x's (x g + x g): equal to float32 precision
    np.testing.assert_allclose(typed.positions, known.positions, rtol=1e-5, atol=1e-6)


def test_typed_formula_functions_and_constants():
    f = expr.parse("sin(x) + cos(y) * exp(-abs(x)) + sqrt(x**2 + 1) - tanh(y) / pi + e ** 2 + -x ** -2")
    x, y = torch.tensor([0.5, 1.5], dtype=torch.float64), torch.tensor([0.25, -2.0], dtype=torch.float64)
    want = (torch.sin(x) + torch.cos(y) * torch.exp(-x.abs()) + torch.sqrt(x**2 + 1) - torch.tanh(y) / torch.pi
            + torch.e ** 2 - x ** -2)
    torch.testing.assert_close(f(x, y), want)


@pytest.mark.parametrize("text,where", [
    ("__import__('os').system('ls')", "calling attribute access"),
    ("__import__('os')", "unknown function '__import__'"),
    ("x.__class__.__bases__", "attribute access"),
    ("lambda: 1", "a lambda"),
    ("[x for x in (1, 2)]", "a comprehension"),
    ("(x:=3)", "an assignment"),
    ("9**9**9", "exponent"),
    ("x**y", "exponent"),
    ("2**100", "exponent"),
    ("x" * 301, "at most 300"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("__builtins__", "unknown name"),
    ("x[0]", "indexing"),
    ("'x'", "the constant"),
    ("x if y else 0", "if/else"),
    ("x and y", "and/or"),
    ("x < y", "a comparison"),
    ("sin(x, y)", "exactly one argument"),
    ("sin(x=1)", "exactly one argument"),
    ("1e999 * x", "too large"),
    ("x +", "breaks off or runs on at column 3"),
    ("x y", "breaks off or runs on at column 3"),
    ("(x", "bracket at column 1 is never closed"),
    ("x)", "bracket at column 2 matches no open bracket"),
    ("(x]", "bracket at column 3 matches no open bracket"),
    ("", "type a formula"),
    ("x\ny", "one line"),
    ("-" * 100 + "x", "nested"),
    ("(" * 150 + "x" + ")" * 150, "at most 300"),
    ("sin(" * 45 + "x" + ")" * 45, "nested"),
])
def test_hostile_formulas_get_one_clear_message(text, where):
    with pytest.raises(expr.FormulaError, match=where.replace("(", r"\(").replace("*", r"\*")):
        expr.parse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="xy0123456789.+-*/() eπsincoqrtabplgh_,[]:'\"=<>", max_size=120) | st.text(max_size=60))
def test_fuzz_either_a_clean_error_or_a_function_that_evaluates_fast(text):
    try:
        f = expr.parse(text)
    except expr.FormulaError:
        return
    p = torch.rand(1000, 2, dtype=torch.float64) * 4 - 2
    started = time.perf_counter()
    with torch.no_grad():
        out = f(p[:, 0], p[:, 1])
    assert out.shape == (1000,)
    assert time.perf_counter() - started < 0.5


# --- comparing ------------------------------------------------------------------------------------------------

def test_steps_to_reach_is_the_first_step_below_threshold():
    traj = run(make_config({"lr": 1e-2}, steps=2000, tol=None))
    k = steps_to_reach(Path(traj))
    assert traj.losses[k, 0] < 1e-6 and (traj.losses[:k, 0] >= 1e-6).all()


def test_ranking_orders_by_arrival_and_names_minima():
    fast = run(make_config({"lr": 0.5}, optimizer="adagrad", steps=500))
    slow = run(make_config({"lr": 1e-3}, optimizer="adam", steps=500))
    table = ranking([Path(slow, 0, "slow"), Path(fast, 0, "fast")])
    assert [r.label for r in table] == ["fast", "slow"]
    assert table[0].reached == (3.0, 2.0) and table[1].steps_to_reach is None


# --- step inspector -------------------------------------------------------------------------------------------

CASES = [("sgd", {"lr": 1e-3}), ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
         ("sgd", {"lr": 1e-3, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}),
         ("adam", {"lr": 1e-2}), ("adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.01}),
         ("adamw", {"lr": 1e-2}), ("nadam", {"lr": 1e-2}), ("radam", {"lr": 1e-2}), ("adamax", {"lr": 1e-2}),
         ("rmsprop", {}), ("rmsprop", {"centered": True, "momentum": 0.5}), ("adagrad", {"lr": 0.5, "lr_decay": 0.01}),
         ("adadelta", {}), ("rprop", {}), ("asgd", {"t0": 5})]


def test_every_optimizer_but_lbfgs_has_a_rule():
    assert set(RULES) == set(OPTIMIZERS) - {"lbfgs"}
    assert {c[0] for c in CASES} == set(RULES)


@pytest.mark.parametrize("optimizer,hypers", CASES)
def test_rule_by_hand_gives_torchs_next_point(optimizer, hypers):
    config = make_config(hypers, optimizer=optimizer, starts=[(0.5, -1.0), (1.0, 1.0)], steps=60, tol=None)
    traj = run(config)
    for k in (0, 1, 9, 59):
        for row in (0, 1):
            s = inspect_step(config, k, row)
            np.testing.assert_array_equal(s.x, traj.positions[k, row].astype(np.float64))  # the replay is the run
            np.testing.assert_array_equal(s.x_next, traj.positions[k + 1, row].astype(np.float64))
            assert s.diff < 1e-5 * max(1.0, float(np.abs(s.x_next).max())), (k, row, s.x_next, s.x_formula)
            assert s.lines


def test_inspector_reads_torchs_state():
    s = inspect_step(make_config({"lr": 1e-2}, steps=10), 3)
    assert s.before["step"] == 3.0 and s.after["step"] == 4.0
    assert s.after["exp_avg"].shape == (2,)
    with pytest.raises(ValueError):
        inspect_step(make_config(steps=10), 10)


# --- endpoints, basins and sweeps -----------------------------------------------------------------------------

def test_endpoints_equal_the_full_runs_ends():
    starts = [(0, 0), (1, 0), (-4, 0), (4, 0), (-1, -1), (5.5, 5.5)]
    for opt, h in [("adam", {"lr": 1e-2}), ("sgd", {"lr": 0.02}), ("lbfgs", {})]:
        config = make_config(h, optimizer=opt, starts=starts, steps=700)
        traj, ends = run(config), run_endpoints(config)
        np.testing.assert_array_equal(np.array([traj.final(i)[0] for i in range(6)], dtype=np.float32),
                                      ends.positions)
        assert list(traj.end) == list(ends.end) and traj.reason == ends.reason


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_endpoints_of_a_large_batch_in_short_chunks_equal_the_full_runs_ends(dtype):
    """A batch large enough that only the ends are checked in chunks of 16 steps (record.chunk_steps), not the
    whole path's 64: every row's end, reason, point and f are the whole path's, for rows that converge, diverge
    and run out of steps."""
    from core.run.record import CHUNK, chunk_steps

    k = 3000
    assert chunk_steps(k, getattr(torch, dtype)) < CHUNK
    starts = [tuple(p) for p in (np.random.default_rng(5).uniform(-9, 9, (k, 2)))]
    seen = set()
    for opt, h in [("adam", {"lr": 0.05}), ("sgd", {"lr": 0.02})]:
        config = make_config(h, optimizer=opt, starts=starts, steps=203, dtype=dtype)
        traj, ends = run(config), run_endpoints(config)
        assert list(traj.end) == list(ends.end) and traj.reason == ends.reason
        rows = np.arange(k)
        np.testing.assert_array_equal(traj.positions[traj.end, rows], ends.positions)
        np.testing.assert_array_equal(traj.losses[traj.end, rows], ends.losses)
        seen |= set(ends.reason)
    assert seen == {"converged", "diverged", "max_steps"}


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "lbfgs"])
def test_sweep_groups_equal_separate_runs(optimizer):
    # LBFGS at small learning rates costs seconds a run (its two-loop recursion over 100 stored steps per
    # iteration, 20 iterations a step): test it where it converges
    low, steps = (0.05, 60) if optimizer == "lbfgs" else (1e-4, 300)
    config = make_config({}, optimizer=optimizer, starts=[(0.5, -1)], steps=steps)
    ends = sweep(config, low, 0.3, 20)
    for i in (0, 7, 19):
        one = run_endpoints(make_config({"lr": ends.lrs[i]}, optimizer=optimizer, starts=[(0.5, -1)], steps=steps))
        np.testing.assert_array_equal(ends.positions[i], one.positions[0])
        assert ends.reason[i] == one.reason[0]


def test_sweep_marks_divergence_at_large_learning_rates():
    ends = sweep(make_config({}, optimizer="sgd", steps=300), 1e-4, 1.0, 20)
    assert ends.reason[0] != "diverged" and ends.reason[-1] == "diverged"


def test_basin_map_sends_starts_near_each_minimum_to_it():
    config = make_config({"lr": 0.05}, steps=500)
    bm = basin_map(config, 40)
    obj = get_objective("himmelblau")
    for i, (mx, my) in enumerate(obj.minima):
        r, c = np.abs(bm.ys - my).argmin(), np.abs(bm.xs - mx).argmin()
        assert bm.category[r, c] == i
    assert sum(bm.counts().values()) == 1600


def test_classify_uses_known_minima_and_divergence():
    config = make_config({"lr": 0.02}, optimizer="sgd", starts=[(3.01, 2.01), (6, 6)], steps=200)
    ends = run_endpoints(config)
    cats = classify(get_objective("himmelblau"), ends)
    assert list(cats) == [0, DIVERGED]


def test_basin_limits():
    with pytest.raises(ValueError):
        basin_map(make_config(steps=2000), 200)
    with pytest.raises(ValueError):
        sweep(make_config(), 1e-3, 1e-1, 5)
