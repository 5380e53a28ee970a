"""Slices of a model's loss landscape: L(w_c + a d1 + b d2) over an (a, b) grid, along filter-normalized random
directions (Li et al. 2018) or the first two principal directions of a training run's weights.

What a slice can show: the loss on one plane through w_c. What it cannot: the other P - 2 directions. A path
projected onto the plane is drawn at the plane's loss where it lands, which is not the loss the weights had
(`Slice.path_loss` against `Slice.plane_loss`); only a path that stays in the plane descends the drawn surface.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from core import limits
from core.curvature import Curvature, curvature
from core.errors import CoreError
from core.model.network import Model, Training
from core.run.budget import Gate

DIRECTIONS = ("random", "pca")


@dataclass(frozen=True)
class Slice:
    """loss[j, i] = L(center + a[i] d1 + b[j] d2); with a training run, its path projected onto the plane."""

    kind: str  # "random" or "pca"
    a: np.ndarray  # [m]
    b: np.ndarray  # [m]
    loss: np.ndarray  # [m, m], rows along b
    center: np.ndarray  # [P]
    d1: np.ndarray  # [P]
    d2: np.ndarray  # [P]
    explained: tuple[float, float] | None  # PCA: the share of the path's variance along d1 and d2
    path: np.ndarray | None  # [n + 1, 2]: each step's weights projected onto the plane, as (a, b)
    path_loss: np.ndarray | None  # [n + 1]: the loss at the weights themselves
    plane_loss: np.ndarray | None  # [n + 1]: the loss at their projections (where they sit on the drawn surface)


def filter_normalized(model: Model, center: Tensor, generator: torch.Generator) -> Tensor:
    """A random direction [P] (torch.randn) with each filter, a row of a weight matrix (one unit's incoming
    weights), scaled to the norm of the same row of center; biases get no direction (Li et al.'s 'ignore biasbn')."""
    parts = []
    for w in model.unflatten(center).values():
        d = torch.randn(w.shape, generator=generator, dtype=center.dtype)
        if w.dim() <= 1:
            d = torch.zeros_like(d)
        else:
            d = d * (w.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True).clamp_min(1e-30))
        parts.append(d.reshape(-1))
    return torch.cat(parts)


def principal_directions(weights: Tensor, center: Tensor) -> tuple[Tensor, Tensor, tuple[float, float]]:
    """The first two right singular vectors of the weights relative to center (unit length, d1 first) and the
    share of the squared distances along each."""
    _, s, vh = torch.linalg.svd(weights - center, full_matrices=False)
    if len(s) < 2 or s[1] <= 0:
        raise CoreError("the principal directions need a path that moves in two directions")
    total = float((s * s).sum())
    return vh[0], vh[1], (float(s[0] ** 2) / total, float(s[1] ** 2) / total)


def plane(model: Model, center: Tensor, d1: Tensor, d2: Tensor,
          gate: Gate | None = None) -> Callable[[Tensor], Tensor]:
    """(a, b) [..., 2] -> L(center + a d1 + b d2): the slice as a function of two variables (autograd flows)."""

    def fn(ab: Tensor) -> Tensor:
        a, b = ab.to(center.dtype).unbind(-1)
        flats = center + a[..., None] * d1 + b[..., None] * d2
        if flats.requires_grad:  # curvature: autograd through one point at a time
            return model.loss_of(flats) if flats.dim() == 1 else torch.stack([model.loss_of(f) for f in flats])
        return model.losses(flats, gate)

    return fn


def project(weights: Tensor, center: Tensor, d1: Tensor, d2: Tensor) -> Tensor:
    """Each row of weights as (a, b): the least-squares point of the plane (for orthonormal d1, d2: dot products)."""
    basis = torch.stack([d1, d2], 1)  # [P, 2]
    return torch.linalg.lstsq(basis, (weights - center).T).solution.T


def make_slice(model: Model, training: Training | None, kind: str = "random", span: float | None = None,
               points: int = 41, seed: int = 0, gate: Gate | None = None) -> Slice:
    """The slice through the run's last weights (or the model's first, without a run) along `kind` directions,
    a and b from -span to span on points x points; span None: 1 for random directions, for principal ones the
    projected path with a quarter to spare."""
    if kind not in DIRECTIONS:
        raise CoreError("the directions are random or pca, not {value}", value=repr(kind))
    if not (isinstance(points, int) and 3 <= points <= limits.SLICE_GRID):
        raise CoreError("a slice's grid has from 3 to {most} points a side, not {value}", most=limits.SLICE_GRID,
                        value=repr(points))
    if not (span is None or isinstance(span, (int, float)) and 0 < span <= limits.SLICE_SPAN):
        raise CoreError("a slice spans from above 0 to {most}, not {value}", most=f"{limits.SLICE_SPAN:g}",
                        value=repr(span))
    weights = None if training is None else torch.from_numpy(training.weights)
    center = model.initial if weights is None else weights[-1]
    explained = None
    if kind == "pca":
        if weights is None:
            raise CoreError("the principal directions need a training run")
        d1, d2, explained = principal_directions(weights, center)
    else:
        g = torch.Generator().manual_seed(seed)
        d1, d2 = filter_normalized(model, center, g), filter_normalized(model, center, g)
    fn = plane(model, center, d1, d2, gate)
    path = path_loss = plane_loss = None
    if weights is not None:
        path = project(weights, center, d1, d2)
        path_loss, plane_loss = training.losses, fn(path).numpy()
        path = path.numpy()
    if span is None:
        far = float(np.abs(path).max()) if kind == "pca" and path is not None else 0.0
        span = min(1.25 * far, limits.SLICE_SPAN) if far > 0 else 1.0
    axis = torch.linspace(-span, span, points, dtype=center.dtype)
    grid = torch.stack(torch.meshgrid(axis, axis, indexing="xy"), -1)  # [b, a, 2]
    return Slice(kind, axis.numpy(), axis.numpy(), fn(grid).numpy(), center.numpy(), d1.numpy(), d2.numpy(),
                 explained, path, path_loss, plane_loss)


def slice_curvature(model: Model, s: Slice, ab: tuple[float, float]) -> Curvature:
    """The 2 x 2 Hessian of the slice at (a, b) by double backward: [d1 d2]^T H [d1 d2] of the full Hessian H."""
    to = torch.float64
    fn = plane(model, torch.from_numpy(s.center).to(to), torch.from_numpy(s.d1).to(to), torch.from_numpy(s.d2).to(to))
    return curvature(fn, ab)
