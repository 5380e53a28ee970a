"""Compiled f and gradient (core/run/compiled.py) against the eager loop, step by step and bit for bit: positions,
f, gradients, stop steps and reasons, for every objective it is used for, both dtypes, every optimizer of the
registry, one start and batched starts, parameter groups (learning rates, the broker's mixed settings).

Compiling costs time: each objective-dtype pair compiles once per test process (two graphs: one start, any
batch). The whole module took 24 s on the shared 2-core development machine with inductor's on-disk cache warm
(load average 3-5; 85-130 s in an earlier round at load average 9-10), 54 s with it cold
(TORCHINDUCTOR_CACHE_DIR set to an empty directory: 42 s of CPU, the first compile of the process 11 s of that).
"""
import threading

import numpy as np
import pytest
import torch

from core.objectives import OBJECTIVES
from core.optimizers import OPTIMIZERS
from core.run import compiled, make_config, run, run_endpoints
from core.run.broker import run_together
from core.run.loop import Runner
from tests.test_broker import SETTINGS

pytestmark = pytest.mark.skipif(compiled.compiler() is None, reason="no C++ compiler: everything runs eagerly")

STEPS = 60  # LBFGS: 6 (up to 20 evaluations a step)
LBFGS = ({}, {"line_search_fn": "strong_wolfe", "lr": 0.5})


@pytest.fixture(scope="module", autouse=True)
def compiled_only_here():
    """The compiled functions built here serve this module only: the rest of the suite tests the eager path."""
    yield
    compiled._ready.clear()
    compiled._screens.clear()


def configs(objective, optimizer, dtype):
    """One start, batched starts with one near a minimum (stops early), and a large lr (diverges on most)."""
    a, b = SETTINGS.get(optimizer, LBFGS)
    o = OBJECTIVES[objective]
    near = tuple(v + 0.01 for v in (o.minima[0] if o.minima else (0.0, 0.0)))
    steps = 6 if optimizer == "lbfgs" else STEPS
    common = {"objective": objective, "optimizer": optimizer, "dtype": dtype, "steps": steps, "tol": 1e-3}
    return [make_config(a, starts=[(0.5, -0.5)], **common),
            make_config(b, starts=[(1.0, -1.0), (-0.5, 0.7), near, (0.2, 0.3), (-1.0, -0.25)], **common),
            make_config({**a, "lr": 2.0}, starts=[(1.5, 1.5)], **common)]


def both(fn, *args):
    """fn(*args) with the compiled path on, then off."""
    compiled.enabled(True)
    try:
        on = fn(*args)
    finally:
        compiled.enabled(False)
    try:
        off = fn(*args)
    finally:
        compiled.enabled(True)
    return on, off


def assert_same(a, b, where):
    assert np.array_equal(a.end, b.end) and a.reason == b.reason, where
    for name in ("positions", "losses", "grads"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), (where, name)


@pytest.fixture(scope="module", params=[(o, d) for d in ("float32", "float64") for o in compiled.SAME_BITS],
                ids=lambda p: f"{p[0]}-{p[1]}")
def built(request):
    objective, dtype = request.param
    assert compiled.build(objective, dtype) is not None
    return objective, dtype


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_runs_the_same_bits_compiled(built, optimizer):
    objective, dtype = built
    for config in configs(objective, optimizer, dtype):
        spec = OPTIMIZERS[optimizer]
        assert Runner(config, spec, config.starts).compiled is not None  # the compiled path is the one tested
        on, off = both(run, config)
        assert_same(on, off, config)


def test_groups_run_the_same_bits_compiled(built):
    """Learning rates as parameter groups (sweeps, foreach) and the broker's batch of mixed settings."""
    objective, dtype = built
    config = configs(objective, "adam", dtype)[0]
    on, off = both(run_endpoints, config, (1e-3, 1e-2, 0.1, 2.0))
    assert np.array_equal(on.positions, off.positions, equal_nan=True) and on.reason == off.reason
    batch = [c for o in ("adam", "sgd") for c in configs(objective, o, dtype)]
    for a, b in zip(*both(run_together, batch)):
        assert_same(a, b, a.config)


