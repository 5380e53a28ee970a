"""What the benchmarks share: timing a call, and a past commit of this repository to measure beside this tree."""
from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, *args) -> float:
    """Seconds fn(*args) takes."""
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def median_time(fn, repeats: int = 3) -> float:
    """The median seconds of fn() over repeats calls, after one call to warm up."""
    fn()
    return statistics.median(timed(fn) for _ in range(repeats))


@contextmanager
def checkout(rev: str):
    """A past commit of this repository in a temporary git worktree."""
    where = Path(tempfile.mkdtemp(prefix="descent-before-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev], check=True,
                   capture_output=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], capture_output=True)
        shutil.rmtree(where, ignore_errors=True)
