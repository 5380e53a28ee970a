"""A streamlit server and headless Chromium for browser tests (Debian's chromium, driven by Playwright)."""
from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Counts what the server sent the page (window.__frames: every websocket message; a rerun sends several, at the
# least its scriptFinished). Installed before any page script (tests/conftest.py's page fixture). The app's script
# state attribute is no such signal: a fast rerun can go from running to notRunning within one React render.
COUNT_RUNS = """
window.__frames = 0;
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', () => { window.__frames++; });
  }
};
"""
# The page has settled: the script idle, at least one element drawn in the main area, no skeletons, and the number
# of elements unchanged for `quiet` ms (polled in the page; the script state reads notRunning before a run starts).
SETTLED = """([idle, quiet]) => {
  const w = (window.__settle ??= {count: -1, since: 0});
  const drawn = document.querySelector("[data-testid='stMain'] [data-testid='stElementContainer']");
  const busy = !drawn || !document.querySelector(idle) || document.querySelector("[data-testid='stSkeleton']");
  const count = document.querySelectorAll('[data-testid]').length;
  const now = performance.now();
  if (busy || count !== w.count) {
    w.count = count;
    w.since = now;
    return false;
  }
  return now - w.since >= quiet;
}"""


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
        _wait_listening(proc, base)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_listening(proc: subprocess.Popen, base: str, seconds: float = 60) -> None:
    """Until streamlit says it serves base (its "URL:" line on stdout) and its health check answers ok: the output
    read as it comes (select, no polling), straight from the pipe so that a reader after this one misses nothing."""
    deadline, said = time.time() + seconds, b""
    while f"URL: {base}".encode() not in said:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.time()))
        chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
        if not chunk:  # out of time, or streamlit exited
            raise RuntimeError(f"streamlit did not start: {said.decode(errors='replace')[-2000:]}")
        said += chunk
    if urllib.request.urlopen(f"{base}/_stcore/health", timeout=10).read() != b"ok":
        raise RuntimeError(f"streamlit at {base} is not healthy")


def wait_idle(page, timeout: float = 90_000) -> None:
    """Until the page has settled: the script idle with something drawn, no skeletons left, and the number of
    elements on the page unchanged for half a second."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.evaluate("delete window.__settle")
    page.wait_for_function(SETTLED, arg=[IDLE, 500], polling=100, timeout=timeout)


def after_rerun(page, action: Callable[[], object], timeout: float = 90_000) -> None:
    """Do action (a click, a key), then wait until the server has answered it (the rerun it starts) and the page
    has settled."""
    frames = page.evaluate("window.__frames")
    action()
    page.wait_for_function("(n) => window.__frames > n", arg=frames, timeout=timeout)
    wait_idle(page, timeout)
