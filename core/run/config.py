"""What decides a run: a frozen, hashable config (it keys caches and links), checked when it is made."""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

import torch

from core import limits
from core.errors import CoreError
from core.model.data import DataSpec
from core.objectives import DEFAULT_OBJECTIVE, PERCEPTRON, Objective, Point, get_objective
from core.optimizers import DEFAULT_OPTIMIZER, get_optimizer

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class Reason(StrEnum):
    """Why a start stopped. A StrEnum: equal to its value, so it travels in JSON, CSV and caches as text."""

    MAX_STEPS = "max_steps"
    CONVERGED = "converged"
    DIVERGED = "diverged"  # left the picture or f stopped being finite: drawn up to the step before
    TIME_LIMIT = "time_limit"  # the run used up limits.RUN_SECONDS

    @property
    def words(self) -> str:
        """The reason as the interface's catalogue names it ('max steps')."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run; hashable, so it keys caches and links."""

    objective: str = DEFAULT_OBJECTIVE
    optimizer: str = DEFAULT_OPTIMIZER
    hypers: tuple[tuple[str, Any], ...] = ()  # (name, value) pairs over the optimizer's defaults
    starts: tuple[Point, ...] = ((0.0, 0.0),)
    steps: int = 1000
    dtype: str = "float32"
    # converged when |grad| and the last move are both <= tol; None: never stop early. 1e-4, not smaller:
    # float32 near a minimum resolves the gradient only to about 1e-5 (ulp of x times the curvature).
    tol: float | None = 1e-4
    expr: str = ""  # the formula when objective is 'custom'
    bounds: tuple[float, ...] = ()  # its view: x from, x to, y from, y to
    data: DataSpec | None = None  # the data set and minibatches when objective is 'perceptron' (None: defaults)

    def __post_init__(self) -> None:
        if self.data is not None and self.objective != PERCEPTRON:
            raise CoreError("a data set goes with the perceptron's objective, not with {key}", key=repr(self.objective))
        get_objective(self.objective, self.expr, self.bounds, self.data)  # an unknown name or a bad formula
        get_optimizer(self.optimizer).check_settings(dict(self.hypers))  # ranges, and torch's own checks
        if self.dtype not in DTYPES:
            raise CoreError("dtype must be float32 or float64, not {value}", value=repr(self.dtype))
        if not (isinstance(self.steps, int) and 1 <= self.steps <= limits.MAX_STEPS):
            raise CoreError("steps must be a whole number from 1 to {most}, not {value}", most=f"{limits.MAX_STEPS:,}",
                            value=repr(self.steps))
        _check_starts(self.starts)
        if self.objective == PERCEPTRON:
            _check_model_size(len(self.starts), self.data or DataSpec())
        if self.tol is not None and not (math.isfinite(self.tol) and 0 <= self.tol <= 1):
            raise CoreError("tol must be between 0 and 1 (or off), not {value}", value=repr(self.tol))

    @property
    def objective_spec(self) -> Objective:
        return get_objective(self.objective, self.expr, self.bounds, self.data)

    @property
    def hyper_values(self) -> dict[str, Any]:
        """Every hyperparameter of the optimizer, defaults filled in."""
        return get_optimizer(self.optimizer).resolve(dict(self.hypers))


def _check_starts(starts: tuple[Point, ...]) -> None:
    if not 1 <= len(starts) <= limits.MAX_STARTS:
        raise CoreError("give from 1 to {most} start points, not {count}", most=f"{limits.MAX_STARTS:,}",
                        count=f"{len(starts):,}")
    for s in starts:
        if len(s) != 2 or not all(isinstance(v, (int, float)) and abs(v) <= limits.START_LIMIT for v in s):
            raise CoreError("a start point is two numbers within ±{limit}, not {value}",
                            limit=f"{limits.START_LIMIT:g}", value=repr(s))


def _check_model_size(starts: int, data: DataSpec) -> None:
    if starts * data.points > limits.MODEL_ELEMENTS:
        raise CoreError("{starts} start points x {points} data points a step is more than the {most} one step may "
                        "evaluate", starts=f"{starts:,}", points=f"{data.points:,}", most=f"{limits.MODEL_ELEMENTS:,}")


def make_config(hypers: Mapping[str, Any] | None = None, **fields: Any) -> RunConfig:
    """A RunConfig from a plain dict of hyperparameters (sorted, so equal settings give equal configs)."""
    pairs = tuple(sorted((hypers or {}).items()))
    if "starts" in fields:
        fields["starts"] = tuple((float(x), float(y)) for x, y in fields["starts"])
    return RunConfig(hypers=pairs, **fields)
