"""/Slices' computation: a model's training run and the slice through its last weights as one job of the scheduler
on the page view's budget (ui/compute.py), cached across sessions, with progress counted at the gate's checks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from core.curvature import Curvature
from core.model.network import CHUNK_ELEMENTS, Model, Training, train
from core.model.slices import Slice, make_slice, slice_curvature
from core.run import Reason
from ui.compute import scheduled, settled
from ui.plans import SlicePlan


@dataclass(frozen=True)
class Sliced:
    """A slice page's numbers: the training run, the slice through its last weights and the slice's 2 x 2 Hessian
    at (0, 0), w_c."""

    training: Training
    slice: Slice
    curvature: Curvature

    @property
    def reason(self) -> tuple[Reason, ...]:
        """Why the training stopped (settled reads a cut short by the budget from it)."""
        return (self.training.reason,)


class Counted:
    """A gate that reports each check as progress, out of `total` (training steps, then the slice's chunks)."""

    def __init__(self, gate: Any, progress: Callable[[int, int], None], total: int) -> None:
        self.gate, self.progress, self.total, self.done = gate, progress, total, 0

    def check(self) -> bool:
        self.done += 1
        self.progress(min(self.done, self.total), self.total)
        return self.gate.check()


def _slice(plan: SlicePlan, progress: Any, gate: Any) -> Sliced:
    model = Model(plan.model, plan.data)
    chunks = -(-plan.points ** 2 // max(1, CHUNK_ELEMENTS // (plan.data.size * model.width)))
    counted = Counted(gate, progress, plan.steps + chunks + 1)
    training = train(model, plan.optimizer, dict(plan.hypers), plan.steps, counted)
    s = make_slice(model, training, plan.kind, plan.span, plan.points, plan.seed, counted)
    return Sliced(training, s, slice_curvature(model, s, (0.0, 0.0)))


@st.cache_data(max_entries=16, show_spinner=False)
def _sliced(plan: SlicePlan) -> Sliced:
    return scheduled("slice", _slice, plan)


def cached_slice(plan: SlicePlan) -> Sliced:
    """/Slices: the plan's training run and slice (ui/plans.SlicePlan), computed once within the page's budget."""
    return settled(_sliced, plan)
