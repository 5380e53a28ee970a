"""What a person sees, in headless Chromium against a real `streamlit run` server."""
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, need_browser, streamlit_server, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(root):
    need_browser()
    with streamlit_server(root) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def slider_step(page) -> int:
    """The step the 3D chart's animation slider shows."""
    text = page.locator(".slider-group > text.slider-label").first.text_content()
    return int(text.replace("step", "").strip())


def test_descent_page_draws_and_plays(server, page):
    """/Descent draws the 3D surface; Play moves the animation forward; no error element on the page."""
    page.goto(f"{server}/Descent")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .gl-container canvas", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
    assert page.get_by_text("end point").count() >= 1
    last = slider_step(page)
    assert last == 2000
    page.locator(".updatemenu-button").first.click()  # ▶ Play
    page.wait_for_timeout(800)
    first = slider_step(page)
    page.wait_for_timeout(1500)
    later = slider_step(page)
    assert 0 <= first < later <= last
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "descent.png"), full_page=True)


def test_diverging_setting_shows_the_message(server, page):
    page.goto(f"{server}/Descent?opt=sgd&lr=0.1")
    wait_idle(page)
    page.get_by_text("Diverged at step").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


def test_perceptron_page_shows_gradients(server, page):
    page.goto(f"{server}/Perceptron?inputs=source-multi")
    wait_idle(page)
    page.get_by_text("0.1992").first.wait_for(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer, .js-plotly-plot .hm", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() >= 2  # the two heatmaps
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "perceptron.png"))


def test_chain_rule_page_draws_the_graph(server, page):
    page.goto(f"{server}/Chain_Rule")
    wait_idle(page)
    graph = page.locator("[data-testid='stGraphVizChart'] svg")
    graph.wait_for(timeout=30_000)
    text = graph.text_content()
    assert "AccumulateGrad" in text and "MulBackward0" in text and "y2 = 7" in text
    assert page.locator("[data-testid='stMetricValue']").first.text_content() == "2"
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "chain_rule.png"))


def test_click_on_contour_sets_the_start(server, page):
    """A click on the 2D contour moves the start point there and reruns."""
    page.goto(f"{server}/Descent")
    wait_idle(page)
    area = page.locator(".js-plotly-plot").nth(1).locator(".nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    page.wait_for_timeout(500)
    wait_idle(page)
    x0 = float(page.get_by_label("x0").input_value())
    y0 = float(page.get_by_label("y0").input_value())
    assert x0 > 1 and y0 > 1, (x0, y0)  # the upper right quarter of [-6, 6]^2
    assert "x0=" in page.url and "y0=" in page.url


def test_compare_basins_and_sweep_pages_draw(server, page):
    for path, charts in (("Compare", 3), ("Basins", 1), ("Sweep", 1)):
        page.goto(f"{server}/{path}")
        wait_idle(page)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        assert page.locator(".js-plotly-plot").count() >= charts, path
        assert page.locator("[data-testid='stException']").count() == 0, path
    page.screenshot(path=str(ARTIFACTS / "sweep.png"))
