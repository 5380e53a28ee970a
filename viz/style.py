"""What every figure shares: colours, the page's words for texts inside figures, a run drawn as a Path."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core import limits
from core.run import Trajectory

SCALES = {"f": "f(x, y)", "log": "log(1 + f)"}
PATH_COLOR = "#e4572e"
COLORS = (PATH_COLOR, "#2e86ab", "#f6ae2d", "#7b2cbf", "#2a9d8f", "#d62828")
MIN_COLOR = "#17bebb"
DIVERGED_COLOR, IDLE_COLOR, ELSEWHERE_COLOR, CONVERGED_COLOR = "#d62828", "#bdbdbd", "#6c757d", "#2a9d8f"
BOUND_COLOR = "#1f5fa8"  # SGD's predicted stability bound on the sweep
CUT_COLOR = "#f1e3c2"  # a basin map's starts that the page's compute budget cut short
MARGIN = dict(l=0, r=0, t=30, b=0)
TITLED_MARGIN = {**MARGIN, "t": 40}  # room for a title above the plot
Words = Callable[[str], str]  # the page's translation of a text drawn inside a figure (English: unchanged)


def same(text: str) -> str:
    """English: the text itself."""
    return text


def hover_point(variables: tuple[str, str], decimals: int) -> str:
    """A hover label's point in the objective's variables: 'x=%{x:.3f}<br>y=%{y:.3f}' (a model's: w1, w2)."""
    a, b = variables
    return f"{a}=%{{x:.{decimals}f}}<br>{b}=%{{y:.{decimals}f}}"


@dataclass(frozen=True)
class Path:
    """Row `row` of a trajectory, drawn under `label` in `color`."""

    traj: Trajectory
    row: int = 0
    label: str = "path"
    color: str = PATH_COLOR

    @property
    def end(self) -> int:
        return int(self.traj.end[self.row])


def frame_steps(end: int, max_frames: int = limits.MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: 0, the last step, and evenly spaced ones between."""
    return np.unique(np.linspace(0, end, min(end + 1, max_frames)).round().astype(int))
