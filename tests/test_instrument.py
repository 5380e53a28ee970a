"""What the instrument is sent: the paths as packed arrays that decode to the run's own numbers, each view's fixed part
once per session, labels that plotly.js cannot read as markup, and Plotly.js from the installed plotly package."""
import base64
import json
from pathlib import Path

import numpy as np
import plotly
import pytest
from streamlit.testing.v1 import AppTest

from core.grid import surface
from core.objectives import get_objective
from core.run import make_config, run
from tests.test_share import PAGES
from ui import instrument
from viz.instrument import labels, lift, path_arrays, scene, text, typed
from viz.style import Path as RunPath


def unpacked(spec: dict) -> np.ndarray:
    """A typed-array spec decoded by hand (little-endian bytes in base64), as plotly.js and instrument.js read it."""
    dtype = {"f4": "<f4", "i4": "<i4"}[spec["dtype"]]
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)
    return a.reshape([int(n) for n in spec["shape"].split(",")]) if "shape" in spec else a


@pytest.fixture(scope="module")
def runs():
    adam = run(make_config({"lr": 1e-3}, steps=2000))
    sgd = run(make_config({"lr": 1e-3}, optimizer="sgd", starts=[(-4.0, 0.0), (1.0, 1.0)], steps=700, tol=None))
    return adam, sgd, surface(adam.objective)


def test_typed_arrays_decode_to_the_same_numbers():
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    assert np.array_equal(unpacked(typed(a)), a.astype(np.float32))
    assert typed(a)["shape"] == "3,4"
    steps = np.array([0, 5, 2**31 - 1])
    assert np.array_equal(unpacked(typed(steps, "int32")), steps)


def test_paths_decode_to_the_runs_own_points(runs):
    """Each path's steps, x, y, height and loss value are the trajectory's at those steps (f - f* in float64)."""
    adam, sgd, surf = runs
    paths = [RunPath(adam, 0, "a"), RunPath(sgd, 1, "b")]
    above = lift(surf, "log")
    packed = path_arrays(paths, surf, "log", above)
    assert [p["end"] for p in packed] == [2000, 700]
    for p, spec in zip(paths, packed):
        steps = unpacked(spec["steps"])
        assert steps[0] == 0 and steps[-1] == p.end and np.all(np.diff(steps) > 0)
        xy = p.traj.positions[steps, p.row]
        f = p.traj.losses[steps, p.row].astype(np.float64)
        assert np.allclose(unpacked(spec["x"]), xy[:, 0], rtol=1e-6, atol=1e-6)
        assert np.allclose(unpacked(spec["y"]), xy[:, 1], rtol=1e-6, atol=1e-6)
        assert np.allclose(unpacked(spec["z"]), np.log1p(f) + above, rtol=1e-6)  # Himmelblau: f >= 0, no shift
        assert np.allclose(unpacked(spec["loss"]), f - 0.0, rtol=1e-6)
    assert len(unpacked(packed[0]["steps"])) == 1000  # 2,000 points shared by two paths


def test_a_long_run_is_sampled_and_keeps_its_last_step(runs):
    adam, _, surf = runs
    long = run(make_config({"lr": 1e-3}, steps=5000))
    spec = path_arrays([RunPath(long)], surf, "f", 0.0)[0]
    steps = unpacked(spec["steps"])
    assert len(steps) == 2000 and steps[-1] == 5000


def test_labels_reach_plotly_as_text_not_markup(runs):
    adam, _, surf = runs
    spec = path_arrays([RunPath(adam, 0, '<img src=x onerror="alert(1)">')], surf, "f", 0.0)[0]
    assert "label" not in spec  # labels travel with the texts, not with the numbers
    assert labels(['<img src=x onerror="alert(1)">']) == ['&lt;img src=x onerror=&quot;alert(1)&quot;&gt;']
    assert text("a < b & c") == "a &lt; b &amp; c"


def test_the_scene_keeps_the_users_view_for_one_objective_and_resets_it_for_another(runs):
    *_, surf = runs
    himmelblau = get_objective("himmelblau")
    plain, logged = scene(himmelblau, surf, "f"), scene(himmelblau, surf, "log", arrows=True)
    assert plain["id"] != logged["id"]  # another scene, sent again
    revisions = {v["layout"]["uirevision"] for v in (plain["surface"], logged["surface"], logged["contour"])}
    assert len(revisions) == 1  # ... but the user's camera and zoom stay
    rosenbrock = get_objective("rosenbrock")
    other = scene(rosenbrock, surface(rosenbrock), "f")
    assert other["surface"]["layout"]["uirevision"] not in revisions
    z = unpacked(plain["surface"]["data"][0]["z"])
    assert z.shape == surf.f.shape and np.allclose(z, surf.f, rtol=1e-6)


def bidi(at: AppTest) -> dict:
    return json.loads(at.get("bidi_component")[0].proto.json)


def test_the_scene_goes_to_a_session_once():
    at = AppTest.from_file(PAGES["Descent"], default_timeout=120)
    at.run()
    first = bidi(at)
    assert "scene" in first and first["scene"]["id"] == first["scene_id"]
    at.select_slider(key="lr").set_value(0.002).run()
    second = bidi(at)
    assert "scene" not in second and second["scene_id"] == first["scene_id"]
    assert second["paths_id"] != first["paths_id"]
    at.session_state[instrument.SENT] = {}  # a new session's state, or what the browser's 'missing' trigger leaves
    at.run()
    assert "scene" in bidi(at)


def test_a_language_switch_sends_the_same_scene_and_paths_with_new_texts():
    """Numbers carry no display text: in Chinese the scene and the paths keep their ids (the browser keeps both and
    autoplay does not start again); the texts, the scene's marked texts and the labels are in Chinese."""
    at = AppTest.from_file(PAGES["Descent"], default_timeout=120)
    at.run()
    en = bidi(at)
    at.selectbox(key="lang").set_value("zh").run()
    zh = bidi(at)
    assert (zh["scene_id"], zh["paths_id"]) == (en["scene_id"], en["paths_id"]) and "scene" not in zh
    assert set(zh["texts"]["scene"]) == set(en["texts"]["scene"]) == set(en["scene"]["words"])
    catalogue = json.loads((Path(__file__).parents[1] / "locales" / "zh.json").read_text(encoding="utf-8"))
    assert zh["texts"]["scene"] == {k: catalogue[k] for k in en["scene"]["words"]}
    assert zh["texts"]["labels"] == [catalogue["path"]] and zh["texts"]["play"] == catalogue["Play"]
    assert "known minima" in en["scene"]["words"] and "⟦known minima⟧" in json.dumps(en["scene"], ensure_ascii=False)


def test_plotly_js_comes_from_the_installed_plotly_package():
    served = instrument.plotly_file()
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert served.read_bytes() == source.read_bytes()
    assert served.parent == Path(instrument.__file__).resolve().parents[1] / "static"
    assert instrument.plotly_url().startswith("/app/static/plotly-") and "://" not in instrument.plotly_url()
