"""axe-core (bundled by axe-playwright-python) run in every frame of a page, and touch swipes for the phone tests."""
from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.base import AXE_SCRIPT

from tests.browser import wait_idle

PAGES = ("", "Descent", "Compare", "Basins", "Sweep", "Perceptron", "Chain_Rule", "Tensors", "Scenes", "Model",
         "Slices")
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/140.0.0.0 Mobile Safari/537.36"}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SEVERE = ("critical", "serious")
RUN = "() => axe.run(document, {resultTypes: ['violations'], iframes: false})"


@dataclass(frozen=True)
class Violation:
    """One element that breaks one axe rule: the rule, its impact, the element (a CSS path) and the frame's URL."""

    rule: str
    impact: str
    target: str
    frame: str
    summary: str


def audit(page) -> list[Violation]:
    """axe-core's violations in the page and in each of its frames (the Copy link frame is the app's own HTML)."""
    out = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        frame.evaluate(AXE_SCRIPT)
        result = frame.evaluate(RUN)
        name = "page" if frame == page.main_frame else frame.url[:40]
        for v in result["violations"]:
            out += [Violation(v["id"], v["impact"] or "", " ".join(map(str, n["target"])), name,
                              (n.get("failureSummary") or "").replace("\n", " ")[:200]) for n in v["nodes"]]
    return out


def open_settled(page, url: str) -> None:
    """Open `url` and wait until the page has settled and every instrument has drawn its paths."""
    page.goto(url)
    wait_idle(page)
    page.wait_for_function("""() => [...document.querySelectorAll('.dl-instrument')].every(
        (r) => r.dataset.drawn && r.dataset.drawn === r.dataset.paths)""", timeout=90_000)
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].every(
        (g) => g._fullData && g._fullData.length)""", timeout=90_000)


SCROLLER = """(el) => { for (let e = el; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (/(auto|scroll)/.test(style.overflowY) && e.scrollHeight > e.clientHeight) return e; }
  return document.scrollingElement; }"""


def scroll_top(page, selector: str) -> float:
    """How far the element that scrolls `selector`'s page is scrolled."""
    return page.evaluate(f"(s) => ({SCROLLER})(document.querySelector(s)).scrollTop", selector)


def swipe(page, x: float, y: float, dy: float, steps: int = 10) -> None:
    """One finger from (x, y) moved dy pixels (negative: upwards, to scroll the page down), as touch events."""
    cdp = page.context.new_cdp_session(page)
    point = lambda yy: [{"x": x, "y": yy, "id": 1}]  # noqa: E731
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point(y)})
    for i in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": point(y + dy * i / steps)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


VIEW_STATE = """(g) => g._fullLayout.scene ? JSON.stringify(g._fullLayout.scene._scene.getCamera().eye)
    : JSON.stringify([g._fullLayout.xaxis.range, g._fullLayout.yaxis.range])"""


def swipe_plot(page, i: int, distance: float = 250) -> dict:
    """Swipe one finger `distance` px over the middle of the page's i-th Plotly graph (placed near the top of the
    screen first): upwards, or downwards where the page has too little left below; the page's scroll and the graph's
    camera or axis ranges before and after."""
    plot = page.locator(".js-plotly-plot").nth(i)
    plot.evaluate(f"(g) => {{ const s = ({SCROLLER})(g); s.scrollTop += g.getBoundingClientRect().top - 120; }}")
    scroll_at_rest(page, i)  # a smooth scroll (if any) ends before measuring
    box = plot.bounding_box()
    x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 500)
    state = (f"(g) => {{ const s = ({SCROLLER})(g); "
             f"return [s.scrollTop, s.scrollHeight - s.clientHeight - s.scrollTop, ({VIEW_STATE})(g)]; }}")
    top, below, view = plot.evaluate(state)
    dy = -distance if below >= 2 * distance else distance
    swipe(page, x, y, dy)
    scroll_at_rest(page, i)
    after, _, view_after = plot.evaluate(state)
    return {"scroll": (top, after), "view": (view, view_after), "dy": dy}


def scroll_at_rest(page, i: int) -> None:
    """Wait until the page around the i-th Plotly graph has not scrolled for 10 animation frames in a row."""
    page.wait_for_function(f"""() => new Promise((done) => {{
        const s = ({SCROLLER})(document.querySelectorAll('.js-plotly-plot')[{i}]);
        let last = s.scrollTop, still = 0;
        const look = () => {{ still = s.scrollTop === last ? still + 1 : 0; last = s.scrollTop;
                              still >= 10 ? done(true) : requestAnimationFrame(look); }};
        look(); }})""", timeout=10_000)
