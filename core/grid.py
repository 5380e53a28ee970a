"""f and its gradient on grids over an objective's view: what the surface, the contour and the arrows draw."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import limits
from core.objectives import Objective


@dataclass(frozen=True)
class Surface:
    """f on a grid over the objective's view, and the shift that keeps log(1 + f - shift) defined."""

    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray  # [len(ys), len(xs)]
    shift: float  # min(0, min f on the grid)

    def height(self, f: np.ndarray | float, scale: str) -> np.ndarray:
        """What the charts plot for f: f itself, or log(1 + f) (shifted when f can go below zero)."""
        f = np.asarray(f, dtype=np.float64)
        return np.log1p(np.maximum(f - self.shift, 0.0)) if scale == "log" else f


def surface(objective: Objective, n: int = limits.SURFACE_GRID) -> Surface:
    """f on an n x n grid over the objective's view bounds (float64, no autograd)."""
    xs = np.linspace(*objective.x_range, n)
    ys = np.linspace(*objective.y_range, n)
    grid = torch.stack(torch.meshgrid(torch.from_numpy(xs), torch.from_numpy(ys), indexing="xy"), -1)
    with torch.no_grad():
        f = objective(grid).numpy()
    # a typed formula may be undefined in places (log of a negative) or beyond what float32 figures can hold
    f = np.where(np.isfinite(f) & (np.abs(f) <= np.finfo(np.float32).max), f, np.nan)
    low = float(np.nanmin(f)) if np.isfinite(f).any() else 0.0
    return Surface(xs, ys, f, min(0.0, low))


def gradient_field(objective: Objective, n: int = 15) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The negative gradient on an n x n grid, by autograd: (points [m, 2], unit directions [m, 2], |grad| [m])."""
    xs = np.linspace(*objective.x_range, n + 2)[1:-1]
    ys = np.linspace(*objective.y_range, n + 2)[1:-1]
    pts = torch.tensor(np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2), requires_grad=True)
    (g,) = torch.autograd.grad(objective(pts).sum(), pts)
    g = -g.numpy()
    norm = np.linalg.norm(g, axis=1)
    ok = np.isfinite(norm) & (norm > 0)
    return pts.detach().numpy()[ok], g[ok] / norm[ok, None], norm[ok]
