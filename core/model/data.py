"""A seeded data set made by torch: two labelled clusters, and how a loss is fed from it (full batch or minibatches)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch

from core import limits
from core.errors import CoreError

CENTER = (3.0, 1.5)  # class 1 sits around +CENTER, class 0 around -CENTER (further inputs centred on 0)
LANES = 64  # a loss's points are padded to a multiple of this (core/model/objective.py says why)


@dataclass(frozen=True)
class DataSpec:
    """The data set (seed, size, spread, inputs) and its feed: minibatches of `batch` points (0: the full batch)
    drawn by a torch.Generator seeded with batch_seed. Frozen and hashable: it keys caches and run configs."""

    seed: int = 0
    size: int = 100
    spread: float = 3.0
    dim: int = 2  # inputs per point, the perceptron's n
    batch: int = 0
    batch_seed: int = 0

    def __post_init__(self) -> None:
        lo, hi = limits.DATA_SIZE
        seeds = {"low": "0", "high": f"{limits.PERCEPTRON_SEED:,}"}
        _check(_whole(self.size, lo, hi), CoreError(
            "the data set's size must be a whole number from {low} to {high}, not {value}", low=f"{lo:,}",
            high=f"{hi:,}", value=repr(self.size)))
        _check(_whole(self.seed, 0, limits.PERCEPTRON_SEED), CoreError(
            "the data set's seed must be a whole number from {low} to {high}, not {value}", **seeds,
            value=repr(self.seed)))
        _check(_whole(self.batch_seed, 0, limits.PERCEPTRON_SEED), CoreError(
            "the minibatches' seed must be a whole number from {low} to {high}, not {value}", **seeds,
            value=repr(self.batch_seed)))
        _check(_whole(self.dim, 2, limits.MAX_INPUTS), CoreError(
            "the inputs per point must be a whole number from {low} to {high}, not {value}", low="2",
            high=str(limits.MAX_INPUTS), value=repr(self.dim)))
        _check(_whole(self.batch, 0, self.size), CoreError(
            "the minibatch size must be a whole number from 0 (the full batch) to the data set's size {high}, not "
            "{value}", high=f"{self.size:,}" if isinstance(self.size, int) else "?", value=repr(self.batch)))
        low, high = limits.DATA_SPREAD
        _check(isinstance(self.spread, (int, float)) and low <= self.spread <= high, CoreError(
            "the spread must be a number from {low} to {high}, not {value}", low=f"{low:g}", high=f"{high:g}",
            value=repr(self.spread)))

    @property
    def points(self) -> int:
        """The points each step's loss evaluates per start, padding included: what a step costs grows with it."""
        return -(-(self.batch or self.size) // LANES) * LANES


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check(ok: bool, error: CoreError) -> None:
    if not ok:
        raise error


def make_data(spec: DataSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """x [size, dim] (float32, torch.randn around each class's centre) and labels y [size] (1, 0, 1, 0, ...)."""
    g = torch.Generator().manual_seed(spec.seed)
    y = (torch.arange(spec.size) % 2 == 0).to(torch.float32)
    center = torch.zeros(spec.dim)
    center[:2] = torch.tensor(CENTER)
    x = (2 * y - 1)[:, None] * center + spec.spread * torch.randn(spec.size, spec.dim, generator=g)
    return x, y


def minibatches(spec: DataSpec) -> Iterator[torch.Tensor]:
    """Indices of each step's minibatch, endlessly: every epoch a torch.randperm of the data from one generator
    seeded with batch_seed, cut into batches of `batch` points; a last partial batch is dropped."""
    g = torch.Generator().manual_seed(spec.batch_seed)
    per_epoch = spec.size // spec.batch
    while True:
        yield from torch.randperm(spec.size, generator=g)[: per_epoch * spec.batch].split(spec.batch)
