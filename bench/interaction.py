"""How fast the app answers a person in a browser: headless Chromium against `streamlit run` servers (prints figures).

    python bench/interaction.py                      # this working tree, beside the two floor pages
    python bench/interaction.py --before 5543cf6     # also a past commit (a git worktree), in the same run

Measured, each the median of --reps tries (at least 5), from the user's action until the page has settled: the
script idle, no skeletons left, the metrics changed, and every chart holding new data (each Plotly graph's data
replaced since the action, and the instrument's redraw of the new paths finished):
  - lr one notch on /Descent to a value seen before (cached), and to new values at defaults (the run's own compute
    time, the page's "time" metric, is reported and subtracted);
  - a click on the contour (both points cached);
  - a page load of /Descent with a warm server (a fresh browser context each time: nothing cached in the browser);
  - a switch from /Descent to /Compare through the sidebar's link.
The floors are bare pages shipped in bench/floors: one slider, one metric, one Plotly figure re-sent on every change
(3D, and 2D). The ratios compare each figure to them. Bytes are what the browser received over the websocket for
one lr change (a value seen before is often a reference to a message the browser already holds: Streamlit's
message cache).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import checkout  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

PROBE = """
window.__bench = {
  metrics() {
    return [...document.querySelectorAll("[data-testid='stMetricValue']")].map((e) => e.textContent).join("|");
  },
  mark() {
    document.querySelectorAll(".js-plotly-plot").forEach((p) => { p.__seen = p.data; });
    document.querySelectorAll(".dl-instrument").forEach((r) => { r.__seen = r.dataset.drawn; });
    return this.metrics();
  },
  settled(before, plots) {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testScriptState !== "notRunning") return false;
    if (document.querySelector("[data-testid='stSkeleton']")) return false;
    if (before !== null && this.metrics() === before) return false;
    const graphs = [...document.querySelectorAll(".js-plotly-plot")];
    if (graphs.length < plots) return false;
    if (!graphs.every((g) => g._fullData && g._fullData.length && g.data !== g.__seen)) return false;
    return [...document.querySelectorAll(".dl-instrument")].every(
      (r) => r.dataset.drawn && r.dataset.drawn === r.dataset.paths && r.dataset.drawn !== r.__seen);
  },
};
"""


class Session:
    """One browser page on one server, with the settle probe and a count of websocket bytes received."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.add_init_script(PROBE)
        self.page = self.context.new_page()
        self.received = 0
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.received += len(payload)

    def close(self) -> None:
        self.context.close()

    def settle(self, before: str | None, plots: int, started: float) -> float:
        try:
            self.page.wait_for_function("([b, n]) => window.__bench.settled(b, n)", arg=[before, plots],
                                        polling=20, timeout=120_000)
        except Exception:
            shot = Path(tempfile.gettempdir()) / "interaction-timeout.png"
            self.page.screenshot(path=str(shot), full_page=True)
            metrics = self.page.evaluate("window.__bench.metrics()")
            print(f"not settled after 120 s at {self.page.url} (metrics {metrics}, before {before}); "
                  f"screenshot {shot}", file=sys.stderr)
            raise
        return time.perf_counter() - started

    def open(self, path: str, plots: int) -> float:
        started = time.perf_counter()
        self.page.goto(self.base + path)
        return self.settle(None, plots, started)

    def act(self, action, plots: int, prepare=None) -> tuple[float, int]:
        """Seconds from the action to the settled page, and the bytes received meanwhile (after prepare, untimed)."""
        if prepare is not None:
            prepare()
        before = self.page.evaluate("window.__bench.mark()")
        self.received = 0
        started = time.perf_counter()
        action()
        return self.settle(before, plots, started), self.received

    def lr_key(self, key: str) -> None:
        thumb = self.page.locator("[data-testid='stSlider']", has_text="lr").first.get_by_role("slider")
        thumb.focus()
        thumb.press(key)

    def compute_seconds(self) -> float:
        """The run's own time, as the page's "time" metric shows it."""
        metric = self.page.locator("[data-testid='stMetric']", has_text="time").first
        return float(metric.locator("[data-testid='stMetricValue']").text_content().split()[0])


def median(values: list[float]) -> float:
    return statistics.median(values)


def floor_figures(browser, script: str, reps: int) -> dict[str, float]:
    with streamlit_server(ROOT, script=script) as base:
        s = Session(browser, base)
        s.open("/", 1)
        s.act(lambda: s.lr_key("ArrowRight"), 1)  # every value below has been seen once: a cached rerun
        s.act(lambda: s.lr_key("ArrowLeft"), 1)
        changes = [s.act(lambda k=k: s.lr_key(k), 1)[0] for k in ["ArrowRight", "ArrowLeft"] * reps]
        s.close()
        loads = []
        for _ in range(reps):
            fresh = Session(browser, base)
            loads.append(fresh.open("/", 1))
            fresh.close()
    return {"change": median(changes), "load": median(loads)}


