"""The descent loop against the source tutorial's printed run, finite differences and separate runs."""
import math
import re

import numpy as np
import pytest
import torch

from core.objectives import get_objective
from core.run import make_config, run

# Printed in ../shared/seeds/000_33d8818b87178235.txt: Adam, lr 1e-3, from (0, 0), every 2,000 steps.
SOURCE_LOG = """\
step0:x=[0.0009999999310821295, 0.0009999999310821295],f(x)=170.0
step2000:x=[2.3331806659698486, 1.9540694952011108],f(x)=13.730916023254395
step4000:x=[2.9820079803466797, 2.0270984172821045],f(x)=0.014858869835734367
step6000:x=[2.999983549118042, 2.0000221729278564],f(x)=1.1074007488787174e-08
step8000:x=[2.9999938011169434, 2.0000083446502686],f(x)=1.5572823031106964e-09
step10000:x=[2.999997854232788, 2.000002861022949],f(x)=1.8189894035458565e-10
step12000:x=[2.9999992847442627, 2.0000009536743164],f(x)=1.6370904631912708e-11
step14000:x=[2.999999761581421, 2.000000238418579],f(x)=1.8189894035458565e-12
step16000:x=[3.0, 2.0],f(x)=0.0
step18000:x=[3.0, 2.0],f(x)=0.0"""
LINE = re.compile(r"step(\d+):x=\[([^,]+), ([^\]]+)\],f\(x\)=(.+)")


def parse(lines):
    return [(int(k), float(x), float(y), float(f)) for k, x, y, f in (LINE.fullmatch(s).groups() for s in lines)]


def assert_matches_source(lines):
    got, want = parse(lines), parse(SOURCE_LOG.splitlines())
    assert [g[0] for g in got] == [w[0] for w in want]
    for (k, x, y, f), (_, wx, wy, wf) in zip(got, want):
        assert abs(x - wx) <= 1e-5 and abs(y - wy) <= 1e-5, k
        assert abs(f - wf) <= max(1e-4 * abs(wf), 1e-9), k


@pytest.fixture(scope="module")
def source_run():
    return run(make_config({"lr": 1e-3}, starts=[(0, 0)], steps=20_000, tol=None))


def test_reproduces_the_source_log(source_run):
    assert_matches_source(source_run.log_lines(2000))
    assert source_run.reason == ("max_steps",) and source_run.positions.shape == (20_001, 1, 2)


def test_source_other_starts_reach_their_minima():
    """The tutorial's other starts (1, 0), (-4, 0), (4, 0) end in three different minima."""
    traj = run(make_config({"lr": 1e-3}, starts=[(1, 0), (-4, 0), (4, 0)], steps=20_000, tol=None))
    want = [(3.0, 2.0), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for i, m in enumerate(want):
        end, _ = traj.final(i)
        assert math.dist(end, m) < 1e-4
        assert traj.summary(i).nearest == m


@pytest.mark.parametrize("optimizer,hypers", [("adam", {"lr": 1e-2}), ("sgd", {"lr": 1e-3, "momentum": 0.9}),
                                              ("rmsprop", {}), ("rprop", {}), ("asgd", {}), ("lbfgs", {})])
def test_batched_rows_equal_separate_runs(optimizer, hypers):
    starts = [(0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0), (-1.0, -1.0)]
    batch = run(make_config(hypers, optimizer=optimizer, starts=starts, steps=300))
    for i, s in enumerate(starts):
        one = run(make_config(hypers, optimizer=optimizer, starts=[s], steps=300))
        n = one.positions.shape[0]
        np.testing.assert_array_equal(batch.positions[:n, i], one.positions[:, 0])
        assert batch.reason[i] == one.reason[0] and batch.end[i] == one.end[0]


def test_losses_and_gradients_are_f_and_its_finite_difference():
    traj = run(make_config({"lr": 1e-2}, starts=[(-1, 1), (2, -2)], steps=50, dtype="float64"))
    obj = get_objective("himmelblau")
    pos = torch.from_numpy(traj.positions)
    np.testing.assert_allclose(traj.losses, obj(pos).numpy(), rtol=1e-12)
    h = 1e-6
    for i, e in enumerate(torch.eye(2, dtype=torch.float64)):
        fd = (obj(pos + h * e) - obj(pos - h * e)) / (2 * h)
        np.testing.assert_allclose(traj.grads[..., i], fd.numpy(), rtol=1e-6, atol=1e-5)


def test_sgd_too_large_learning_rate_diverges_cleanly():
    traj = run(make_config({"lr": 0.1}, optimizer="sgd", starts=[(0, 0)], steps=1000))
    assert traj.reason == ("diverged",)
    end = int(traj.end[0])
    assert end < 20
    assert np.isfinite(traj.positions[: end + 1]).all()
    assert np.abs(traj.positions[end, 0]).max() <= traj.objective.escape_radius


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.1), ("adam", 0.1), ("rmsprop", 0.01)])
def test_saddle_runs_end_diverged(optimizer, lr):
    traj = run(make_config({"lr": lr}, optimizer=optimizer, objective="saddle",
                           starts=[(1.0, 0.5), (-0.5, -0.01)], steps=5000))
    assert traj.reason == ("diverged", "diverged")
    assert traj.summary().nearest is None


