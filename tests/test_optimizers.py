"""The optimizer registry: matches torch, validates at the boundary, and every optimizer goes downhill."""
import inspect

import pytest
import torch

from core.optimizers import OPTIMIZERS, get_optimizer
from core.run import make_config, run

# One table drives the downhill test (as torch's optim_db does): a learning rate that suits Himmelblau.
DOWNHILL_LR = {"sgd": 1e-3, "adam": 5e-2, "adamw": 5e-2, "nadam": 5e-2, "radam": 1e-3, "adamax": 5e-2,
               "rmsprop": 1e-2, "adagrad": 0.5, "adadelta": 1.0, "rprop": 1e-2, "asgd": 1e-3, "lbfgs": 1.0}
STARTS = [(0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0), (-1.0, -1.0), (2.5, -3.0)]


def test_table_covers_the_registry():
    assert set(DOWNHILL_LR) == set(OPTIMIZERS)
    assert set(OPTIMIZERS) == {c.__name__.lower() for c in (
        torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.NAdam, torch.optim.RAdam,
        torch.optim.Adamax, torch.optim.RMSprop, torch.optim.Adagrad, torch.optim.Adadelta,
        torch.optim.Rprop, torch.optim.ASGD, torch.optim.LBFGS)}


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_registry_matches_torch(key):
    """Every hyperparameter is a real argument, its default torch's, and inside its own range."""
    spec = get_optimizer(key)
    params = inspect.signature(spec.cls.__init__).parameters
    opt = spec.build([torch.zeros(2, requires_grad=True)], {})
    for h in spec.hypers:
        assert h.name in params
        default = spec.defaults()[h.name]
        got = opt.defaults[h.name]
        assert (tuple(got) if h.kind == "pair" else got) == default
        assert h.check(default) == default


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_goes_downhill_on_himmelblau(key):
    """From several starts, 200 steps end lower than they began."""
    traj = run(make_config({"lr": DOWNHILL_LR[key]}, optimizer=key, starts=STARTS, steps=200))
    for i in range(len(STARTS)):
        assert traj.reason[i] != "diverged"
        assert traj.final(i)[1] < traj.losses[0, i]


def test_check_refuses_out_of_range_and_wrong_kinds():
    adam = get_optimizer("adam")
    with pytest.raises(ValueError, match=r"lr=20 is out of range \[1e-06, 10\]"):
        adam.resolve({"lr": 20})
    with pytest.raises(ValueError, match="betas takes two numbers"):
        adam.resolve({"betas": 0.9})
    with pytest.raises(ValueError, match="amsgrad must be true or false"):
        adam.resolve({"amsgrad": "yes"})
    with pytest.raises(ValueError, match="no hyperparameter 'momentum'"):
        adam.resolve({"momentum": 0.9})
    with pytest.raises(ValueError, match="must be a number"):
        adam.resolve({"eps": "x"})
    with pytest.raises(ValueError, match="out of range"):
        adam.resolve({"lr": float("nan")})


def test_parse_text_values():
    sgd, adam, lbfgs = get_optimizer("sgd"), get_optimizer("adam"), get_optimizer("lbfgs")
    assert sgd.hyper("nesterov").parse("true") is True
    assert adam.hyper("betas").parse("0.9,0.99") == (0.9, 0.99)
    assert lbfgs.hyper("line_search_fn").parse("none") is None
    assert lbfgs.hyper("line_search_fn").parse("strong_wolfe") == "strong_wolfe"
    assert lbfgs.hyper("max_iter").parse("5") == 5
    with pytest.raises(ValueError, match="whole number"):
        lbfgs.hyper("max_iter").parse("2.5")


def test_torch_refusal_becomes_a_plain_message():
    with pytest.raises(ValueError, match="SGD: Nesterov momentum requires"):
        get_optimizer("sgd").build([torch.zeros(2, requires_grad=True)], {"nesterov": True})


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer 'foo'; choose one of: sgd, adam"):
        get_optimizer("foo")