def test_the_runs_above_stop_at_different_steps_for_every_reason():
    """The comparisons mean something: the cases end by convergence, divergence and the step limit."""
    assert compiled.build("himmelblau", "float32") is not None
    reasons, ends = set(), set()
    for config in configs("himmelblau", "sgd", "float32") + configs("himmelblau", "adam", "float32"):
        traj = run(config)
        reasons |= set(traj.reason)
        ends |= {int(e) for e in traj.end}
    assert reasons == {"converged", "diverged", "max_steps"} and len(ends) >= 3


def test_a_basin_grid_runs_the_same_bits_compiled():
    """A batch as a basin map makes it (hundreds of starts, end points only), its stop screen compiled too."""
    assert compiled.build("himmelblau", "float32") is not None
    assert compiled.build_screen(torch.float32) is not None
    g = torch.linspace(-5, 5, 23).tolist()
    config = make_config({"lr": 0.05}, starts=[(x, y) for x in g for y in g], steps=200, tol=1e-4)
    on, off = both(run_endpoints, config)
    assert np.array_equal(on.positions, off.positions) and np.array_equal(on.end, off.end)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("objective", ["rastrigin", "ackley"])
def test_eager_only_objectives_would_differ_compiled(objective, dtype):
    """Why rastrigin and ackley stay eager: compiled, their f or gradient differs from eager's in the last bit."""
    assert objective in compiled.EAGER_ONLY and compiled.build(objective, dtype) is None
    gradient = compiled.compile_gradient(OBJECTIVES[objective].fn, compiled.DTYPES[dtype])
    assert not compiled.same_as_eager(gradient, objective, compiled.DTYPES[dtype])
    assert compiled.lookup(objective, dtype) is None


def test_typed_formulas_run_eagerly():
    config = make_config({}, objective="custom", expr="x**2 + 3*y**2", bounds=(-2, 2, -2, 2), steps=5)
    assert Runner(config, OPTIMIZERS["adam"], config.starts).compiled is None


def test_a_run_before_its_function_is_ready_runs_eagerly_and_the_background_publishes_it(monkeypatch, capsys):
    """start_background returns at once; lookup never waits (None until ready); then the function is there."""
    monkeypatch.setattr(compiled, "_ready", {})
    monkeypatch.setattr(compiled, "_screens", {})
    monkeypatch.setattr(compiled, "_state", {"enabled": True, "started": False, "compiling": False})
    monkeypatch.setattr(compiled, "SAME_BITS", ("booth",))
    monkeypatch.delenv("DESCENT_COMPILE", raising=False)
    assert compiled.start_background()
    config = make_config({"lr": 0.05}, objective="booth", starts=[(0.0, 0.0)], steps=50)
    early = Runner(config, OPTIMIZERS["adam"], config.starts)
    worker = next(t for t in threading.enumerate() if t.name == "descent-compile")
    worker.join(timeout=300)
    assert early.compiled is None and compiled.lookup("booth", "float32") is not None
    assert all(compiled.lookup_screen(d) is not None for d in (torch.float32, torch.float64))  # the stop screen
    assert "compiled gradients ready for 2 objective-dtype pairs" in capsys.readouterr().err
    assert compiled.lookup("himmelblau", "float32") is None  # not in this background's list


def test_without_a_compiler_everything_runs_eagerly_and_the_log_says_so_once(monkeypatch, capsys):
    monkeypatch.setattr(compiled, "_ready", {})
    monkeypatch.setattr(compiled, "_state", {"enabled": True, "started": False, "compiling": False})
    monkeypatch.setattr(compiled, "compiler", lambda: None)
    monkeypatch.delenv("DESCENT_COMPILE", raising=False)
    assert not compiled.start_background() and not compiled.start_background()
    assert capsys.readouterr().err.count("no C++ compiler") == 1
    assert compiled.build("himmelblau", "float32") is None
    config = make_config({"lr": 0.05}, steps=30)
    assert Runner(config, OPTIMIZERS["adam"], config.starts).compiled is None
    assert run(config).reason == ("max_steps",)
