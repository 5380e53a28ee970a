"""The test functions: one registry, each function with its metadata (bounds, minima, LaTeX)."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import torch
from torch import Tensor

from core import limits
from core.errors import CoreError

if TYPE_CHECKING:
    from core.model.data import DataSpec

Point = tuple[float, float]


@dataclass(frozen=True)
class Objective:
    """A function of two variables over [..., 2] tensors, with what the app needs to show it."""

    key: str
    name: str
    fn: Callable[[Tensor], Tensor]
    x_range: Point
    y_range: Point
    minima: tuple[Point, ...]
    latex: str
    note: str = ""
    # a model's loss fed minibatches: a maker of fresh streams of per-step losses (None: fn at every step)
    batches: Callable[[], Iterator[Callable[[Tensor], Tensor]]] | None = None
    variables: tuple[str, str] = ("x", "y")  # the two variables' names on the axes (a model's: its weights)

    def __call__(self, p: Tensor) -> Tensor:
        return self.fn(p)

    @property
    def escape_radius(self) -> float:
        """A run whose |x| or |y| passes this has left the picture for good: it counts as diverged."""
        return 10.0 * max(abs(v) for v in (*self.x_range, *self.y_range))

    def minima_f(self) -> list[float]:
        """f at each known minimum (float64, no autograd)."""
        if not self.minima:
            return []
        with torch.no_grad():
            return self(torch.tensor(self.minima, dtype=torch.float64)).tolist()

    @property
    def f_star(self) -> float | None:
        """The lowest f over the known minima (None when there are none)."""
        return min(self.minima_f()) if self.minima else None

    def nearest_minimum(self, point: Point) -> tuple[Point | None, float]:
        """The known minimum closest to point, and the distance to it (None, inf if there is none)."""
        if not self.minima:
            return None, math.inf
        best = min(self.minima, key=lambda m: math.dist(m, point))
        return best, math.dist(best, point)


def _xy(p: Tensor) -> tuple[Tensor, Tensor]:
    x, y = p.unbind(-1)  # one autograd node, where p[..., 0] and p[..., 1] make two
    return x, y


def _sq(t: Tensor) -> Tensor:
    # t * t builds a smaller autograd graph than t ** 2 (one node, two multiplications back).
    return t * t


def himmelblau(p: Tensor) -> Tensor:
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all with f = 0."""
    x, y = _xy(p)
    return _sq(x * x + y - 11) + _sq(x + y * y - 7)


def rosenbrock(p: Tensor) -> Tensor:
    """(1 - x)^2 + 100 (y - x^2)^2: a long curved valley, minimum at (1, 1)."""
    x, y = _xy(p)
    return _sq(1 - x) + 100 * _sq(y - x * x)


