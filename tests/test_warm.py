"""Scene links open from cache: after the warm-up, each scene's page asks for no run and builds no figure."""
import pytest
from streamlit.testing.v1 import AppTest

from core.run import loop
from tests.test_share import PAGES
from ui import compute
from ui.scenes import SCENES
from ui.warm import FIGURE_PAGES, warm_scenes

WARMED = [s for s in SCENES if s.page in FIGURE_PAGES]


@pytest.fixture(scope="module")
def warmed():
    compute.warm_up()  # the process's own warm-up run, before anything is counted
    return warm_scenes()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scene", WARMED, ids=[s.key for s in WARMED])
def test_a_scene_page_finds_its_runs_and_figures_cached(warmed, monkeypatch, scene, lang):
    calls = []
    monkeypatch.setattr(loop.Runner, "run", lambda self, *a, **k: calls.append(self.config))  # any new run shows
    monkeypatch.setattr(compute, "scene", lambda *a, **k: calls.append("scene"))  # and any new view
    monkeypatch.setattr(compute, "path_arrays", lambda *a, **k: calls.append("paths"))
    at = AppTest.from_file(PAGES[scene.page], default_timeout=120)
    for key, value in [*scene.params, ("lang", lang)]:
        at.query_params[key] = value
    at.run()
    assert not at.exception and not calls, (scene.key, calls)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_home_page_finds_the_tutorials_run_cached(warmed, monkeypatch, lang):
    """The home page plays the source tutorial's run: the same run and view as its scene, warmed with it."""
    calls = []
    monkeypatch.setattr(loop.Runner, "run", lambda self, *a, **k: calls.append(self.config))
    monkeypatch.setattr(compute, "scene", lambda *a, **k: calls.append("scene"))
    monkeypatch.setattr(compute, "path_arrays", lambda *a, **k: calls.append("paths"))
    at = AppTest.from_file(PAGES["Home"], default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception and not calls, calls
