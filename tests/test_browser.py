"""What a person sees, in headless Chromium against a real `streamlit run` server."""
import re
from pathlib import Path

import pytest

from tests.audit import open_settled
from tests.browser import after_rerun, wait_idle
from ui.scenes import SCENES

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def cursor(page) -> int:
    """The step the instrument's cursor is at."""
    return int(page.locator(".dl-instrument").get_attribute("data-cursor"))


def cursor_past(page, step: int, below: int = 10**9) -> int:
    """Until the instrument's cursor is beyond step (and below `below`); where it is then."""
    page.wait_for_function("([step, below]) => { const c = Number(document.querySelector('.dl-instrument')"
                           ".dataset.cursor); return c > step && c < below; }", arg=[step, below], timeout=30_000)
    return cursor(page)


def test_descent_page_draws_and_plays(server, page):
    """/Descent draws the 3D surface, the contour and the loss curve; Play moves the step cursor forward; no error
    element on the page."""
    page.goto(f"{server}/Descent")
    wait_idle(page)
    page.wait_for_selector(".dl-instrument[data-drawn] .js-plotly-plot .gl-container canvas", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
    assert page.get_by_text("end point").count() >= 1
    lesson = page.get_by_text("Adam's first step moved x by (0.001, 0.001)")  # not lr · ∇f, as the tutorial says
    assert "would have gone to (0.014, 0.022)" in lesson.inner_text()
    last = cursor(page)
    assert last == 2000
    page.get_by_role("button", name="▶ Play").click()  # from the end, Play starts again at step 0
    first = cursor_past(page, 0, below=last)
    later = cursor_past(page, first)
    assert 0 < first < later <= last
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
    after_rerun(page, lambda: page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]))
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


def test_slices_page_draws_the_principal_slice_and_its_path(server, page):
    """/Slices from a link with principal directions: the 3D surface (its grid), the path on it (one point a step and
    the start), the contour and the loss curves all drawn by Plotly, WebGL included; no error on the page."""
    open_settled(page, f"{server}/Slices?dirs=pca&steps=120&grid=21&model=mlp&hidden=6")
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 3
    drawn = plots.evaluate_all("(gs) => gs.map((g) => g._fullData.map((d) => [d.type, (d.z || d.y || []).length]))")
    assert drawn[0][:2] == [["surface", 21], ["scatter3d", 121]], drawn
    assert drawn[1][0] == ["contour", 21] and drawn[1][1] == ["scatter", 121], drawn
    assert [t[1] for t in drawn[2]] == [121, 121], drawn
    page.wait_for_selector(".js-plotly-plot .gl-container canvas", timeout=60_000)
    assert page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
    assert page.get_by_text("differ by up to").count() == 1


def metric_values(page) -> list[str]:
    return page.locator("[data-testid='stMetricValue']").all_text_contents()


def set_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    after_rerun(page, lambda: box.press("Enter"))


def test_a_copied_link_reproduces_the_view(server, browser, page):
    """Change several controls, take the URL, open it in a fresh browser: the same settings and numbers."""
    page.goto(f"{server}/Descent")
    wait_idle(page)
    set_number(page, "steps", "700")
    set_number(page, "x0", "-1.5")
    set_number(page, "y0", "2.5")
    after_rerun(page, lambda: page.get_by_text("−∇f arrows on the contour").click())
    url = page.url
    assert all(p in url for p in ("steps=700", "x0=-1.5", "y0=2.5", "arrows=true")), url
    numbers = metric_values(page)
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    fresh.goto(url)
    wait_idle(fresh)
    fresh.wait_for_function("() => [...document.querySelectorAll('input')].some(i => i.value === '700')",
                            timeout=30_000)
    wait_idle(fresh)
    assert fresh.get_by_label("steps", exact=True).input_value() == "700"
    assert metric_values(fresh)[:5] == numbers[:5]  # all but the time taken
    fresh.context.close()


