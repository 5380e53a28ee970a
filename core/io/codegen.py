"""'As code': a short standalone torch script, in the source tutorial's style, that reproduces a run exactly."""
from __future__ import annotations

import inspect

from core import expr, objectives
from core.errors import CoreError
from core.optimizers import get_optimizer
from core.run import Reason, RunConfig, Trajectory

HEADER = '''"""Descent Lab run, as a plain torch script: {what}."""
import math

import torch
from torch import Tensor

'''


def _objective_source(config: RunConfig) -> tuple[str, str]:
    """The function's definition (the same torch operations the app runs) and its name."""
    if config.objective == objectives.PERCEPTRON:
        raise CoreError("the perceptron's run has no script yet: its data set would have to be written out too")
    if config.objective == objectives.CUSTOM:
        # the formula passed core.expr's whitelist; its source is the very torch operations the app runs, with
        # each constant rounded to the run's dtype by the same helper, so the script's numbers are the app's
        lines = [inspect.getsource(expr.const), "", "def f(p: Tensor) -> Tensor:", "    x, y = p.unbind(-1)",
                 f"    return {expr.parse_formula(config.expr).source}"]
        return "\n".join(lines) + "\n", "f"
    fn = config.objective_spec.fn
    helpers = [inspect.getsource(objectives._xy), inspect.getsource(objectives._sq)]
    return "\n\n".join([*helpers, inspect.getsource(fn)]), fn.__name__


def _arguments(config: RunConfig) -> str:
    values = config.hyper_values
    return ", ".join(f"{k}={v!r}" for k, v in values.items())


def as_code(traj: Trajectory, row: int = 0, log_every: int | None = None) -> str:
    """A script that runs start `row` of the trajectory's config for as many steps as the app ran, and prints
    the end point and f there in the source's format."""
    config = traj.config
    spec = get_optimizer(config.optimizer)
    steps = int(traj.end[row])  # the app's end point: x after this many steps (the last finite one if diverged)
    every = log_every or max(1, steps // 10)
    source, name = _objective_source(config)
    start = list(config.starts[row])
    what = (f"{config.objective}, torch.optim.{spec.name}, {steps} steps from ({start[0]:g}, {start[1]:g})")
    body = [HEADER.format(what=what) + source, "",
            f"x = torch.tensor({start!r}, dtype=torch.{config.dtype}, requires_grad=True)",
            f"optimizer = torch.optim.{spec.name}([x], {_arguments(config)})", ""]
    if spec.closure:
        body += ["", "def closure():", "    optimizer.zero_grad()", f"    loss = {name}(x)", "    loss.backward()",
                 "    return loss", "", "",
                 f"for step in range({steps}):", "    pred = optimizer.step(closure)"]
    else:
        body += [f"for step in range({steps}):", f"    pred = {name}(x)", "    optimizer.zero_grad()",
                 "    pred.backward()", "    optimizer.step()"]
    body += [f"    if step % {every} == 0:",
             "        print('step{}:x={},f(x)={}'.format(step, x.tolist(), pred.item()))",
             f"print('end:x={{}},f(x)={{}}'.format(x.tolist(), {name}(x).item()))", ""]
    if traj.reason[row] == Reason.DIVERGED:
        body.insert(-1, "# one more step and the point leaves the picture (or f is not finite): the app stops here")
    return "\n".join(body)
