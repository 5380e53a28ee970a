"""Bigger models on the same data: the tutorial's perceptron with n inputs, or a small torch.nn MLP, their weights
as one flat vector, the loss at many weight vectors at once, and a training run by the optimizer registry."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap
from torch.nn import functional as F

from core import limits
from core.errors import CoreError
from core.model.data import DataSpec, make_data, minibatches
from core.optimizers import get_optimizer
from core.run.budget import Deadline, Gate
from core.run.config import Reason

KINDS = ("perceptron", "mlp")
CHUNK_ELEMENTS = 4_000_000  # hidden activations evaluated at once (16 MB in float32)


@dataclass(frozen=True)
class ModelSpec:
    """Which model: the perceptron o = sigmoid(x @ w.T) (no bias, as in the tutorial), or an MLP
    sigmoid(Linear(tanh(Linear(x)))) with `hidden` units; `seed` draws its first weights."""

    kind: str = "mlp"
    hidden: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CoreError("the model is one of {known}, not {value}", known=", ".join(KINDS), value=repr(self.kind))
        if not (isinstance(self.hidden, int) and not isinstance(self.hidden, bool)
                and 1 <= self.hidden <= limits.MAX_HIDDEN):
            raise CoreError("the hidden units must be a whole number from 1 to {high}, not {value}",
                            high=limits.MAX_HIDDEN, value=repr(self.hidden))
        if not (isinstance(self.seed, int) and not isinstance(self.seed, bool)
                and 0 <= self.seed <= limits.PERCEPTRON_SEED):
            raise CoreError("the model's seed must be a whole number from 0 to {high}, not {value}",
                            high=f"{limits.PERCEPTRON_SEED:,}", value=repr(self.seed))


def build(spec: ModelSpec, inputs: int) -> nn.Module:
    """The torch.nn module, its weights drawn as nn.Linear draws them (uniform within 1/sqrt(fan_in)) from a
    generator seeded with spec.seed (the global random state is left alone)."""
    if spec.kind == "perceptron":
        module: nn.Module = nn.Linear(inputs, 1, bias=False, device="meta")
    else:
        module = nn.Sequential(nn.Linear(inputs, spec.hidden, device="meta"), nn.Tanh(),
                               nn.Linear(spec.hidden, 1, device="meta"))
    module = module.to_empty(device="cpu")  # made on the meta device: no draws from the global generator
    g = torch.Generator().manual_seed(spec.seed)
    with torch.no_grad():
        for layer in (m for m in module.modules() if isinstance(m, nn.Linear)):
            bound = 1 / math.sqrt(layer.in_features)
            for p in layer.parameters():
                p.uniform_(-bound, bound, generator=g)
    return module


class Model:
    """A module over a data set: its weights as one flat vector [P] and the loss at any batch of such vectors."""

    def __init__(self, spec: ModelSpec, data: DataSpec) -> None:
        self.spec, self.data = spec, data
        self.module = build(spec, data.dim)
        self.x, self.y = make_data(data)
        self.names = [n for n, _ in self.module.named_parameters()]
        self.shapes = [p.shape for _, p in self.module.named_parameters()]
        self.sizes = [p.numel() for _, p in self.module.named_parameters()]
        self.initial = torch.cat([p.detach().reshape(-1) for p in self.module.parameters()])

    @property
    def size(self) -> int:
        return len(self.initial)

    def unflatten(self, flat: Tensor) -> dict[str, Tensor]:
        """The flat vector [P] as the module's named parameters."""
        return {n: t.reshape(s) for n, t, s in zip(self.names, flat.split(self.sizes), self.shapes)}

    def loss_of(self, flat: Tensor, idx: Tensor | None = None) -> Tensor:
        """The tutorial's F.mse_loss(target, sigmoid(model(x))) at one flat weight vector (on points idx)."""
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        o = torch.sigmoid(functional_call(self.module, self.unflatten(flat), (x.to(flat.dtype),)))
        return F.mse_loss(y.to(flat.dtype)[:, None], o)

    @property
    def width(self) -> int:
        """Hidden activations per data point (the perceptron: its one output)."""
        return 1 if self.spec.kind == "perceptron" else self.spec.hidden

    def losses(self, flats: Tensor, gate: Gate | None = None) -> Tensor:
        """The full data set's loss at each of flats [..., P] (no autograd), in chunks that bound the memory; gate
        is asked between chunks (Cancelled passes through; a spent budget is an error: nothing partial is drawn)."""
        rows = flats.reshape(-1, self.size)
        chunk = max(1, CHUNK_ELEMENTS // (len(self.y) * self.width))
        parts = []
        with torch.no_grad():
            for part in rows.split(chunk):
                if gate is not None and gate.check():
                    raise CoreError("the slice did not fit in this page's compute budget: take fewer grid points")
                parts.append(vmap(self.loss_of)(part))
        return torch.cat(parts).reshape(flats.shape[:-1])


def train_seconds(optimizer: str, hypers: dict, steps: int) -> float:
    """Seconds a training run of steps takes at worst (LBFGS: up to max_iter evaluations a step)."""
    spec = get_optimizer(optimizer)
    per_step = limits.MODEL_STEP_SECONDS * (1 if spec.elementwise else int(spec.resolve(hypers).get("max_iter", 20)))
    return steps * per_step


def most_train_steps(optimizer: str, hypers: dict) -> int:
    """The most training steps that fit limits.WORK_SECONDS (at least 1, at most limits.MODEL_STEPS)."""
    return max(1, min(limits.MODEL_STEPS, int(limits.WORK_SECONDS / train_seconds(optimizer, hypers, 1))))


def slice_seconds(model: Model, points: int) -> float:
    """Seconds a points x points slice of model takes at worst."""
    return points * points * len(model.y) * model.width * limits.SLICE_ACTIVATION_SECONDS


def most_slice_points(model: Model) -> int:
    """The most grid points a side that fit limits.WORK_SECONDS (at least 3, at most limits.SLICE_GRID)."""
    per_point = len(model.y) * model.width * limits.SLICE_ACTIVATION_SECONDS
    return max(3, min(limits.SLICE_GRID, int((limits.WORK_SECONDS / per_point) ** 0.5)))


@dataclass(frozen=True)
class Training:
    """A training run of a model: the flat weights after each step (row 0 the first weights), the full loss there,
    and the minibatch loss each step descended (equal to the full loss for the full batch)."""

    weights: np.ndarray  # [n + 1, P]
    losses: np.ndarray  # [n + 1]
    batch_losses: np.ndarray  # [n]
    reason: Reason  # max_steps, diverged (stopped where the loss stopped being finite) or time_limit
    seconds: float


def _closure(model: Model, w: Tensor, opt: torch.optim.Optimizer, idx: Tensor | None) -> Callable[[], Tensor]:
    """The loss on one step's points and its gradient into w.grad (LBFGS calls it several times a step)."""

    def closure() -> Tensor:
        opt.zero_grad()
        loss = model.loss_of(w, idx)
        loss.backward()
        return loss

    return closure


def train(model: Model, optimizer: str, hypers: dict, steps: int, gate: Gate | None = None) -> Training:
    """steps of the registry's optimizer on the model's flat weights: the minibatch loss drives it."""
    if not (isinstance(steps, int) and 1 <= steps <= limits.MODEL_STEPS):
        raise CoreError("steps must be a whole number from 1 to {most}, not {value}", most=f"{limits.MODEL_STEPS:,}",
                        value=repr(steps))
    spec = get_optimizer(optimizer)
    w = model.initial.clone().requires_grad_()
    opt = spec.build([w], spec.resolve(hypers))
    batches = minibatches(model.data) if model.data.batch else None
    gate, t0, reason = gate or Deadline(), time.perf_counter(), Reason.MAX_STEPS
    weights, batch_losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = opt.step(_closure(model, w, opt, next(batches) if batches else None))
        batch_losses.append(float(loss.detach()))
        if not torch.isfinite(w).all():
            reason = Reason.DIVERGED
            break
        weights.append(w.detach().clone())
        if gate.check():
            reason = Reason.TIME_LIMIT
            break
    stacked = torch.stack(weights)
    return Training(stacked.numpy(), model.losses(stacked).numpy(), np.array(batch_losses), reason,
                    time.perf_counter() - t0)