def test_a_hostile_link_shows_a_notice_and_a_working_page(server, page):
    page.goto(f"{server}/Descent?lr=abc&steps=1e308&x0=nan&y0=-0&opt=%3Cscript%3E&zz=%3Cb%3Ehi%3C/b%3E&long="
              + "x" * 3000)
    wait_idle(page)
    notice = page.locator("[data-testid='stAlertContentWarning']").first
    notice.wait_for(timeout=30_000)
    assert "not accepted" in notice.text_content() and "no such setting" in notice.text_content()
    assert page.locator("b", has_text="hi").count() == 0  # shown as text, never as markup
    page.locator("[data-testid='stMetricValue']").nth(5).wait_for(timeout=30_000)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert metric_values(page)[3] == "max steps" and page.locator(".js-plotly-plot").count() >= 3


def test_language_switch_changes_the_text_and_survives_reload(server, page):
    page.goto(f"{server}/Descent")
    wait_idle(page)
    assert page.locator("h1").first.text_content().strip() == "Descent"
    page.get_by_role("combobox", name="Language · 语言").click()
    after_rerun(page, lambda: page.get_by_role("option", name="zh").click())
    assert page.locator("h1").first.text_content().strip() == "梯度下降"
    assert "lang=zh" in page.url
    page.reload()
    wait_idle(page)
    assert page.locator("h1").first.text_content().strip() == "梯度下降"
    assert page.get_by_text("终点").count() >= 1
    page.get_by_role("link", name="感知机").first.click()  # the navigation keeps the language
    page.wait_for_url("**/Perceptron?lang=zh", timeout=30_000)
    wait_idle(page)
    assert page.locator("h1").first.text_content().strip() == "感知机梯度"
    page.screenshot(path=str(ARTIFACTS / "perceptron_zh.png"))


FUZZ_SAMPLE = [  # from tests/test_fuzz_links.py's classes: the ones that broke pages, and markup in shown values
    "/Descent?steps=inf&every=-inf&x0=1e999&lr=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&present=%E2%80%AEab",
    "/Perceptron?seed=inf&n=nan&x=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "/Compare?steps=inf&fn=custom&expr=0x" + "f" * 290 + "*x",
    "/Sweep?steps=inf&fn=custom&expr=sin(2)",
    "/Descent?fn=custom&expr=x**2%2By**2%2B1e300&steps=1_0",
]


@pytest.mark.parametrize("path", FUZZ_SAMPLE, ids=[p.split("?")[0].strip("/") + str(i) for i, p in
                                                   enumerate(FUZZ_SAMPLE)])
def test_fuzzed_links_in_the_browser(server, page, path):
    """A sample of the fuzz's links in Chromium: a settled page with its notice or a named refusal, no error
    element, and nothing from the link turned into markup."""
    page.goto(server + path)
    wait_idle(page)
    alerts = page.locator("[data-testid='stAlertContentWarning'], [data-testid='stAlertContentError']")
    alerts.first.wait_for(timeout=30_000)
    text = " ".join(alerts.all_text_contents())
    assert "not accepted" in text or "cannot run" in text
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert "=inf" not in page.url and "1e999" not in page.url  # the cleaned link is the page's own link


def test_the_figure_download_is_the_instrument_on_a_page_of_its_own(server, page, browser, tmp_path):
    """'Figure (HTML)' gives the instrument as a page of its own, opened here from disk with the network cut off:
    Plotly inside, the same paths as the page drew (the same id), and Play moves the cursor."""
    page.goto(f"{server}/Descent")
    wait_idle(page)
    page.wait_for_selector(".dl-instrument[data-drawn]", timeout=60_000)
    drawn = page.locator(".dl-instrument").get_attribute("data-drawn")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Figure (HTML)").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", html)  # Plotly.js inside the file: it opens offline
    (tmp_path / "descent.html").write_text(html, encoding="utf-8")
    offline = browser.new_context(viewport={"width": 1400, "height": 1000}, offline=True)
    alone = offline.new_page()
    alone.goto((tmp_path / "descent.html").as_uri())
    alone.wait_for_selector(".dl-instrument[data-drawn] .js-plotly-plot .gl-container canvas", timeout=60_000)
    assert alone.locator(".dl-instrument").get_attribute("data-drawn") == drawn
    assert alone.locator(".dl-instrument").get_attribute("data-cursor") == "2000"
    alone.get_by_role("button", name="▶ Play").click()
    first = cursor_past(alone, 0, below=2000)
    assert cursor_past(alone, first) > first
    assert alone.locator(".dl-error").is_hidden()
    offline.close()


