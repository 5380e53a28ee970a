"""The curvature at the cursor in headless Chromium: turned on by its switch at /Descent, its readout follows the
step cursor moved from the keyboard, with the numbers Python computes at that step."""
import numpy as np

from core.curvature import hessians
from core.run import run
from tests.browser import after_rerun, wait_idle
from tests.test_instrument_browser import open_drawn, view_state, wait_new_paths
from ui import plans

LINK = {"opt": "sgd", "lr": "0.02", "x0": "1", "y0": "0", "steps": "30"}  # SGD from (1, 0) to Himmelblau's (3, 2)
READOUT = ".dl-instrument .dl-curv"


def readout(page) -> dict:
    return page.evaluate(f"() => {{ const c = document.querySelector('{READOUT}'); "
                         "return {hidden: c.hidden, text: c.textContent, ...c.dataset}; }")


def python_says(step: int) -> tuple[np.ndarray, float]:
    """The eigenvalues and SGD's bound 2 / lambda_max at the run's step, from its float32 point, in float64."""
    drawn = plans.descent(plans.link_values("Descent", LINK))
    traj = run(drawn.runs[0][0])
    (h,) = hessians(traj.objective.fn, traj.positions[[step], 0])
    h = h.astype(np.float32).astype(np.float64)  # as sent: float32
    values = np.linalg.eigvalsh(np.array([[h[0], h[1]], [h[1], h[2]]]))
    return values, 2 / values[1] if values[1] > 0 else None


def test_the_curvature_readout_follows_the_cursor(server, page):
    query = "&".join(f"{k}={v}" for k, v in LINK.items())
    before = open_drawn(page, f"{server}/Descent?{query}")
    assert readout(page)["hidden"]  # off by default
    switch = page.locator("[data-testid='stSidebar'] label", has_text="curvature at the cursor")
    switch.scroll_into_view_if_needed()
    after_rerun(page, switch.click)
    wait_new_paths(page, before["drawn"])
    end = readout(page)
    assert not end["hidden"] and int(end["step"]) == view_state(page)["cursor"] > 0  # the run's last step
    scrub = page.locator(".dl-instrument .dl-scrub")
    scrub.focus()
    scrub.press("Home")  # the cursor to step 0, in the browser alone
    page.wait_for_function(f"() => document.querySelector('{READOUT}').dataset.step === '0'", timeout=10_000)
    start = readout(page)
    assert start["text"] != end["text"]
    np.testing.assert_allclose(python_says(0)[0], np.linalg.eigvalsh([[-30, 4], [4, -22]]), rtol=1e-6)
    for shown in (start, end):
        values, bound = python_says(int(shown["step"]))
        got = np.array([float(shown["l1"]), float(shown["l2"])])
        np.testing.assert_allclose(got, values, rtol=1e-9, atol=1e-9 * np.abs(values).max())
        if values[1] > 0:
            assert abs(float(shown["bound"]) / bound - 1) < 1e-9
        else:  # at (1, 0) by hand: H = [[12x² + 4y − 42, 4x + 4y], [4x + 4y, 4x + 12y² − 26]] = [[−30, 4], [4, −22]]
            assert shown["bound"] == "" and "No direction curves up here" in shown["text"]
        assert f"{float(f'{values[1]:.4g}'):g}" in shown["text"]  # λ₂ as written, 4 significant digits
    assert "below it." in end["text"] and float(LINK["lr"]) < float(end["bound"])  # at Himmelblau's (3, 2): 0.0243
    wait_idle(page)