def booth(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return _sq(x + 2 * y - 7) + _sq(2 * x + y - 5)


def beale(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return _sq(1.5 - x + x * y) + _sq(2.25 - x + x * y * y) + _sq(2.625 - x + x * y * y * y)


def rastrigin(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return 20 + x * x - 10 * torch.cos(2 * math.pi * x) + y * y - 10 * torch.cos(2 * math.pi * y)


def ackley(p: Tensor) -> Tensor:
    """Ackley's function as written in its LaTeX; at the origin, where sqrt has no derivative, the gradient is taken
    as zero (torch.where keeps the other branch's infinite slope out of it), so f(0, 0) = 0 exactly."""
    x, y = _xy(p)
    s = 0.5 * (x * x + y * y)
    positive = s > 0
    r = torch.where(positive, torch.sqrt(torch.where(positive, s, torch.ones_like(s))), torch.zeros_like(s))
    waves = 0.5 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))
    return -20 * torch.exp(-0.2 * r) - torch.exp(waves) + math.e + 20


def six_hump_camel(p: Tensor) -> Tensor:
    x, y = _xy(p)
    x2, y2 = x * x, y * y
    return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2


def saddle(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return x * x - y * y


OBJECTIVES: dict[str, Objective] = {
    o.key: o
    for o in (
        Objective(
            "himmelblau", "Himmelblau", himmelblau, (-6.0, 6.0), (-6.0, 6.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            r"f(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        ),
        Objective(
            "rosenbrock", "Rosenbrock (a=1, b=100)", rosenbrock, (-2.0, 2.0), (-1.0, 3.0),
            ((1.0, 1.0),), r"f(x,y) = (1 - x)^2 + 100\,(y - x^2)^2",
        ),
        Objective(
            "booth", "Booth", booth, (-10.0, 10.0), (-10.0, 10.0),
            ((1.0, 3.0),), r"f(x,y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        ),
        Objective(
            "beale", "Beale", beale, (-4.5, 4.5), (-4.5, 4.5),
            ((3.0, 0.5),),
            r"f(x,y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        ),
        Objective(
            "rastrigin", "Rastrigin", rastrigin, (-5.12, 5.12), (-5.12, 5.12),
            ((0.0, 0.0),),
            r"f(x,y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
            note="Only the global minimum is listed; a local minimum sits near every integer point.",
        ),
        Objective(
            "ackley", "Ackley", ackley, (-5.0, 5.0), (-5.0, 5.0),
            ((0.0, 0.0),),
            r"f(x,y) = -20 e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
        ),
        Objective(
            "camel", "Six-hump camel", six_hump_camel, (-3.0, 3.0), (-2.0, 2.0),
            ((0.089842, -0.712656), (-0.089842, 0.712656), (1.703607, -0.796084),
             (-1.703607, 0.796084), (1.607105, 0.568651), (-1.607105, -0.568651)),
            r"f(x,y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
            note="Two global minima (f = -1.0316) and four local ones.",
        ),
        Objective(
            "saddle", "Saddle x² − y²", saddle, (-2.0, 2.0), (-2.0, 2.0),
            (), r"f(x,y) = x^2 - y^2",
            note="No minimum: the gradient is zero at (0, 0), yet f falls along y there (a saddle point). A run that "
                 "starts on y = 0, or so near it that its gradient falls below the tolerance before y has grown, "
                 "stops at (0, 0) as 'converged': a zero gradient, not a minimum. Other runs slide off the edge "
                 "and, given enough steps, end as diverged.",
        ),
    )
}

DEFAULT_OBJECTIVE = "himmelblau"
CUSTOM = "custom"  # a user-typed formula: its text and view bounds travel with the key
PERCEPTRON = "perceptron"  # the tutorial's perceptron over a data set (core/model/): its data travel with the key
DEFAULT_BOUNDS = (-5.0, 5.0, -5.0, 5.0)


def get_objective(key: str, expr: str = "", bounds: tuple[float, ...] = (), data: DataSpec | None = None) -> Objective:
    """The objective called key (for 'custom', the formula expr over bounds; for 'perceptron', its loss over the
    data set), or a ValueError saying why not."""
    if key == CUSTOM:
        return _custom(expr, tuple(float(b) for b in (bounds or DEFAULT_BOUNDS)))
    if key == PERCEPTRON:
        from core.model.data import DataSpec
        from core.model.objective import perceptron_objective

        return perceptron_objective(data or DataSpec())
    try:
        return OBJECTIVES[key]
    except KeyError:
        raise CoreError("unknown objective {key}; choose one of: {known}", key=repr(key),
                        known=", ".join([*OBJECTIVES, CUSTOM, PERCEPTRON])) from None


@functools.lru_cache(maxsize=64)
def _custom(expr: str, bounds: tuple[float, ...]) -> Objective:
    from core.expr import parse  # here, not at the top: core.expr is only needed for typed formulas

    if len(bounds) != 4 or not all(math.isfinite(b) and abs(b) <= limits.BOUND_LIMIT for b in bounds):
        raise CoreError("view bounds are four finite numbers within ±{limit}: x from, x to, y from, y to",
                        limit=f"{limits.BOUND_LIMIT:g}")
    x0, x1, y0, y1 = bounds
    if not (x0 < x1 and y0 < y1):
        raise CoreError("each view bound's 'from' must be below its 'to'")
    f = parse(expr)

    def fn(p: Tensor) -> Tensor:
        x, y = _xy(p)
        return f(x, y)

    return Objective(CUSTOM, f"f(x, y) = {expr}", fn, (x0, x1), (y0, y1), (), latex="",
                     note="A typed formula: its minima are not known in advance.")