def test_scenes_in_chinese_state_their_numbers(server, page):
    """/Scenes?lang=zh: the perceptron's 1/48.6 and the chain rule's 2 · 1 = 2 as computed; each run scene shows its
    numbers (or, past the page's compute budget, says they are not there); no traceback, no English sentence."""
    page.goto(f"{server}/Scenes?lang=zh")
    wait_idle(page, timeout=120_000)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "w.grad 的第二行只有第一行的 1/48.6" in body
    assert "dy2/dy1 · dy1/dw1 = 2 · 1 = 2 = dy2/dw1 = 2" in body
    cut = body.count("这个场景的数字暂缺")
    assert ("落在 (1.4, 2.2)" in body and "第 4 步被判定为发散" in body) or cut
    assert "times smaller" not in body and page.locator("[data-testid='stException']").count() == 0


def test_scene_links_switch_pages_in_the_session(server, page):
    """/Scenes: each scene's 'Open' is Streamlit's page link, relative (so it follows server.baseUrlPath), and opens
    the scene's page inside the session with its settings and the language; 'Present' does the same in
    presentation mode."""
    page.goto(f"{server}/Scenes?lang=zh")
    wait_idle(page)
    hrefs = page.locator("[data-testid='stMain'] [data-testid='stPageLink'] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) == len(SCENES) and not any(h.startswith(("/", "http")) for h in hrefs), hrefs
    page.evaluate("window.__same_document = true")
    page.locator("[data-testid='stMain'] [data-testid='stPageLink'] a[href*='lr=0.1']").click()
    page.wait_for_function("['opt=sgd', 'lr=0.1', 'lang=zh'].every(p => location.search.includes(p))",
                           timeout=60_000)
    wait_idle(page)
    assert page.evaluate("window.__same_document === true") and "/Descent?" in page.url
    assert page.locator("h1").first.text_content().strip() == "梯度下降"
    page.goto(f"{server}/Scenes")
    wait_idle(page)
    page.evaluate("window.__same_document = true")
    page.locator(".st-key-present-four-starts button").click()
    page.wait_for_function("['runs=4', 'present=true'].every(p => location.search.includes(p))", timeout=60_000)
    wait_idle(page)
    assert page.evaluate("window.__same_document === true") and "/Compare?" in page.url


def loss_lines(page) -> list[str]:
    """The names of the lines the instrument's loss curve has drawn (each with a path on screen)."""
    return page.evaluate("""() => {
      const gd = document.querySelectorAll('.dl-instrument .js-plotly-plot')[2];
      const drawn = [...gd.querySelectorAll('.scatterlayer .trace path.js-line')].filter((p) => p.getAttribute('d'));
      return drawn.length >= 2 ? gd.data.filter((t) => t.mode === 'lines').map((t) => t.name) : [];
    }""")


def test_model_page_draws_both_losses_and_takes_b_from_the_link(server, page):
    """/Model with minibatches: every view drawn, the loss curve's minibatch and full loss lines in its legend, no
    error; B = 0 from the link leaves the one line of the full batch."""
    page.goto(f"{server}/Model")
    wait_idle(page)
    page.wait_for_selector(".dl-instrument[data-drawn] .js-plotly-plot .gl-container canvas", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 4  # the instrument's three views and the data's scatter
    assert loss_lines(page) == ["minibatch loss", "full loss"]
    legend = page.locator(".dl-instrument .js-plotly-plot").nth(2).locator(".legendtext")
    assert legend.evaluate_all("(texts) => texts.map((t) => t.textContent)") == ["minibatch loss", "full loss"]
    assert page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
    page.goto(f"{server}/Model?batch=0")
    wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('.dl-instrument .js-plotly-plot')[2]?.data?."
                           "filter((t) => t.mode === 'lines').length === 1", timeout=60_000)
    assert page.get_by_role("spinbutton", name="minibatch size B").input_value() == "0"
    assert page.get_by_text("B = 0: every step's loss is over all 100 points").count() == 1
    assert page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
