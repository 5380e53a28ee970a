import functools
import os
import sys
from pathlib import Path

import pytest
import torch
from streamlit.components.v2 import manifest_scanner

from tests.browser import CHROMIUM, CHROMIUM_ARGS, COUNT_RUNS, need_browser, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)
os.environ.setdefault("DESCENT_WARM_SCENES", "0")  # tests/test_warm.py warms on purpose; elsewhere it is noise
os.environ.setdefault("DESCENT_COMPILE", "0")  # tests/test_compiled.py compiles on purpose; elsewhere it is noise
# AppTest.run() scans every installed distribution's metadata for components-v2 manifests on every run (0.3-0.4 s
# of a 0.45 s page run here); the installed packages do not change during a test session: scan once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="module")
def server(root):
    """A `streamlit run app.py` server for one test module's browser tests."""
    need_browser()
    with streamlit_server(root) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), one per test module."""
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context's page; page.frames_received holds what the server sent over the websocket."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(COUNT_RUNS)
    pg = context.new_page()
    pg.frames_received = []
    pg.on("websocket", lambda ws: ws.on("framereceived", lambda payload: pg.frames_received.append(payload)))
    yield pg
    context.close()
