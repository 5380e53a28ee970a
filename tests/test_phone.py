"""On a phone (headless Chromium at 390 x 844, touch, 2x, a phone's User-Agent): a finger swiping over any plot scrolls
the page and leaves the plot as it was (/Slices' plain Plotly charts too); the plots turn only after the "Turn and
zoom" switch; /Descent's first screen shows the 3D view with its Play, within the screen's width; Home, /Descent and
/Compare pass tests/test_a11y.py's checks at this size too."""
import json

import pytest

from tests.audit import PHONE, SCROLLER, VIEW_STATE, open_settled, scroll_at_rest, swipe, swipe_plot
from tests.test_a11y import assert_accessible

SWITCH = ".dl-instrument .dl-touch"


@pytest.fixture()
def phone(browser):
    """A page in a phone-sized, touch-enabled browser context."""
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path,plots", [("", 1), ("Descent", 3), ("Compare", 3), ("Slices", 3)])
def test_a_swipe_over_each_plot_scrolls_the_page_and_leaves_the_plot(server, phone, path, plots):
    """Each plot, swiped 250 px with one finger: the page scrolls at least 100 px, the camera or the axes stay."""
    open_settled(phone, f"{server}/{path}")
    assert_accessible(phone)
    assert phone.locator(".js-plotly-plot").count() == plots
    for i in range(plots):
        r = swipe_plot(phone, i)
        moved = r["scroll"][1] - r["scroll"][0]
        assert moved * r["dy"] < 0 and abs(moved) >= 100, (path, i, r)  # scrolled, the way the finger pushed
        assert r["view"][0] == r["view"][1], (path, i, r)


def test_a_swipe_over_the_models_data_scrolls_the_page(server, phone):
    """/Model's scatter of the data set (its instrument is /Descent's, swiped above): a swipe scrolls the page and
    leaves the scatter's axes as they were."""
    open_settled(phone, f"{server}/Model")
    assert phone.locator(".js-plotly-plot").count() == 4
    r = swipe_plot(phone, 3)
    moved = r["scroll"][1] - r["scroll"][0]
    assert moved * r["dy"] < 0 and abs(moved) >= 100 and r["view"][0] == r["view"][1], r


def test_descents_first_screen_and_the_switch_that_frees_the_plots(server, phone):
    """At the top of /Descent the 3D view and Play lie within the 390 x 844 screen. After a tap on "Turn and zoom"
    a swipe over the 3D view turns it and the page stays; a second tap stills it again; the switch shows its state."""
    open_settled(phone, f"{server}/Descent")
    view = phone.locator(".dl-instrument .dl-surface").bounding_box()
    play = phone.locator(".dl-instrument .dl-play").bounding_box()
    for box in (view, play):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert play["height"] >= 44 and play["width"] >= 44
    switch = phone.locator(SWITCH)
    assert switch.get_attribute("aria-checked") == "false" and "off" in switch.inner_text()
    switch.tap()
    assert switch.get_attribute("aria-checked") == "true" and "on" in switch.inner_text()
    plot = phone.locator(".js-plotly-plot").first
    plot.evaluate(f"(g) => {{ const s = ({SCROLLER})(g); s.scrollTop += g.getBoundingClientRect().top - 120; }}")
    scroll_at_rest(phone, 0)  # a smooth scroll comes to rest
    before = plot.evaluate(f"(g) => [({SCROLLER})(g).scrollTop, ({VIEW_STATE})(g)]")
    box = plot.bounding_box()
    swipe(phone, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, -150)
    scroll_at_rest(phone, 0)
    after = plot.evaluate(f"(g) => [({SCROLLER})(g).scrollTop, ({VIEW_STATE})(g)]")
    assert after[1] != before[1], (before, after)  # turned
    assert abs(after[0] - before[0]) < 5, (before, after)  # and the page stayed
    eye = json.loads(after[1])
    assert all(abs(v) < 1e3 for v in eye.values())
    switch.tap()
    assert switch.get_attribute("aria-checked") == "false"

