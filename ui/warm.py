"""Scene links a class opens together, computed before anyone asks: once per server process, in the background,
every scene's runs and figures go into the same caches the pages read, in both languages.

The runs a scene's page will ask for are worked out from the link and the schema (ui/params.py), as the page's
controls would read them; tests/test_warm.py checks that each scene's page then finds everything cached.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Any

import streamlit as st

from core.run import Reason, RunConfig, Trajectory
from ui import params
from ui.compute import Runs, cached_run, race_runs, view
from ui.i18n import LANGS, words
from ui.params import DEFAULT_RUNS, Param
from ui.scenes import SCENES, Scene, settings, stated

FIGURE_PAGES = ("Descent", "Compare")  # the pages whose scenes run descents (the others compute in microseconds)


def link_values(schema: dict[str, Param], link: dict[str, str]) -> dict[str, Any]:
    """Each parameter's value as its control reads it from the link (the default where the link has none)."""
    return {key: p.default if key not in link else _parse(p, link[key]) for key, p in schema.items()}


def _parse(p: Param, raw: str) -> Any:
    if p.widget in ("toggle", "checkbox"):
        return raw.lower() == "true"
    if p.options:
        return next(o for o in p.options if str(o) == raw or (isinstance(o, float) and float(raw) == o))
    return type(p.default)(float(raw))


def _settings(values: dict[str, Any], prefix: str = "", default: str = "adam",
              lr: float | None = None) -> tuple[str, dict[str, Any]]:
    """(optimizer, hyperparameters) as optimizer_controls reads them."""
    opt = values[prefix + "opt"]
    return opt, params.hyper_settings(opt, lambda h, i, p: values.get(p.key, p.default), prefix, default, lr)


def scene_runs(scene: Scene, language: str) -> tuple[Runs, str, bool]:
    """The runs, height scale and arrows the scene's page draws."""
    values = link_values(params.table(scene.page), dict(scene.params))
    tol = None if values["tol"] == "off" else float(values["tol"])
    common = {"objective": values["fn"], "steps": int(values["steps"]), "tol": tol}
    if scene.page == "Descent":
        opt, hypers = _settings(values)
        runs = race_runs([(opt, hypers, (values["x0"], values["y0"]))], dtype=values["dtype"], **common)
        config = runs[0][0]
        return ((config, 0, words(language)("path")),), values["scale"], values["arrows"]
    settings = [(*_settings(values, f"r{i}_", *DEFAULT_RUNS[i - 1]), (values[f"r{i}_x0"], values[f"r{i}_y0"]))
                for i in range(1, values["runs"] + 1)]
    return race_runs(settings, **common), values["scale"], values["arrows"]


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
    runs, _, _ = scene_runs(scene, "en")
    try:
        return stated(scene, [(_finished(config), row) for config, row, _ in runs], _finished), True
    except _Cut:
        return settings(runs[0][0], runs[0][1]), False


def warm_scenes() -> float:
    """Every scene's runs, figures and stated numbers into the caches, in each language; the seconds it took."""
    started = time.perf_counter()
    for scene in SCENES:
        scene_facts(scene)
        if scene.page in FIGURE_PAGES:
            for language in LANGS:
                runs, scale, arrows = scene_runs(scene, language)
                view(runs, scale, arrows, language)
    return time.perf_counter() - started


@st.cache_resource(show_spinner=False)
def start_warming() -> bool:
    """warm_scenes on a background thread, once per server process (the first page of a fresh process starts it:
    Streamlit has no start-up hook)."""
    def work() -> None:
        print(f"descent-lab: scenes cached in {warm_scenes():.1f} s", file=sys.stderr, flush=True)

    threading.Thread(target=work, name="descent-warm-scenes", daemon=True).start()
    return True
