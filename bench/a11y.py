"""Accessibility and phone figures (prints them): axe-core's violations per page, language and screen size, by impact
(every frame, the Copy link frame included), and a 250 px one-finger swipe over each plot on a phone.

    python bench/a11y.py                 # this working tree
    python bench/a11y.py --rules         # also each violation: rule, element, frame
    python bench/a11y.py --pages Descent,Compare --sizes phone --langs en
"""
from __future__ import annotations

import argparse
import collections
import sys
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.audit import PAGES, SIZES, audit, open_settled, swipe_plot  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402


def axe_table(browser, base: str, pages, langs, sizes, rules: bool) -> None:
    """One line per page, language and size: the elements that break a rule, by impact and by rule."""
    print("page        lang size     critical serious moderate minor  rules (c: critical, s: serious, m: moderate, "
          "n: minor)")
    for size in sizes:
        context = browser.new_context(**SIZES[size])
        page = context.new_page()
        for name in pages:
            for lang in langs:
                open_settled(page, f"{base}/{name}" + ("?lang=zh" if lang == "zh" else ""))
                found = audit(page)
                count = collections.Counter(v.impact for v in found)
                by_rule = collections.Counter(f"{v.rule}({'n' if v.impact == 'minor' else v.impact[0]})"
                                              for v in found)
                print(f"{name or 'Home':11} {lang:4} {size:8} {count['critical']:8} {count['serious']:7} "
                      f"{count['moderate']:8} {count['minor']:5}  "
                      + ", ".join(f"{r} x{n}" for r, n in sorted(by_rule.items())))
                if rules:
                    for v in found:
                        print(f"    {v.rule} [{v.impact}] {v.frame}: {v.target[:110]} -- {v.summary[:160]}")
        context.close()


def phone_table(browser, base: str) -> None:
    """A 250 px upward swipe over each plot of Home, /Descent and /Compare: the page's scroll and the plot's view."""
    context = browser.new_context(**SIZES["phone"])
    page = context.new_page()
    print("\npage     plot  swipe  scroll before -> after   view unchanged")
    for name in ("", "Descent", "Compare"):
        open_settled(page, f"{base}/{name}")
        for i in range(page.locator(".js-plotly-plot").count()):
            r = swipe_plot(page, i)
            same = r["view"][0] == r["view"][1]
            print(f"{name or 'Home':8} {i:4}  {r['dy']:+5.0f}  {r['scroll'][0]:6.0f} -> {r['scroll'][1]:6.0f}   {same}"
                  + ("" if same else f"  {r['view'][0]} -> {r['view'][1]}"))
    context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(p or "Home" for p in PAGES))
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--sizes", default="desktop,phone")
    ap.add_argument("--rules", action="store_true")
    ap.add_argument("--no-phone", action="store_true")
    ap.add_argument("--url", help="a running server's base URL (else one is started from this working tree)")
    a = ap.parse_args()
    pages = ["" if p == "Home" else p for p in a.pages.split(",")]
    from playwright.sync_api import sync_playwright

    server = nullcontext(a.url) if a.url else streamlit_server(ROOT, env={"DESCENT_WARM_SCENES": "0"})
    with server as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        axe_table(browser, base, pages, a.langs.split(","), a.sizes.split(","), a.rules)
        if not a.no_phone:
            phone_table(browser, base)
        browser.close()


if __name__ == "__main__":
    main()
