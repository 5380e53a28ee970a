"""Limits in one place, a time budget per run, and fuzzing: every optimizer on every objective at learning rates
from 1e-6 to 10, and random link parameters on every page."""
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import limits
from core.objectives import OBJECTIVES
from core.optimizers import OPTIMIZERS
from core.run import make_config, run, run_endpoints
from tests.test_share import PAGES

REASONS = {"converged", "max_steps", "diverged", "time_limit"}


def test_a_run_over_its_time_budget_stops_cleanly(monkeypatch):
    monkeypatch.setattr(limits, "RUN_SECONDS", 0.3)
    traj = run(make_config({"lr": 1e-4}, steps=20_000, tol=None))
    assert traj.reason == ("time_limit",) and 0 < int(traj.end[0]) < 20_000
    assert traj.positions.shape[0] == int(traj.end[0]) + 1 and np.isfinite(traj.positions).all()
    ends = run_endpoints(make_config({"lr": 1e-4}, optimizer="lbfgs", starts=[(0, 0), (1, 1), (2, 2)],
                                     steps=20_000, tol=None))
    assert set(ends.reason) == {"time_limit"} and ends.seconds < 3  # one budget for all three starts


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_on_every_objective_at_any_learning_rate(optimizer):
    """No exception anywhere in 1e-6..10; each start ends converged, at max steps or diverged; ends are finite."""
    lrs = (1e-6, 1e-3, 0.1, 1.0, 10.0)
    steps = 20 if optimizer == "lbfgs" else 150
    for key, objective in OBJECTIVES.items():
        start = (0.3 * objective.x_range[1], 0.4 * objective.y_range[0])
        ends = run_endpoints(make_config({}, optimizer=optimizer, objective=key, starts=[start], steps=steps), lrs)
        assert set(ends.reason) <= REASONS - {"time_limit"}, (key, ends.reason)
        assert np.isfinite(ends.positions).all(), key


PARAM = st.sampled_from(["lr", "steps", "x0", "y0", "opt", "fn", "k", "n", "seed", "runs", "grid", "count",
                         "links", "tol", "lang", "present", "expr", "x", "w", "inputs", "act", "scale", "dtype",
                         "r1_lr", "r2_opt", "lrs", "sgd_momentum", "adam_betas0", "zz", "", "ü"])
VALUE = st.one_of(st.sampled_from(["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "-0", "0", "", " ", "1e-300",
                                   "true", "false", "adam", "zh", "custom", "x**2", "9**9**9", "%00", "1,2,3",
                                   "a;b", "😀", "中文"]),
                  st.text(max_size=40), st.floats(allow_nan=True, allow_infinity=True).map(str),
                  st.integers(-10**12, 10**12).map(str))


# 25 links in CI (about half a minute); FUZZ_EXAMPLES=1000 python -m pytest tests/test_limits.py -k fuzz for more
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(list(PAGES)), params=st.lists(st.tuples(PARAM, VALUE), max_size=6))
def test_fuzzed_links_always_render_within_limits(name, params):
    at = AppTest.from_file(PAGES[name], default_timeout=180)
    for key, value in params:
        at.query_params[key] = value
    at.run()
    assert not at.exception
    state = at.session_state
    for key, low, high in (("steps", 1, limits.MAX_STEPS), ("n", 1, limits.MAX_INPUTS), ("k", 0, limits.MAX_STEPS),
                           ("grid", 10, limits.MAX_GRID), ("runs", 1, 6), ("links", 2, limits.MAX_LAYERS)):
        if key in state:
            assert low <= state[key] <= high, (key, state[key])
    for key in ("x0", "y0", "lr"):
        if key in state:
            assert math.isfinite(state[key]) and abs(state[key]) <= limits.START_LIMIT
