"""A page view's compute budget, and the gate a descent loop asks between steps whether it may go on.

A Budget is the seconds of compute one page view may use, shared by every run, map, sweep and replay it asks
for. A Gate stands between the loop's steps: `check()` says whether the budget is spent (the loop then stops with
the reason "time limit"), raises Cancelled when nobody waits for the result any more, and may block while other,
lighter work takes its turn (core/run/schedule.py). `Deadline` is the plain gate: the budget alone, no sharing.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

from core import limits
from core.errors import CoreError


class Cancelled(CoreError):
    """The work was dropped: every page view that asked for it has gone (a newer rerun, a closed browser)."""

    def __init__(self) -> None:
        super().__init__("the computation was cancelled: nobody waits for it any more")


class Budget:
    """Seconds of compute left to one page view; thread-safe, spent by whichever thread computes for it."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = limits.RUN_SECONDS if seconds is None else seconds
        self.spent = 0.0
        self._lock = threading.Lock()

    def spend(self, seconds: float) -> None:
        with self._lock:
            self.spent += seconds

    @property
    def left(self) -> float:
        return self.seconds - self.spent

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.seconds


class Gate(Protocol):
    """What a loop asks between steps."""

    def check(self) -> bool:
        """True when the budget is spent (stop with "time limit"); raises Cancelled; may wait for a turn."""
        ...


class Deadline:
    """The budget alone, counted from the first check: for the command line, tests and work outside a page."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._mark: float | None = None

    def check(self) -> bool:
        now = time.perf_counter()
        if self._mark is not None:
            self.budget.spend(now - self._mark)
        self._mark = now
        return self.budget.exhausted