def click_contour(s: Session, fx: float, fy: float) -> None:
    """A click at a fraction of the contour's plot area. Clicks come at least 0.5 s apart (app_figures' pause):
    Plotly takes two clicks within its 300 ms double-click delay for a double click, which resets the axes."""
    area = s.page.locator(".js-plotly-plot").nth(1).locator(".nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    s.page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def app_figures(browser, root: Path, reps: int) -> dict[str, float]:
    """Every measurement on one version of the app (a server of its own, warmed by a first visit to each page)."""
    out: dict[str, float] = {}
    say = lambda what: print(f"  {root.name}: {what}", file=sys.stderr, flush=True)  # noqa: E731
    with streamlit_server(root, env={"DESCENT_WARM_SCENES": "0"}) as base:
        s = Session(browser, base)
        s.open("/Descent", 3)
        s.open("/Compare", 3)  # warm both pages
        s.open("/Descent", 3)
        say("lr changes")
        new, sent_new = [], []
        for _ in range(reps):
            seconds, received = s.act(lambda: s.lr_key("ArrowRight"), 3)
            new.append(seconds - s.compute_seconds())
            sent_new.append(received)
        out["new"], out["bytes_new"] = median(new), median(sent_new)
        cached, sent = [], []
        for key in ["ArrowLeft", "ArrowRight"] * reps:  # back and forth over values seen above
            seconds, received = s.act(lambda k=key: s.lr_key(k), 3)
            cached.append(seconds)
            sent.append(received)
        out["cached"], out["bytes"] = median(cached), median(sent)
        say("clicks")
        pause = lambda: s.page.wait_for_timeout(500)  # noqa: E731
        for f in [(0.75, 0.25), (0.25, 0.75)]:  # two new starts, computed once
            s.act(lambda f=f: click_contour(s, *f), 3, pause)
        clicks = [s.act(lambda f=f: click_contour(s, *f), 3, pause)[0] for f in [(0.75, 0.25), (0.25, 0.75)] * reps]
        out["click"] = median(clicks)
        say("page switches")
        switches = []
        for _ in range(reps):
            s.open("/Descent", 3)
            link = s.page.locator("[data-testid='stSidebar'] a", has_text="Compare").first
            switches.append(s.act(link.click, 3)[0])
        out["switch"] = median(switches)
        s.close()
        say("page loads")
        loads = []
        for _ in range(reps):
            fresh = Session(browser, base)
            loads.append(fresh.open("/Descent", 3))
            fresh.close()
        out["load"] = median(loads)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="also measure this commit (a git worktree), in the same run")
    parser.add_argument("--reps", type=int, default=5, help="tries per figure, at least 5 (default 5)")
    args = parser.parse_args()
    if args.reps < 5:
        parser.error("--reps must be at least 5: the figures are medians of at least five tries")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        floor3d = floor_figures(browser, "bench/floors/surface3d.py", args.reps)
        floor2d = floor_figures(browser, "bench/floors/chart2d.py", args.reps)
        versions = {}
        if args.before:
            with checkout(args.before) as old:
                versions[f"before ({args.before})"] = app_figures(browser, old, args.reps)
                print(versions, file=sys.stderr, flush=True)
        versions["now"] = app_figures(browser, ROOT, args.reps)
        browser.close()
    report(floor3d, floor2d, versions)


def report(floor3d: dict, floor2d: dict, versions: dict[str, dict]) -> None:
    print(f"floor 3D (bare page, one 3D figure re-sent): change {floor3d['change']:.2f} s, "
          f"load {floor3d['load']:.2f} s")
    print(f"floor 2D (bare page, one 2D chart re-sent):  change {floor2d['change']:.2f} s, "
          f"load {floor2d['load']:.2f} s")
    for name, v in versions.items():
        print(f"{name}:")
        print(f"  lr change, cached:        {v['cached']:.2f} s  ({v['cached'] / floor3d['change']:.2f}x floor 3D, "
              f"{v['cached'] / floor2d['change']:.2f}x floor 2D), {v['bytes'] / 1000:.0f} kB received")
        print(f"  lr change, new (- run):   {v['new']:.2f} s  ({v['new'] / floor3d['change']:.2f}x floor 3D), "
              f"{v['bytes_new'] / 1000:.0f} kB received")
        print(f"  click on the contour:     {v['click']:.2f} s  ({v['click'] / floor3d['change']:.2f}x floor 3D)")
        print(f"  page load, warm server:   {v['load']:.2f} s  ({v['load'] / floor3d['load']:.2f}x floor 3D load)")
        print(f"  page switch to /Compare:  {v['switch']:.2f} s  ({v['switch'] / floor3d['load']:.2f}x floor 3D "
              f"load)")
    if len(versions) == 2:
        (_, old), (_, new) = versions.items()
        print("now / before: " + ", ".join(f"{k} {new[k] / old[k]:.2f}" for k in
                                           ("cached", "new", "click", "load", "switch", "bytes", "bytes_new")))


if __name__ == "__main__":
    main()
