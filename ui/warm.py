"""Scene links a class opens together, computed before anyone asks: once per server process, in the background,
every scene's runs, instrument views and stated numbers go into the same caches the pages read (the views are
numbers only: the same in every language).

A scene's runs are those its page's function in ui/plans.py makes of the values the link's codec reads from the
scene's link; tests/test_warm.py checks that each scene's page then finds everything cached.
"""
from __future__ import annotations

import sys
import threading
import time

import streamlit as st

from core.run import Reason, RunConfig, Trajectory
from ui import plans
from ui.compute import cached_run, view
from ui.scenes import SCENES, Scene, settings, stated

FIGURE_PAGES = {"Descent": plans.descent, "Compare": plans.compare, "Model": plans.model}  # the pages whose scenes
# run descents, by the function in ui/plans.py that makes their runs (the others compute in microseconds)


def scene_runs(scene: Scene) -> plans.Drawn:
    """The runs, height scale and arrows the scene's page draws."""
    return FIGURE_PAGES[scene.page](plans.link_values(scene.page, dict(scene.params)))


class _Cut(Exception):
    """A run a scene's text needs was cut short by the page view's compute budget."""


def _finished(config: RunConfig) -> Trajectory:
    traj = cached_run(config)
    if Reason.TIME_LIMIT in traj.reason:
        raise _Cut
    return traj


def scene_facts(scene: Scene) -> tuple[dict[str, str], bool]:
    """The numbers a scene's title and notice state, from the runs its page draws (the same cached runs), and
    whether they are all there: when a run was cut short by the compute budget, only its settings are."""
    if scene.page not in FIGURE_PAGES:
        return stated(scene, [], _finished), True
    runs = scene_runs(scene).runs
    try:
        return stated(scene, [(_finished(config), row) for config, row in runs], _finished), True
    except _Cut:
        return settings(runs[0][0], runs[0][1]), False


def warm_scenes() -> float:
    """Every scene's runs, instrument views and stated numbers into the caches; the seconds it took."""
    started = time.perf_counter()
    for scene in SCENES:
        scene_facts(scene)
        if scene.page in FIGURE_PAGES:
            drawn = scene_runs(scene)
            view(drawn.runs, drawn.scale, drawn.arrows, drawn.curvature)
    return time.perf_counter() - started


@st.cache_resource(show_spinner=False)
def start_warming() -> bool:
    """warm_scenes on a background thread, once per server process (the first page of a fresh process starts it:
    Streamlit has no start-up hook)."""
    def work() -> None:
        print(f"descent-lab: scenes cached in {warm_scenes():.1f} s", file=sys.stderr, flush=True)

    threading.Thread(target=work, name="descent-warm-scenes", daemon=True).start()
    return True
