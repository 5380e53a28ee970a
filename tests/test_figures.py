"""The figures viz builds are valid Plotly figures (the instrument hands them to plotly.js as they are; the traces it
builds in the browser are validated in tests/test_instrument_browser.py), their texts are in the page's language,
and the "Figure (HTML)" download is the instrument itself, with the page's own scene and paths inside."""
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from core.grid import surface
from core.run import make_config, run
from ui.instrument import JS, page_file
from viz.instrument import digest, labels, lift, path_arrays, scene
from viz.style import Path


@pytest.fixture(scope="module")
def paths():
    config = make_config({"lr": 1e-3}, steps=2000)
    other = make_config({"lr": 1e-2}, optimizer="rmsprop", starts=[(-4.0, 0.0)], steps=2000)
    return [Path(run(config), 0, "a"), Path(run(other), 0, "b", "#2e86ab")], surface(config.objective_spec)


def views(paths, surf, tr=lambda s: s):
    """The instrument's three views as the scene gives them (without the paths)."""
    view = scene(paths[0].traj.objective, surf, "log", arrows=True, tr=tr)
    return {"surface": view["surface"], "contour": view["contour"], "loss": {"data": [], **view["loss"]}}


def test_every_figure_dict_passes_plotlys_own_validation(paths):
    for spec in views(*paths).values():
        go.Figure(spec)  # raises ValueError on any property Plotly does not know or any bad value


def test_texts_inside_figures_follow_the_words_given(paths):
    zh = {"known minima": "已知极小值", "step k": "第 k 步", "height": "高度"}
    spec = json.dumps(views(*paths, tr=lambda s: zh.get(s, s)), default=lambda o: None, ensure_ascii=False)
    assert all(word in spec for word in zh.values()) and "known minima" not in spec


def test_the_download_is_the_instrument_with_the_pages_own_scene_and_paths(paths):
    """One renderer: the file holds the instrument's JavaScript as the app sends it (a classic script), the scene
    and the packed paths the page drew, and Plotly.js; a label cannot close the script element it travels in."""
    ps, surf = paths
    view = scene(ps[0].traj.objective, surf, "f")
    packed = path_arrays(ps, surf, "f", lift(surf, "f"))
    texts = {"play": "Play", "locale": "en", "labels": labels(["</script><b>x</b>", "b"]), "scene": {}}
    html = page_file(view, {"id": digest(packed), "paths": packed}, texts, "a · Descent Lab")
    body = html.split('<div id="dl-root">', 1)[1]
    assert re.sub(r"^export ", "", JS.replace("export default function", "const standalone = function"),
                  flags=re.M) in body
    data = json.loads(re.search(r"standalone\(\{data: (.*), parentElement:", body).group(1))
    assert data["paths"] == packed and data["scene"] == view and data["autoplay"] is False
    assert body.count("</script>") == 1 and "<b>" not in body  # only the script's own end tag
    assert not re.search(r"<script[^>]*\ssrc=", html) and "Plotly" in html.split("</head>")[0]
    assert np.isclose(len(html) / 1e6, 4.8, atol=1.0)  # Plotly.js is most of it