def test_convergence_detection_and_switch():
    on = run(make_config({"lr": 1e-3}, starts=[(1, 0)], steps=20_000, tol=1e-6))
    assert on.reason == ("converged",) and int(on.end[0]) < 20_000
    k = int(on.end[0])
    assert np.linalg.norm(on.grads[k, 0]) <= 1e-6
    assert np.linalg.norm(on.positions[k, 0] - on.positions[k - 1, 0]) <= 1e-6
    before = on.positions[k - 1, 0] - on.positions[k - 2, 0]
    assert np.linalg.norm(on.grads[k - 1, 0]) > 1e-6 or np.linalg.norm(before) > 1e-6  # not converged a step earlier
    off = run(make_config({"lr": 1e-3}, starts=[(1, 0)], steps=k + 100, tol=None))
    assert off.reason == ("max_steps",) and off.positions.shape[0] == k + 101


def test_stopped_rows_hold_still_while_others_run():
    traj = run(make_config({"lr": 0.1}, optimizer="sgd", starts=[(0, 0), (3.01, 2.01)], steps=300))
    assert traj.reason[0] == "diverged"
    e = int(traj.end[0])
    assert (traj.positions[e:, 0] == traj.positions[e, 0]).all()


def test_deterministic():
    c = make_config({"lr": 0.05}, optimizer="nadam", starts=[(0.5, -0.5)], steps=500)
    a, b = run(c), run(c)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.grads, b.grads)


def test_lbfgs_strong_wolfe_finds_the_minimum_fast():
    traj = run(make_config({"line_search_fn": "strong_wolfe"}, optimizer="lbfgs", starts=[(0, 0)], steps=20))
    end, f = traj.final()
    assert math.dist(end, (3, 2)) < 1e-3 and f < 1e-6


def test_progress_callback_reaches_the_end():
    calls = []
    run(make_config(steps=200, tol=None), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (200, 200) and all(t == 200 for _, t in calls)


@pytest.mark.parametrize("fields,message", [
    ({"objective": "nope"}, "unknown objective"),
    ({"optimizer": "nope"}, "unknown optimizer"),
    ({"steps": 0}, "steps must be"),
    ({"steps": 20_001}, "steps must be"),
    ({"starts": [(float("nan"), 0)]}, "start point"),
    ({"starts": [(1e9, 0)]}, "start point"),
    ({"dtype": "float16"}, "dtype"),
    ({"tol": -1.0}, "tol"),
])
def test_config_refuses_bad_input(fields, message):
    with pytest.raises(ValueError, match=message):
        make_config(**fields)


def test_float64_on_request():
    traj = run(make_config({"lr": 1e-2}, steps=10, dtype="float64"))
    assert traj.positions.dtype == np.float64


def test_private_and_public_gradient_paths_give_the_same_numbers(monkeypatch):
    """The loop's private autograd engine call and its public fallback, torch.autograd.grad: identical runs."""
    from core.run import loop

    config = make_config({"lr": 1e-2, "amsgrad": True}, starts=[(0, 0), (-4, 1)], steps=300, tol=None)
    private = run(config)
    monkeypatch.setattr(loop, "_ENGINE", None)
    public = run(config)
    assert (private.positions == public.positions).all() and (private.grads == public.grads).all()
