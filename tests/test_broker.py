"""Runs from many sessions made together: every request's numbers are those of its run made alone, bit for bit;
batches form from requests that arrive together; nobody waits behind a stream of later arrivals."""
import threading
import time

import numpy as np
import pytest

from core.optimizers import OPTIMIZERS
from core.run import broker as broker_module
from core.run import make_config, run
from core.run.broker import Broker, batch_key, run_together

ELEMENTWISE = [k for k, s in OPTIMIZERS.items() if s.elementwise]
# per optimizer: two different settings besides the default (mixed hyperparameters in one batch)
SETTINGS = {"sgd": ({"lr": 1e-3, "momentum": 0.9}, {"lr": 2e-3, "nesterov": True, "momentum": 0.5}),
            "adam": ({"lr": 1e-2}, {"lr": 5e-3, "amsgrad": True, "betas": (0.8, 0.99)}),
            "adamw": ({"lr": 1e-2, "weight_decay": 0.1}, {"lr": 2e-2}),
            "nadam": ({"lr": 1e-2}, {"lr": 1e-2, "momentum_decay": 0.01}),
            "radam": ({"lr": 1e-2}, {"lr": 3e-2, "weight_decay": 0.01}),
            "adamax": ({"lr": 1e-2}, {"lr": 5e-2}),
            "rmsprop": ({"lr": 1e-3}, {"lr": 1e-3, "centered": True, "momentum": 0.3}),
            "adagrad": ({"lr": 0.5}, {"lr": 0.3, "lr_decay": 0.01}),
            "adadelta": ({"lr": 1.0}, {"lr": 5.0, "rho": 0.5}),
            "rprop": ({"lr": 1e-2}, {"lr": 1e-3, "etas": (0.4, 1.3)}),
            "asgd": ({"lr": 1e-3}, {"lr": 2e-3, "lambd": 1e-3})}


def requests(optimizer, dtype, objective="himmelblau"):
    """Four requests sharing a batch key: mixed hyperparameters, one start or several, one that diverges, and a
    tolerance at which rows stop at different steps."""
    a, b = SETTINGS[optimizer]
    common = {"optimizer": optimizer, "dtype": dtype, "objective": objective, "steps": 300, "tol": 1e-3}
    return [make_config(a, starts=[(0.0, 0.0)], **common),
            make_config(b, starts=[(1.0, -1.0), (-4.0, 0.5)], **common),
            make_config(a, starts=[(3.1, 2.1), (-3.0, 3.0)], **common),  # near a minimum: stops early
            make_config({**a, "lr": 10.0}, starts=[(4.0, 4.0)], **common)]  # a large lr


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", ELEMENTWISE)
def test_each_request_gets_exactly_its_run_made_alone(optimizer, dtype):
    configs = requests(optimizer, dtype)
    assert len({batch_key(c) for c in configs}) == 1
    together = run_together(configs)
    for config, got in zip(configs, together):
        alone = run(config)
        assert got.config == config
        assert np.array_equal(got.end, alone.end) and got.reason == alone.reason
        for name in ("positions", "losses", "grads"):
            assert np.array_equal(getattr(got, name), getattr(alone, name), equal_nan=True), (config, name)


def test_stops_differ_within_a_batch():
    """The check above means something: within one batch, rows stop at different steps and for different reasons."""
    together = run_together(requests("adam", "float32"))
    ends = {int(e) for t in together for e in t.end}
    assert len(ends) >= 3 and {r for t in together for r in t.reason} >= {"converged", "max_steps"}


def test_transcendental_objectives_batch_bit_for_bit():
    for objective in ("rastrigin", "ackley"):
        configs = requests("adam", "float32", objective)
        for config, got in zip(configs, run_together(configs)):
            assert np.array_equal(got.positions, run(config).positions, equal_nan=True), objective


def test_lbfgs_and_different_settings_are_never_merged():
    lbfgs = [make_config({}, optimizer="lbfgs", steps=5), make_config({}, optimizer="lbfgs", steps=5)]
    assert batch_key(lbfgs[0]) != batch_key(lbfgs[1])
    assert batch_key(make_config({}, steps=10)) != batch_key(make_config({}, steps=11))
    assert batch_key(make_config({}, tol=None)) != batch_key(make_config({}))


def submit_all(broker, configs, delay=0.0):
    """Each config submitted from its own thread (the i-th after delay * i seconds); each one's trajectory, or the
    exception its submit raised."""
    out = [None] * len(configs)

    def one(i):
        time.sleep(delay * i)
        try:
            out[i] = broker.submit(configs[i])
        except Exception as err:  # noqa: BLE001 - kept as the request's answer, for the test to look at
            out[i] = err

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(configs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def test_requests_arriving_together_share_one_run():
    broker = Broker(window=0.2)
    configs = [make_config({"lr": 10 ** -(1 + i % 3)}, starts=[(i * 0.3, -i * 0.2)], steps=400) for i in range(12)]
    got = submit_all(broker, configs)
    assert sum(broker.batches) == 12 and len(broker.batches) <= 2  # one batch, or two if a thread started late
    for config, traj in zip(configs, got):
        assert np.array_equal(traj.positions, run(config).positions)


def test_identical_requests_run_once(monkeypatch):
    """Five sessions asking for the same run at once: torch runs it once per batch the broker made (one, or two if
    a thread started late), and every session gets the numbers of the run made alone."""
    made = []
    monkeypatch.setattr(broker_module, "run", lambda config, *a: made.append(config) or run(config, *a))
    broker = Broker(window=0.2)
    same = [make_config({"lr": 1e-2}, steps=200)] * 5
    got = submit_all(broker, same)
    assert len(made) == len(broker.batches) <= 2 and sum(broker.batches) == 5
    alone = run(same[0])
    assert all(np.array_equal(t.positions, alone.positions) for t in got)


def test_errors_stay_with_their_request():
    """A request that cannot run (over the recorded-points limit alone) arrives with two that can, in one batch:
    it gets its own error, the others their runs, bit for bit."""
    broker = Broker(window=0.3)
    bad = make_config({"lr": 1e-2}, starts=[(0.0, 0.0)] * 2000, steps=2000)
    good = [make_config({"lr": 1e-2}, starts=[(1.0, 1.0)], steps=2000),
            make_config({"lr": 2e-2}, starts=[(-1.0, 2.0)], steps=2000)]
    assert len({batch_key(c) for c in [bad, *good]}) == 1
    got = submit_all(broker, [good[0], bad, good[1]])
    assert isinstance(got[1], ValueError) and "whole trajectory" in str(got[1])
    for config, traj in zip(good, (got[0], got[2])):
        assert np.array_equal(traj.positions, run(config).positions)


def test_a_request_arriving_during_a_batch_waits_for_the_next_one_only():
    """Requests keep arriving during long batches; each is served by the batch after its arrival, in order."""
    broker = Broker(window=0.05)
    long = make_config({"lr": 1e-3}, steps=3000, tol=None)
    configs = [long] + [make_config({"lr": 1e-3}, starts=[(i, 0.0)], steps=3000, tol=None) for i in range(1, 6)]
    started = time.perf_counter()
    submit_all(broker, configs, delay=0.15)
    alone = run(long).seconds
    assert time.perf_counter() - started < 6 * alone + 5  # never more than one batch of waiting per request
    assert len(broker.batches) >= 2
