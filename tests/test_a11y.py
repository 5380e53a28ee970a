"""Accessibility in headless Chromium: axe-core (4.12, from axe-playwright-python) finds no critical or serious
violation on any page, in its frames too (the Copy link frame); headings go down one level at a time; the app's own
controls are at least 44 px; a keyboard reaches the instrument's Play in two key presses.

Each page is audited once, in English at desktop size or in Chinese on a phone (390 x 844, touch), in turn; the skip
link's test audits /Descent at desktop size too, and tests/test_phone.py Home, /Descent and /Compare on a phone. Every
page in both languages at both sizes would take four times as long in CI: `python bench/a11y.py` prints that matrix."""
import pytest

from tests.audit import DESKTOP, PAGES, PHONE, SEVERE, audit, open_settled

HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter((h) => h.textContent.trim()).map((h) => Number(h.tagName[1]))"""
# Controls drawn by the app itself (not Streamlit's widgets) and on the screen (not in a folded sidebar): the
# instrument's bar, the scenes' links, the page links
OWN_TARGETS = """() => [...document.querySelectorAll(
      '.dl-bar button, .dl-bar select, .dl-bar input, a.dl-tap, [data-testid="stPageLink"] a')]
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0 && r.left >= 0)
    .map((r) => [Math.round(r.width), Math.round(r.height)])"""


CASES = [(path, *(("en", DESKTOP) if i % 2 == 0 else ("zh", PHONE))) for i, path in enumerate(PAGES)]


def assert_accessible(page) -> None:
    """axe-core: 0 critical and 0 serious; one h1 and then no level skipped; the app's own targets 44 px or more."""
    found = [v for v in audit(page) if v.impact in SEVERE]
    assert not found, "\n".join(f"{v.rule} [{v.impact}] {v.frame}: {v.target}: {v.summary}" for v in found)
    levels = page.evaluate(HEADINGS)
    assert levels[:1] == [1] and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    small = [box for box in page.evaluate(OWN_TARGETS) if min(box) < 44]
    assert not small, small


@pytest.mark.parametrize("path,lang,size", CASES,
                         ids=[f"{p or 'Home'}-{lang}-{'phone' if s is PHONE else 'desktop'}" for p, lang, s in CASES])
def test_no_serious_violations_headings_in_order_and_big_targets(server, browser, path, lang, size):
    """axe-core finds nothing critical or serious, the headings are in order and the app's targets are big enough."""
    context = browser.new_context(**size)
    try:
        page = context.new_page()
        open_settled(page, f"{server}/{path}" + ("?lang=zh" if lang == "zh" else ""))
        assert_accessible(page)
    finally:
        context.close()


def test_the_keyboard_reaches_play_through_the_skip_link(server, page):
    """On /Descent the first Tab stop is the skip link, and Enter on it puts the focus on the instrument's Play."""
    open_settled(page, f"{server}/Descent")
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "dl-skip"
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the animation's Play button"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.classList.contains('dl-play')")
    page.keyboard.press("Space")  # and Play works from there
    page.wait_for_function("() => document.querySelector('.dl-play').getAttribute('aria-pressed') === 'true'")
