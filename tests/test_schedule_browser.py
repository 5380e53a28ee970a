"""Work nobody waits for is dropped: in headless Chromium, quick slider changes on a real server."""
from __future__ import annotations

import threading

from core.optimizers import get_optimizer
from core.run import make_config, run
from tests.browser import need_browser, streamlit_server, wait_idle


def test_five_quick_slider_changes_make_at_most_two_runs(root, browser):
    """Five lr notches, each pressed once the run of the value before has started (the server's log says so), while
    20,000-step runs take a second or more each: the runs of the values passed over are dropped (at most the first
    and the last are made), and the page ends at the last value with core's own end point for it."""
    need_browser()
    procs: list = []
    lines: list[str] = []
    said = threading.Condition()

    def read() -> None:
        for x in procs[0].stdout:
            with said:
                lines.append(x.decode())
                said.notify_all()

    def started() -> int:
        return sum("run started" in x for x in lines)

    with streamlit_server(root, env={"DESCENT_LOG_JOBS": "1"}, procs=procs) as base:
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{base}/Descent?steps=20000&tol=off")
        wait_idle(page)
        before = sum("run finished" in x for x in lines)
        thumb = page.locator("[data-testid='stSlider']", has_text="lr").first.get_by_role("slider")
        thumb.focus()
        for _ in range(5):
            with said:
                runs = started()
            thumb.press("ArrowRight")
            with said:  # the next notch comes while this value's run is under way
                assert said.wait_for(lambda n=runs: started() > n, timeout=30), lines
        page.wait_for_function("() => location.search.includes('lr=0.05')", timeout=30_000)
        wait_idle(page)
        page.get_by_text("end point").first.wait_for(timeout=60_000)
        shown = page.locator("[data-testid='stMetric']", has_text="end point").first.inner_text()
        context.close()
    made = sum("run finished" in x for x in lines) - before
    dropped = sum("run cancelled" in x for x in lines)
    assert 1 <= made <= 2, lines
    lr = get_optimizer("adam").hyper("lr").parse("0.05")
    (x, y), _ = run(make_config({"lr": lr}, steps=20000, tol=None)).final()
    assert f"({x:.5f}, {y:.5f})" in shown, (shown, dropped)
