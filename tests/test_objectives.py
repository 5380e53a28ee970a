"""Objectives: formulas against finite differences, every listed minimum is a minimum."""
import math

import pytest
import torch

from core.objectives import OBJECTIVES, get_objective

KEYS = list(OBJECTIVES)


def grad64(obj, point):
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    obj(p).backward()
    return p.grad


@pytest.mark.parametrize("key", KEYS)
def test_autograd_matches_finite_differences(key):
    """The torch formula's gradient equals a central finite difference at random points in the view."""
    obj = get_objective(key)
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        u = torch.rand(2, generator=gen, dtype=torch.float64)
        point = [lo + (hi - lo) * float(t) for (lo, hi), t in zip((obj.x_range, obj.y_range), u)]
        g = grad64(obj, point)
        h = 1e-6
        for i in range(2):
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            fd = (obj(torch.tensor(up, dtype=torch.float64)) - obj(torch.tensor(down, dtype=torch.float64))) / (2 * h)
            assert float(g[i]) == pytest.approx(float(fd), rel=1e-5, abs=1e-4)


@pytest.mark.parametrize("key", [k for k in KEYS if OBJECTIVES[k].minima])
def test_every_listed_minimum_is_a_minimum(key):
    """Near-zero gradient at each listed minimum, and f no lower on a small ring around it."""
    obj = get_objective(key)
    for m in obj.minima:
        g = grad64(obj, m)
        assert float(g.norm()) < 1e-3, (m, g)
        centre = float(obj(torch.tensor(m, dtype=torch.float64)))
        for a in range(16):
            t = 2 * math.pi * a / 16
            ring = torch.tensor([m[0] + 1e-2 * math.cos(t), m[1] + 1e-2 * math.sin(t)], dtype=torch.float64)
            assert float(obj(ring)) >= centre


def test_himmelblau_has_four_zero_minima():
    obj = get_objective("himmelblau")
    assert len(obj.minima) == 4
    values = obj(torch.tensor(obj.minima, dtype=torch.float64))
    assert values.abs().max() < 1e-9
    assert float(obj(torch.zeros(2))) == 170.0  # the source's f at (0, 0)


def test_batched_shape_and_unknown_name():
    assert get_objective("rosenbrock")(torch.zeros(5, 3, 2)).shape == (5, 3)
    with pytest.raises(ValueError, match="unknown objective 'nope'"):
        get_objective("nope")


def test_saddle_has_no_minimum():
    obj = get_objective("saddle")
    assert obj.minima == ()
    assert obj.nearest_minimum((1.0, 1.0)) == (None, math.inf)
