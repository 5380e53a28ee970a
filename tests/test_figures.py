"""The figures viz builds are valid Plotly figures (Streamlit no longer validates them on every rerun, and the
instrument hands them to plotly.js as they are), their texts are in the page's language, and the downloadable 3D
view's data grows with the steps shown, not with frames x steps."""
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from core.grid import surface
from core.run import make_config, run
from viz.instrument import scene
from viz.style import Path, Prepared
from viz.surface import surface_figure


@pytest.fixture(scope="module")
def paths():
    config = make_config({"lr": 1e-3}, steps=2000)
    other = make_config({"lr": 1e-2}, optimizer="rmsprop", starts=[(-4.0, 0.0)], steps=2000)
    return [Path(run(config), 0, "a"), Path(run(other), 0, "b", "#2e86ab")], surface(config.objective_spec)


def figures(paths, surf, tr=lambda s: s):
    """The download's 3D figure, and the instrument's three views as the scene gives them (without the paths)."""
    view = scene(paths[0].traj.objective, surf, "log", arrows=True, tr=tr)
    return {"download": surface_figure(paths, surf, tr=tr), "surface": view["surface"], "contour": view["contour"],
            "loss": {"data": [], **view["loss"]}}


def test_every_figure_dict_passes_plotlys_own_validation(paths):
    for name, spec in figures(*paths).items():
        go.Figure(spec)  # raises ValueError on any property Plotly does not know or any bad value
        assert json.loads(pio.to_json(Prepared(spec).to_dict(), validate=False))["layout"], name


def test_the_3d_frames_carry_only_the_heads(paths):
    """Each frame moves one head per path to the path's point at that frame's step (read back from the run)."""
    ps, surf = paths
    spec = surface_figure(ps, surf)
    frames = spec["frames"]
    assert len(frames) == 200 and all(len(f["data"]) == 2 and len(f["data"][0]["x"]) == 1 for f in frames)
    for frame in frames[::37]:
        step = int(frame["name"])
        for p, data in zip(ps, frame["data"]):
            k = min(step, p.end)
            assert np.allclose([data["x"][0], data["y"][0]], p.traj.positions[k, p.row], atol=1e-6)
    sent = len(pio.to_json(Prepared(spec).to_dict(), validate=False))
    assert sent < 250_000  # 0.54 MB for one path when every frame carried the path so far


def test_texts_inside_figures_follow_the_words_given(paths):
    zh = {"known minima": "已知极小值", "Play": "播放", "step k": "第 k 步", "height": "高度"}
    spec = json.dumps(figures(*paths, tr=lambda s: zh.get(s, s)), default=lambda o: None, ensure_ascii=False)
    assert all(word in spec for word in zh.values()) and "known minima" not in spec
