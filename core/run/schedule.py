"""One computation at a time per process, in turns: light work never waits long behind heavy work.

A descent is a Python loop of tiny torch calls that holds the GIL between them: two loops at once crawl, so the
server computes one job at a time. First come, first served let one student's 200 s basin map stall a class; here
the job holding the turn gives it up between two steps (Job.check) once it has held it for QUANTUM seconds and a
waiting job is preferred: the one that has had the least compute so far (least attained service: a new click's
run has had none, so it goes before a basin map under way, without anyone having to guess how long either will
take), unless some job has waited PATIENCE seconds, which then goes first (the longest waiting). So a click's
0.3 s run waits about one quantum behind a basin map, and a heavy job still gets a turn at least every PATIENCE
seconds however busy the class is. Each job charges the time it holds the turn to its page view's Budget (waiting
is free), and leaves the queue with Cancelled as soon as nobody waits for its result.
"""
from __future__ import annotations

import itertools
import threading
import time
from typing import Callable

from core.run.budget import Budget, Cancelled

QUANTUM = 0.05  # seconds a job holds the turn before it looks whether a waiting job should go first
GRACE = 0.25  # seconds of compute a job has before anyone may take the turn from it: light jobs run first come,
# first served to their end (sharing the turn among equals would make them all finish late)
PATIENCE = 1.0  # seconds after which a waiting job goes first whatever its size
POLL = 0.05  # seconds between a waiting job's looks at whether it was cancelled


class Job:
    """One piece of work's place in the scheduler: a Gate for the loop (check), entered with `with`."""

    def __init__(self, scheduler: Scheduler, budget: Budget, cancelled: Callable[[], bool] | None,
                 label: str = "") -> None:
        self.scheduler, self.budget, self.label = scheduler, budget, label
        self.served = 0.0  # seconds it has held the turn
        self.cancelled = cancelled or (lambda: False)
        self.order = next(scheduler._counter)
        self.since = time.perf_counter()  # waiting since / holding since

    def __enter__(self) -> Job:
        self.scheduler._acquire(self)
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self.scheduler._release(self)
        if self.scheduler.log is not None:
            outcome = "finished" if kind is None else "cancelled" if kind is Cancelled else "failed"
            self.scheduler.log(outcome, self.label)

    def check(self) -> bool:
        """Between two steps: True once the budget is spent; raises Cancelled; may hand the turn over and wait."""
        now = time.perf_counter()
        self.budget.spend(now - self.since)
        self.served += now - self.since
        self.since = now
        if self.cancelled():
            raise Cancelled()
        if self.budget.exhausted:
            return True
        self.scheduler._maybe_yield(self)
        return False


class Scheduler:
    """Hands the one turn to waiting jobs; thread-safe. started counts the jobs that got a first turn; log, if set,
    is told what happens to each job by its label: "started", then "finished", "cancelled" or "failed"."""

    def __init__(self, quantum: float = QUANTUM, patience: float = PATIENCE, grace: float = GRACE) -> None:
        self.quantum, self.patience, self.grace = quantum, patience, grace
        self.started = 0
        self.log: Callable[[str, str], None] | None = None
        self._cond = threading.Condition()
        self._holder: Job | None = None
        self._slice = 0.0  # when the holder's turn began
        self._waiting: list[Job] = []
        self._counter = itertools.count()

    def job(self, budget: Budget | None = None, cancelled: Callable[[], bool] | None = None, label: str = "") -> Job:
        """A job charged to budget (its own limits.RUN_SECONDS by default), dropped once cancelled() is true."""
        return Job(self, budget or Budget(), cancelled, label)

    def _next(self, now: float) -> Job | None:
        """The waiting job to go next: the longest waiting past PATIENCE, else the least served (then the oldest)."""
        if not self._waiting:
            return None
        starving = [j for j in self._waiting if now - j.since >= self.patience]
        if starving:
            return min(starving, key=lambda j: j.since)
        return min(self._waiting, key=lambda j: (j.served, j.order))

    def _acquire(self, job: Job, first: bool = True) -> None:
        with self._cond:
            job.since = time.perf_counter()
            self._waiting.append(job)
            try:
                while self._holder is not None or self._next(time.perf_counter()) is not job:
                    self._cond.wait(POLL)
                    if job.cancelled():
                        raise Cancelled()
            finally:
                self._waiting.remove(job)
                self._cond.notify_all()
            self._holder, self._slice = job, time.perf_counter()
            job.since = self._slice
            self.started += first
            if first and self.log is not None:
                self.log("started", job.label)

    def _release(self, job: Job) -> None:
        with self._cond:
            if self._holder is job:  # not when it left the queue cancelled
                job.budget.spend(time.perf_counter() - job.since)
                job.served += time.perf_counter() - job.since
                self._holder = None
            self._cond.notify_all()

    def _maybe_yield(self, job: Job) -> None:
        """Give the turn to a waiting job that should go first, then wait for the next turn."""
        now = time.perf_counter()
        if now - self._slice < self.quantum or not self._waiting:  # read without the lock: a hint, checked below
            return
        with self._cond:
            other = self._next(now)
            if other is None or not self._prefers(other, job, now):
                self._slice = now
                return
            self._holder = None
            self._cond.notify_all()
        self._acquire(job, first=False)

    def _prefers(self, other: Job, holder: Job, now: float) -> bool:
        """Whether other should take the turn from holder: never before holder has had GRACE seconds; then when
        other has waited PATIENCE seconds or has had GRACE seconds less compute."""
        if holder.served < self.grace:
            return False
        return now - other.since >= self.patience or other.served + self.grace <= holder.served
