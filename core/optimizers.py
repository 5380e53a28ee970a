"""One registry over the real torch.optim classes: each hyperparameter with its default and range.

Defaults are read from the torch class's own signature, so the registry cannot drift from torch.
The UI, the command line and the tests all read this table; there is no second list.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Mapping

import torch

from core import update_rules as rules
from core.errors import CoreError
from core.numbers import parse_number
from core.update_rules import Rule

Value = float | int | bool | str | None | tuple[float, float]


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: kind is float, int, bool, pair (two floats) or choice."""

    name: str
    kind: str = "float"
    low: float | tuple[float, float] = 0.0
    high: float | tuple[float, float] = 1.0
    log: bool = False
    choices: tuple[str | None, ...] = ()
    help: str = ""

    def bounds(self, i: int = 0) -> tuple[float, float]:
        """(low, high) for a number, or for entry i of a pair."""
        low = self.low[i] if isinstance(self.low, tuple) else self.low
        high = self.high[i] if isinstance(self.high, tuple) else self.high
        return float(low), float(high)

    def check(self, value: Any) -> Value:
        """The value in canonical form, or a ValueError saying what is wrong with it."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise CoreError("{name} must be true or false, not {value}", name=self.name, value=repr(value))
        if self.kind == "choice":
            if value in self.choices:
                return value
            raise CoreError("{name} must be one of {choices}", name=self.name,
                            choices=", ".join(map(_show, self.choices)))
        if self.kind == "pair":
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise CoreError("{name} takes two numbers, such as {example}", name=self.name,
                                example=_show(self.default_hint()))
            return tuple(self._number(v, i) for i, v in enumerate(value))  # type: ignore[return-value]
        number = self._number(value, 0)
        return int(number) if self.kind == "int" else number

    def _number(self, value: Any, i: int) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CoreError("{name} must be a number, not {value}", name=self.name, value=repr(value))
        low, high = self.bounds(i)
        if not (math.isfinite(value) and low <= value <= high):
            raise CoreError("{name}={value} is out of range [{low}, {high}]", name=self.name, value=f"{value:g}",
                            low=f"{low:g}", high=f"{high:g}")
        if self.kind == "int" and value != int(value):
            raise CoreError("{name} must be a whole number, not {value}", name=self.name, value=repr(value))
        return float(value)

    def parse(self, text: str) -> Value:
        """The value written as text (command line, URL): 1e-3, true, 0.9,0.999, none."""
        t = text.strip().lower()
        if self.kind == "bool":
            if t in ("true", "1", "yes", "on"):
                return self.check(True)
            if t in ("false", "0", "no", "off"):
                return self.check(False)
            raise CoreError("{name} must be true or false, not {value}", name=self.name, value=repr(text))
        if self.kind == "choice":
            value = None if t in ("none", "") else t
            return self.check(value)
        if self.kind == "pair":
            parts = t.split(",")
            if len(parts) != 2:
                raise CoreError("{name} takes two numbers separated by a comma, not {value}", name=self.name,
                                value=repr(text))
            return self.check(tuple(_to_float(self.name, p) for p in parts))
        return self.check(_to_float(self.name, t))

    def default_hint(self) -> tuple[float, float]:
        return self.bounds(0)[0], self.bounds(1)[1]


def _to_float(name: str, text: str) -> float:
    return parse_number(text, name)


def _show(v: Any) -> str:
    return "none" if v is None else str(v)


@dataclass(frozen=True)
class OptimizerSpec:
    """A torch.optim class with the hyperparameters the app lets a person set."""

    key: str
    cls: type[torch.optim.Optimizer]
    hypers: tuple[Hyper, ...]
    elementwise: bool = True  # True: each parameter entry is updated on its own, so rows can be batched
    closure: bool = False  # step() needs a closure that re-evaluates the loss
    rule: Rule | None = None  # the update written out by hand (core/update_rules.py); None: no closed form

    @property
    def name(self) -> str:
        return self.cls.__name__

    def hyper(self, name: str) -> Hyper:
        for h in self.hypers:
            if h.name == name:
                return h
        known = ", ".join(h.name for h in self.hypers)
        raise CoreError("{name} has no hyperparameter {hyper}; it has: {known}", name=self.name, hyper=repr(name),
                        known=known)

    def defaults(self) -> dict[str, Value]:
        """Every hyperparameter's default, read from the torch class's signature."""
        params = inspect.signature(self.cls.__init__).parameters
        return {h.name: _canonical(h, params[h.name].default) for h in self.hypers}

    def resolve(self, values: Mapping[str, Any]) -> dict[str, Value]:
        """Defaults overlaid with values, each checked; a ValueError names the first bad one."""
        out = self.defaults()
        for name, value in values.items():
            out[name] = self.hyper(name).check(value)
        return out

    def check_settings(self, values: Mapping[str, Any]) -> None:
        """Each value in its range, and torch's own checks (Nesterov needs momentum), which live in the class's
        constructor: so it is built once, over a throwaway parameter, when a config is made, not mid-run."""
        self.build([torch.zeros(2, requires_grad=True)], values)

    def build(self, params: list, values: Mapping[str, Any],
              extra: Mapping[str, Any] | None = None) -> torch.optim.Optimizer:
        """The torch optimizer over params (tensors or groups); torch's refusals come back as a plain ValueError."""
        try:
            return self.cls(params, **self.resolve(values), **(extra or {}))
        except ValueError as err:
            raise CoreError("{name}: {error}", name=self.name, error=str(err)) from None


