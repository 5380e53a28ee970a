"""Runs asked for by many people at once, made together: requests that arrive within WINDOW seconds of each other
and share everything but their start points and hyperparameters become one torch.optim run.

Start points are rows of one [K, 2] tensor; each distinct set of hyperparameters is one parameter group of a
single optimizer (torch.optim's own mechanism, without foreach), so every row's numbers are those of the same
run made alone (tests/test_broker.py checks this bit for bit). Identical requests are run once. LBFGS, whose
step couples the rows of its parameters, is never merged. One worker thread makes the batches one after another;
a request that arrives while a batch runs waits for the next one, in order of arrival.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core import limits
from core.errors import CoreError
from core.optimizers import get_optimizer
from core.run.budget import Budget, Cancelled, Gate
from core.run.config import RunConfig
from core.run.loop import Progress, Runner, run
from core.run.record import FullRecord
from core.run.result import Trajectory
from core.run.schedule import Scheduler

WINDOW = 0.02  # seconds a batch waits for more requests; bench/load.py --scenario clicks measures the effect


def batch_key(config: RunConfig) -> tuple:
    """Requests with equal keys can share one run: all but the start points and the hyperparameters."""
    if not get_optimizer(config.optimizer).elementwise:
        return ("alone", id(config))
    return (config.objective, config.expr, config.bounds, config.data, config.optimizer, config.steps, config.dtype,
            config.tol)


def run_together(configs: list[RunConfig], progress: Progress | None = None,
                 gate: Gate | None = None) -> list[Trajectory]:
    """One torch.optim run for compatible configs (equal batch_key); each config gets its own trajectory."""
    distinct = list(dict.fromkeys(configs))
    if len(distinct) == 1:
        one = run(distinct[0], progress, gate)
        return [one for _ in configs]
    by_hypers: dict[tuple, list[RunConfig]] = {}
    for c in distinct:
        by_hypers.setdefault(c.hypers, []).append(c)
    ordered = [c for members in by_hypers.values() for c in members]  # each group's rows contiguous
    starts = tuple(s for c in ordered for s in c.starts)
    groups = tuple((members[0].hyper_values, sum(len(c.starts) for c in members)) for members in by_hypers.values())
    base = dataclasses.replace(ordered[0], starts=starts)
    if len(starts) * (base.steps + 1) > limits.MAX_RECORDED:
        raise CoreError("too many start points to run together")  # the broker then makes each alone
    whole = Runner(base, get_optimizer(base.optimizer), starts, groups=groups).run(FullRecord(base), progress, gate)
    out, row = {}, 0
    for c in ordered:
        out[c] = _rows(whole, c, np.arange(row, row + len(c.starts)))
        row += len(c.starts)
    return [out[c] for c in configs]


def _rows(whole: Trajectory, config: RunConfig, rows: np.ndarray) -> Trajectory:
    """Some rows of a batched trajectory, as the run of config alone would have returned them."""
    end = whole.end[rows]
    last = int(end.max()) + 1
    pick = (slice(0, last), rows)
    return Trajectory(config, whole.positions[pick].copy(), whole.losses[pick].copy(), whole.grads[pick].copy(),
                      end.copy(), tuple(whole.reason[i] for i in rows), whole.seconds)


@dataclass
class _Request:
    config: RunConfig
    budget: Budget
    cancelled: Callable[[], bool]
    done: threading.Event = field(default_factory=threading.Event)
    progress: tuple[int, int] | None = None
    result: Trajectory | None = None
    error: BaseException | None = None
    gone: bool = False  # its page view stopped waiting


class _Budgets:
    """A batch's budget: its time is charged to every member's page view; spent once every member's is."""

    def __init__(self, members: list[_Request]) -> None:
        self.members = members

    def spend(self, seconds: float) -> None:
        for r in self.members:
            r.budget.spend(seconds)

    @property
    def exhausted(self) -> bool:
        return all(r.budget.exhausted for r in self.members)


class Broker:
    """Gathers run requests from many threads (sessions) and makes them in batches, each a job of scheduler.

    batches counts the requests of each torch run made (for benchmarks and tests).
    """

    def __init__(self, window: float = WINDOW, scheduler: Scheduler | None = None) -> None:
        self.window, self.scheduler = window, scheduler or Scheduler()
        self.batches: list[int] = []
        self._cond = threading.Condition()
        self._pending: list[_Request] = []
        self._queued: dict[tuple, list[_Request]] = {}  # batches waiting for their first turn, by batch_key
        self._worker: threading.Thread | None = None

    def submit(self, config: RunConfig, progress: Progress | None = None, budget: Budget | None = None,
               cancelled: Callable[[], bool] | None = None) -> Trajectory:
        """config's trajectory, made with whatever compatible requests arrive meanwhile; progress is called from
        the caller's own thread (it may draw). Raises Cancelled once cancelled() is true (the caller has gone)."""
        request = _Request(config, budget or Budget(), cancelled or (lambda: False))
        with self._cond:
            self._pending.append(request)
            if self._worker is None:
                self._worker = threading.Thread(target=self._gather, name="descent-broker", daemon=True)
                self._worker.start()
            self._cond.notify()
        try:
            while not request.done.wait(0.05):
                if request.cancelled():
                    raise Cancelled()
                if progress is not None and request.progress is not None:
                    progress(*request.progress)  # may raise too: Streamlit ends a stopped script at its next element
        finally:
            request.gone = not request.done.is_set()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _gather(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
            time.sleep(self.window)  # let the others who clicked at the same moment arrive
            with self._cond:
                batch, self._pending = [r for r in self._pending if not r.gone], []
                for request in batch:  # joins a batch still waiting for its first turn, or starts one
                    key = batch_key(request.config)
                    if key in self._queued:
                        self._queued[key].append(request)
                    else:
                        self._queued[key] = [request]
                        threading.Thread(target=self._make, args=(key, self._queued[key]), name="descent-batch",
                                         daemon=True).start()

    def _make(self, key: tuple, members: list[_Request]) -> None:
        """members' batch as one job: it takes requests with its key until its first turn, then runs them."""
        def progress(done: int, total: int) -> None:
            for r in members:
                r.progress = (done, total)

        def cancelled() -> bool:
            return all(r.gone or r.cancelled() for r in members)

        try:
            with self.scheduler.job(_Budgets(members), cancelled, "run") as job:
                self._close(key, members)
                live = [r for r in members if not r.gone]  # whoever left while the batch waited is not run
                if live:
                    self._run(live, progress, job)
        except Cancelled as err:
            for r in members:
                r.error = r.error or err
        finally:
            self._close(key, members)
            for r in members:
                r.done.set()

    def _close(self, key: tuple, members: list[_Request]) -> None:
        """No more requests join this batch."""
        with self._cond:
            if self._queued.get(key) is members:
                del self._queued[key]

    def _run(self, members: list[_Request], progress: Progress, job: Gate) -> None:
        try:
            results = run_together([r.config for r in members], progress, job)
            self.batches.append(len(members))
        except Cancelled:
            raise
        except Exception:  # noqa: BLE001 - one request's error must not become the others': make each alone
            results = None
        for i, r in enumerate(members):
            try:
                r.result = results[i] if results is not None else run(r.config, None, job)
            except Cancelled:
                raise
            except Exception as err:  # noqa: BLE001 - handed to the request's own thread, which raises it
                r.error = err
