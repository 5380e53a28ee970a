"""A streamlit server and headless Chromium for browser tests (Debian's chromium, driven by Playwright)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def under_ci() -> bool:
    """Whether this is CI: CI set to anything but empty, 0 or false (CI=1, CI=yes, CI=true ...)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def need_browser() -> None:
    """Skip when no browser is installed, except under CI, where a missing browser is a failure."""
    if Path(CHROMIUM).exists():
        return
    if under_ci():
        pytest.fail(f"under CI but no browser at {CHROMIUM}: .ci/run must install Debian's chromium")
    pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(root: Path, port: int | None = None, env: dict | None = None, procs: list | None = None,
                     script: str = "app.py"):
    """`streamlit run app.py` (or another script under root) on loopback; yields its base URL once /_stcore/health
    answers.

    env adds environment variables; procs, if given, receives the server's Popen (for its pid).
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    if procs is not None:
        procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    output = proc.stdout.read().decode()[-2000:]
                    raise RuntimeError(f"streamlit did not start: {output}") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_idle(page, timeout: float = 90_000) -> None:
    """Until the page has settled: the script idle (after it has started a run), no skeletons left, and the number
    of elements on the page unchanged for half a second (the state reads notRunning before a run starts too)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)
    count, still, waited = -1, 0, 0
    while still < 5 and waited < timeout:
        now = page.locator("[data-testid]").count()
        busy = page.locator("[data-testid='stSkeleton']").count() or not page.locator(IDLE).count()
        still = still + 1 if now == count and not busy else 0
        count = now
        page.wait_for_timeout(100)
        waited += 100