def _canonical(h: Hyper, default: Any) -> Value:
    if h.kind == "pair":
        return (float(default[0]), float(default[1]))
    if h.kind in ("float",):
        return float(default)
    return default


LR = Hyper("lr", low=1e-6, high=10.0, log=True, help="learning rate")
WEIGHT_DECAY = Hyper("weight_decay", low=0.0, high=1.0, help="L2 penalty: λx is added to the gradient")
DECOUPLED_DECAY = Hyper("weight_decay", low=0.0, high=1.0,
                        help="decoupled weight decay: x ← x (1 − lr·λ) before each step, apart from the gradient")
EPS = Hyper("eps", low=1e-12, high=1.0, log=True, help="added to the square root in the denominator, against division "
            "by zero")
BETAS = Hyper("betas", "pair", low=(0.0, 0.0), high=(0.9999, 0.99999),
              help="decay rates of the first and second moment averages")
AMSGRAD = Hyper("amsgrad", "bool", help="AMSGrad: divide by the largest v_t so far instead of the current v_t")
MOMENTUM = Hyper("momentum", low=0.0, high=0.999, help="momentum factor μ")
_ADAM_LIKE = (LR, BETAS, EPS, WEIGHT_DECAY)

OPTIMIZERS: dict[str, OptimizerSpec] = {
    s.key: s
    for s in (
        OptimizerSpec("sgd", torch.optim.SGD, (
            LR, MOMENTUM, Hyper("dampening", help="dampening τ: b_t = μ b_{t−1} + (1 − τ) g"), WEIGHT_DECAY,
            Hyper("nesterov", "bool", help="Nesterov momentum (needs momentum > 0 and dampening 0)")), rule=rules.sgd),
        OptimizerSpec("adam", torch.optim.Adam, (*_ADAM_LIKE, AMSGRAD), rule=rules.adam(decoupled=False)),
        OptimizerSpec("adamw", torch.optim.AdamW, (LR, BETAS, EPS, DECOUPLED_DECAY, AMSGRAD),
                      rule=rules.adam(decoupled=True)),
        OptimizerSpec("nadam", torch.optim.NAdam, (
            *_ADAM_LIKE, Hyper("momentum_decay", low=0.0, high=0.1, help="momentum decay ψ")), rule=rules.nadam),
        OptimizerSpec("radam", torch.optim.RAdam, _ADAM_LIKE, rule=rules.radam),
        OptimizerSpec("adamax", torch.optim.Adamax, (
            LR, Hyper("betas", "pair", low=(0.0, 0.0), high=(0.9999, 0.99999),
                      help="β1: decay of the gradient's average; β2: decay of u_t, the running maximum of |g|"),
            Hyper("eps", low=1e-12, high=1.0, log=True, help="added to |g| in the running maximum u_t"),
            WEIGHT_DECAY), rule=rules.adamax),
        OptimizerSpec("rmsprop", torch.optim.RMSprop, (
            LR, Hyper("alpha", low=0.0, high=0.9999, help="smoothing constant"), EPS, WEIGHT_DECAY,
            MOMENTUM, Hyper("centered", "bool", help="centered: divide by √(v − ḡ²), the gradient's estimated "
                                                     "variance, instead of √v")), rule=rules.rmsprop),
        OptimizerSpec("adagrad", torch.optim.Adagrad, (
            LR, Hyper("lr_decay", low=0.0, high=1.0, help="learning rate decay: step t uses lr / (1 + (t − 1) · "
                                                          "lr_decay)"),
            WEIGHT_DECAY,
            Hyper("initial_accumulator_value", low=0.0, high=10.0, help="starting sum of squares"), EPS),
            rule=rules.adagrad),
        OptimizerSpec("adadelta", torch.optim.Adadelta, (
            Hyper("lr", low=1e-6, high=10.0, log=True, help="scales Δx; 1.0 is Adadelta as published"),
            Hyper("rho", help="decay rate of the running averages"),
            Hyper("eps", low=1e-12, high=1.0, log=True,
                  help="inside both square roots, √(u + ε) / √(v + ε): it also sets the size of the first steps"),
            WEIGHT_DECAY), rule=rules.adadelta),
        OptimizerSpec("rprop", torch.optim.Rprop, (
            Hyper("lr", low=1e-6, high=10.0, log=True, help="each coordinate's first step size; the etas then "
                                                            "grow or shrink it"),
            Hyper("etas", "pair", low=(0.0, 1.0), high=(1.0, 10.0),
                  help="step-size factors (decrease, increase)"),
            Hyper("step_sizes", "pair", low=(0.0, 1e-3), high=(1.0, 1000.0),
                  help="smallest and largest step size")), rule=rules.rprop),
        OptimizerSpec("asgd", torch.optim.ASGD, (
            Hyper("lr", low=1e-6, high=10.0, log=True, help="the first step's η; η_t = lr / (1 + λ·lr·(t − 1))^α"),
            Hyper("lambd", low=0.0, high=1.0, help="decay term λ: x shrinks by (1 − λη) each step and η decays"),
            Hyper("alpha", low=0.0, high=10.0, help="power α in the decay of η"),
            Hyper("t0", low=0.0, high=1e9, help="step at which averaging starts (of the average ax only: x's path "
                                                "is the same)"), WEIGHT_DECAY), rule=rules.asgd),
        OptimizerSpec("lbfgs", torch.optim.LBFGS, (
            Hyper("lr", low=1e-6, high=10.0, log=True, help="the factor t of each move x ← x + t·d along the "
                                                            "L-BFGS direction d; with strong_wolfe, the first t tried"),
            Hyper("max_iter", "int", low=1, high=100, help="iterations per step"),
            Hyper("history_size", "int", low=1, high=100, help="update history kept"),
            Hyper("line_search_fn", "choice", choices=(None, "strong_wolfe"),
                  help="line search: none moves by t = lr each time; strong_wolfe searches for each t"),
            Hyper("tolerance_grad", low=0.0, high=1.0,
                  help="stop a step's iterations when every |gradient entry| is at most this"),
            Hyper("tolerance_change", low=0.0, high=1.0,
                  help="stop a step's iterations when f or x changes by less than this")),
            elementwise=False, closure=True),
    )
}

DEFAULT_OPTIMIZER = "adam"


def get_optimizer(key: str) -> OptimizerSpec:
    """The optimizer called key (lower-case torch.optim class name), or a ValueError listing them."""
    try:
        return OPTIMIZERS[key.lower()]
    except KeyError:
        raise CoreError("unknown optimizer {key}; choose one of: {known}", key=repr(key),
                        known=", ".join(OPTIMIZERS)) from None
