"""The 3D view as an instrument, in headless Chromium: the user's camera and zoom survive reruns, a rerun sends only
the paths, playback and scrubbing move one step cursor across the three views, and page switches stay in one session
with the language kept."""
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from core.run import make_config, run
from tests.audit import open_settled
from tests.browser import after_rerun, wait_idle

VIEW = ".dl-instrument"
DEFAULT_EYE = (1.4, -1.4, 1.1)


def open_drawn(page, url: str) -> dict:
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(f"{VIEW}[data-drawn]", timeout=60_000)
    return view_state(page)


def view_state(page) -> dict:
    return page.evaluate("""() => { const r = document.querySelector('.dl-instrument');
        return {...r.dataset, cursor: Number(r.dataset.cursor)}; }""")


def wait_new_paths(page, old: str) -> dict:
    """Until the instrument has drawn paths other than `old` and the page is idle."""
    page.wait_for_function("""(old) => { const r = document.querySelector('.dl-instrument');
        return r && r.dataset.drawn && r.dataset.drawn === r.dataset.paths && r.dataset.drawn !== old; }""",
                           arg=old, timeout=60_000)
    wait_idle(page)
    return view_state(page)


def lr_notch(page, key: str = "ArrowRight") -> None:
    thumb = page.locator("[data-testid='stSlider']", has_text="lr").first.get_by_role("slider")
    thumb.focus()
    thumb.press(key)


def graph(i: int) -> str:
    """A JS expression for the i-th Plotly graph div of the instrument (0 the 3D view, 1 the contour, 2 the loss)."""
    return f"document.querySelectorAll('{VIEW} .js-plotly-plot')[{i}]"


def eye(page) -> tuple[float, float, float]:
    e = page.evaluate(f"{graph(0)}._fullLayout.scene.camera.eye")
    return e["x"], e["y"], e["z"]


