"""Step inspector: x_k, f, the gradient and the optimizer's state read from torch at step k, and the update
rule written out by hand with those numbers, giving x_{k+1} independently of torch's step() to compare.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from core import limits
from core.errors import CoreError
from core.optimizers import OPTIMIZERS, get_optimizer
from core.run import RunConfig, Runner
from core.run.budget import Deadline, Gate

Vec = np.ndarray


@dataclass
class Step:
    """What step k did to one start point."""

    k: int
    x: Vec  # x_k
    f: float
    grad: Vec  # from autograd
    before: dict[str, Any]  # optimizer state entering step k (empty before the first step)
    after: dict[str, Any]  # and leaving it
    x_next: Vec  # torch's step()
    x_formula: Vec | None  # the update rule by hand (None where there is no closed form: LBFGS)
    lines: list[str] = field(default_factory=list)  # LaTeX, numbers filled in

    @property
    def diff(self) -> float | None:
        return None if self.x_formula is None else float(np.abs(self.x_next - self.x_formula).max())


def _state(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """The optimizer's per-parameter state as numpy (row 0) or plain numbers."""
    (param_state,) = optimizer.state.values() if optimizer.state else ({},)
    out = {}
    for name, v in param_state.items():
        if isinstance(v, torch.Tensor):
            out[name] = v.item() if v.numel() == 1 else v.detach().double().numpy().reshape(-1, 2)[0].copy()
        else:
            out[name] = v
    return out


def inspect_step(config: RunConfig, k: int, row: int = 0, gate: Gate | None = None) -> Step:
    """Replay start `row` of config up to step k (the same numbers as the run), then take step k by hand too.

    The replay is a run: it draws on the page's budget through gate (its own limits.RUN_SECONDS by default)."""
    if not 0 <= k < config.steps:
        raise CoreError("step must be from 0 to {last}, not {k}", last=config.steps - 1, k=k)
    single = dataclasses.replace(config, starts=(config.starts[row],))
    spec = get_optimizer(config.optimizer)
    runner = Runner(single, spec, single.starts)
    gate = gate or Deadline()
    for done in range(k):
        runner.step()
        if gate.check():
            raise CoreError("the page's {seconds} s of compute ran out while replaying up to step {k} (stopped at "
                            "step {done}): inspect an earlier step", k=k, seconds=f"{limits.RUN_SECONDS:g}",
                            done=done + 1)
    before = _state(runner.optimizer)
    x = runner.x().detach().double().numpy()[0].copy()
    f, g = runner.step()
    after = _state(runner.optimizer)
    x_next = runner.x().detach().double().numpy()[0].copy()
    grad = g.double().numpy()[0].copy()
    rule = spec.rule
    hyper = config.hyper_values
    x_formula, lines = rule(x, grad, hyper, before, k + 1) if rule else (None, [])
    return Step(k, x, float(f[0]), grad, before, after, x_next, x_formula, lines)


# derived from the registry, where each optimizer carries its rule: not a second list
RULES = {key: spec.rule for key, spec in OPTIMIZERS.items() if spec.rule is not None}