def test_the_users_camera_and_zoom_survive_a_rerun(server, page):
    """Turn the 3D view with the mouse and zoom the contour, then move lr one notch: both views stay as the user left
    them, with the new path drawn."""
    before = open_drawn(page, f"{server}/Descent")
    canvas = page.locator(f"{VIEW} .dl-surface .gl-container canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(cx - 18 * i, cy + 6 * i)
    page.mouse.up()
    page.wait_for_function(f"""(e) => {{ const c = {graph(0)}._fullLayout.scene.camera.eye;
        return Math.max(Math.abs(c.x - e[0]), Math.abs(c.y - e[1]), Math.abs(c.z - e[2])) > 0.2; }}""",
                           arg=list(DEFAULT_EYE), timeout=10_000)
    turned = eye(page)
    assert max(abs(a - b) for a, b in zip(turned, DEFAULT_EYE)) > 0.2, turned  # the drag turned the view
    area = page.locator(f"{VIEW} .dl-contour .nsewdrag").first
    area.scroll_into_view_if_needed()
    zbox = area.bounding_box()
    page.mouse.move(zbox["x"] + 0.2 * zbox["width"], zbox["y"] + 0.2 * zbox["height"])
    page.mouse.down()
    page.mouse.move(zbox["x"] + 0.5 * zbox["width"], zbox["y"] + 0.5 * zbox["height"], steps=8)
    page.mouse.up()
    page.wait_for_function(f"() => {{ const r = {graph(1)}._fullLayout.xaxis.range; return r[1] - r[0] < 8; }}",
                           timeout=10_000)
    zoomed = page.evaluate(f"{graph(1)}._fullLayout.xaxis.range")
    assert zoomed[1] - zoomed[0] < 8, zoomed  # zoomed in from [-6, 6]
    lr_notch(page)
    after = wait_new_paths(page, before["drawn"])
    assert after["drawn"] != before["drawn"]
    assert np.allclose(eye(page), turned, atol=1e-6)
    assert np.allclose(page.evaluate(f"{graph(1)}._fullLayout.xaxis.range"), zoomed, atol=1e-9)


def test_a_rerun_that_changes_the_paths_sends_only_the_paths(server, page):
    """A new lr sends the new paths but not the surface again, and the browser keeps the very surface trace it
    drew (not rebuilt); the bytes received for that rerun are printed."""
    before = open_drawn(page, f"{server}/Descent")
    scene_frames = b"".join(f if isinstance(f, bytes) else f.encode() for f in page.frames_received)
    surface_z = page.evaluate(f"""() => {{ const z = {graph(0)}.data[0].z;
        return z.bdata || null; }}""")
    page.evaluate(f"window.__surface = {graph(0)}.data[0]")
    page.frames_received.clear()
    lr_notch(page)
    after = wait_new_paths(page, before["drawn"])
    sent = b"".join(f if isinstance(f, bytes) else f.encode() for f in page.frames_received)
    print(f"\nbytes received for one lr change: {len(sent):,} (page load: {len(scene_frames):,})")
    assert after["scene"] == before["scene"]
    if surface_z:  # plotly.js may have decoded the typed array in place: then the object check below says it all
        assert surface_z[:200].encode() not in sent and surface_z[:200].encode() in scene_frames
    assert page.evaluate(f"window.__surface === {graph(0)}.data[0]")
    drawn_x = page.evaluate(f"Array.from({graph(1)}.data.at(-2).x)")  # the contour's path line
    assert len(drawn_x) > 100  # the new path is drawn


def cursor_past(page, step: int, below: int = 10**9) -> int:
    """Until the instrument's cursor is beyond step (and below `below`); where it is then."""
    page.wait_for_function("([step, below]) => { const c = Number(document.querySelector('.dl-instrument')"
                           ".dataset.cursor); return c > step && c < below; }", arg=[step, below], timeout=30_000)
    return view_state(page)["cursor"]


def heads(page) -> dict:
    """Where each view's marker is: the 3D head, the contour's head (last of the start/end pair), the loss marker."""
    return page.evaluate(f"""() => {{
        const s = {graph(0)}.data.at(-1), c = {graph(1)}.data.at(-1), l = {graph(2)}.data.at(-1);
        return {{surface: [s.x[0], s.y[0]], contour: [c.x[1], c.y[1]], loss_step: l.x[0],
                 cursor: Number(document.querySelector('.dl-instrument').dataset.cursor)}}; }}""")


def test_play_and_scrub_move_one_cursor_across_the_three_views(server, page):
    """Play moves the step cursor forward; scrubbing to a step puts the 3D head, the contour's head and the loss
    curve's marker on the run's own point at that step (torch's run, computed here)."""
    traj = run(make_config({"lr": 1e-3}, steps=2000))
    open_drawn(page, f"{server}/Descent")
    assert view_state(page)["cursor"] == 2000
    page.locator(f"{VIEW} .dl-play").click()
    first = cursor_past(page, 0, below=2000)  # from the end, Play starts again at step 0
    later = cursor_past(page, first)
    assert 0 < first < later <= 2000, (first, later)
    page.locator(f"{VIEW} .dl-play").click()  # pause
    scrub = page.locator(f"{VIEW} .dl-scrub")
    scrub.focus()
    scrub.press("Home")
    page.wait_for_function("document.querySelector('.dl-instrument').dataset.cursor === '0'")
    for _ in range(3):
        scrub.press("PageUp")  # native range keys: a tenth of the range each
    page.wait_for_function(f"""() => {{ const r = document.querySelector('{VIEW}');
        return r.dataset.cursor === r.querySelector('.dl-scrub').value && Number(r.dataset.cursor) >= 600; }}""")
    h = heads(page)
    k = h["cursor"]
    assert 0 < k < 2000 and h["loss_step"] <= k
    step = h["loss_step"]  # the last drawn point at or before the cursor
    want = traj.positions[step, 0]
    assert np.allclose(h["surface"], want, atol=1e-5) and np.allclose(h["contour"], want, atol=1e-5), (h, want)


CROSSING = """([low, high]) => new Promise((done) => {
    const r = document.querySelector('.dl-instrument');
    let start = null;
    const watch = (now) => {
      const c = Number(r.dataset.cursor);
      if (start === null && c >= low) start = now;
      if (c >= high) return done(now - start);
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
})"""  # the browser's milliseconds from the cursor passing low to its passing high, watched frame by frame


def test_speed_changes_how_fast_the_cursor_moves(server, page):
    """At 4x the cursor takes a small part of the time it takes at 0.25x to go from step 100 to step 500 (16x
    faster in theory), timed by the browser's own clock frame by frame."""
    open_drawn(page, f"{server}/Descent")
    options = page.locator(f"{VIEW} .dl-speed option").all_text_contents()
    assert options == ["0.25×", "0.5×", "1×", "2×", "4×"]
    took = {}
    for speed in ("0.25", "4"):
        page.locator(f"{VIEW} .dl-speed").select_option(speed)
        page.locator(f"{VIEW} .dl-scrub").focus()
        page.locator(f"{VIEW} .dl-scrub").press("Home")
        page.wait_for_function(f"document.querySelector('{VIEW}').dataset.cursor === '0'")
        page.locator(f"{VIEW} .dl-play").click()
        took[speed] = page.evaluate(CROSSING, [100, 500])
        page.locator(f"{VIEW} .dl-play").click()
    assert took["0.25"] > 4 * took["4"], took


def test_presentation_mode_plays_by_itself(server, page):
    """Nobody presses Play: the run plays from step 0 (the button says Pause, aria-pressed true) to its end, where
    it stops (Play again, aria-pressed false). Without autoplay the cursor would sit at the end from the start."""
    page.goto(f"{server}/Descent?present=true")
    page.wait_for_function(f"""() => {{ const r = document.querySelector('{VIEW}');
        const c = r && Number(r.dataset.cursor);
        return r && c > 0 && c < 2000 && r.querySelector('.dl-play').getAttribute('aria-pressed') === 'true'; }}""",
                           timeout=90_000)
    page.wait_for_function(f"""() => {{ const r = document.querySelector('{VIEW}'), b = r.querySelector('.dl-play');
        return r.dataset.cursor === '2000' && b.getAttribute('aria-pressed') === 'false'; }}""", timeout=60_000)


def test_a_language_switch_redraws_the_words_only(server, page):
    """Scrubbed to a step, then switched to Chinese: the same paths (not sent again, not restarted), the cursor where
    it was, and the texts inside the views in Chinese (the 3D legend, the path's label, the Play button)."""
    zh = json.loads((Path(__file__).parents[1] / "locales" / "zh.json").read_text(encoding="utf-8"))
    before = open_drawn(page, f"{server}/Descent")
    scrub = page.locator(f"{VIEW} .dl-scrub")
    scrub.focus()
    scrub.press("Home")
    scrub.press("PageUp")
    page.wait_for_function(f"document.querySelector('{VIEW}').dataset.cursor === '200'")
    assert page.evaluate(f"{graph(0)}.data[1].name") == "known minima"
    page.get_by_role("combobox", name="Language · 语言").click()
    after_rerun(page, lambda: page.get_by_role("option", name="zh").click())
    page.wait_for_function(f"(name) => {graph(0)}.data[1].name === name", arg=zh["known minima"], timeout=30_000)
    after = view_state(page)
    assert (after["drawn"], after["scene"], after["cursor"]) == (before["drawn"], before["scene"], 200)
    assert page.evaluate(f"{graph(1)}.data.at(-2).name") == zh["path"]
    assert page.locator(f"{VIEW} .dl-play").text_content() == f"▶ {zh['Play']}"


def test_a_page_switch_stays_in_the_session_and_keeps_the_language(server, page):
    """The sidebar's link to Compare switches pages without a page load (a value set on window survives), with
    lang=zh in the address bar and the page in Chinese; a reload shows the same page."""
    open_drawn(page, f"{server}/Descent?lang=zh")
    page.evaluate("window.__same_document = true")
    page.locator("[data-testid='stSidebar'] a", has_text="比较").first.click()
    page.wait_for_url("**/Compare?lang=zh", timeout=30_000)
    wait_idle(page)
    assert page.evaluate("window.__same_document === true")
    assert page.locator("h1").first.text_content().strip() == "比较优化器"
    page.wait_for_function("document.querySelector('.dl-instrument') && "
                           "document.querySelector('.dl-instrument').dataset.drawn", timeout=60_000)
    page.reload()
    wait_idle(page)
    assert "lang=zh" in page.url and page.locator("h1").first.text_content().strip() == "比较优化器"
    assert not page.evaluate("window.__same_document === true")


def test_a_browser_that_lost_the_scene_asks_for_it_again(server, page):
    """The scenes this browser holds are dropped; the next rerun sends only paths, the instrument asks for the scene
    ('missing') and draws the new paths once it is back."""
    before = open_drawn(page, f"{server}/Descent")
    page.evaluate("window.__descentLab.scenes.clear()")
    lr_notch(page)
    after = wait_new_paths(page, before["drawn"])
    assert after["scene"] == before["scene"]
    assert page.evaluate("window.__descentLab.scenes.has(document.querySelector('.dl-instrument').dataset.scene)")


def test_pausing_in_the_rest_at_the_end_of_a_loop_shows_the_end(server, page):
    """Home plays its run over and over, resting on the end: a pause in the rest shows the last step, where the path
    and the scrub bar are, not step 0."""
    open_settled(page, f"{server}/")
    page.select_option(".dl-speed", "4")  # a loop in 2 s
    end = int(page.get_attribute(".dl-scrub", "max"))
    page.wait_for_function("""(end) => Number(document.querySelector('.dl-instrument').dataset.cursor) === end""",
                           arg=end, timeout=90_000)
    page.click(".dl-play")
    assert page.get_attribute(".dl-play", "aria-pressed") == "false"
    assert page.inner_text(".dl-step") == f"step {end:,} / {end:,}"
    assert int(page.input_value(".dl-scrub")) == end


def test_the_loss_axis_spans_whole_decades_with_a_label_each(server, page):
    """/Descent's loss curve: the log axis runs from one power of ten to another, every tick a power of ten, and the
    highest labelled decade is at or above the curve's start."""
    open_settled(page, f"{server}/Descent")
    axis = page.evaluate("""() => { const g = document.querySelectorAll('.dl-instrument .js-plotly-plot')[2];
        const y = g._fullLayout.yaxis; const values = g._fullData.filter((t) => t.mode === 'lines')[0].y;
        return {range: y.range, ticks: y._vals.map((v) => v.x), high: Math.max(...values)}; }""")
    low, top = axis["range"]
    assert low == int(low) and top == int(top)
    assert axis["ticks"] and all(float(v).is_integer() for v in axis["ticks"]), axis["ticks"]
    assert max(axis["ticks"]) == top and 10 ** (top - 1) < axis["high"] <= 10 ** top


def test_the_traces_the_browser_builds_pass_plotlys_own_validation(server, page):
    """What instrument.js hands Plotly (the scene filled in, the paths sliced to the cursor, the heads and the loss
    marker), read back from the three graph divs of a two-run race with -grad f arrows, validated by plotly.py
    against Plotly's schema: an unknown property or a bad value raises. tests/test_figures.py does the same for
    what Python builds."""
    open_drawn(page, f"{server}/Compare?runs=2&steps=300&arrows=true&scale=log")
    views = json.loads(page.evaluate(f"""() => JSON.stringify([0, 1, 2].map((i) => {{
        const gd = document.querySelectorAll('{VIEW} .js-plotly-plot')[i];
        return {{data: gd.data, layout: gd.layout}}; }}),
        (key, value) => key.startsWith('_') ? undefined : ArrayBuffer.isView(value) ? Array.from(value) : value)"""))
    assert [len(v["data"]) for v in views] == [2 + 4, len(views[1]["data"]), 4] and len(views[1]["data"]) >= 6
    for view in views:
        go.Figure(view)  # raises ValueError on anything Plotly does not know
    heads = [t for t in views[0]["data"] if t.get("legendgroup", "").startswith("p") and t.get("mode") == "markers"]
    assert len(heads) == 2 and all(len(t["x"]) == 1 for t in heads)
