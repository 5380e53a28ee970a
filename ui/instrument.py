"""The instrument: the 3D view, the contour and the loss curve of one or more runs, with one step cursor, drawn and
played in the browser (ui/instrument.js and the files of JS_FILES, one Streamlit components v2 module that owns its
Plotly graph divs).

A rerun sends the paths; the scene (surface, contour, axes: viz.instrument.scene) goes to a session only when it has
not been sent there yet. The browser keeps scenes by id and asks again ('missing') if it has lost one.
"""
from __future__ import annotations

import functools
import html
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Callable

import plotly
import streamlit as st
from streamlit import config

from ui.protocol import Data, Paths, Texts

HERE = Path(__file__).parent
STATIC = HERE.parent / "static"  # served at /app/static/ (server.enableStaticServing in .streamlit/config.toml)
SENT = "_instrument_scenes"  # session state: the scene id each instrument key was last sent
_LOG = logging.getLogger(__name__)

HTML, CSS = ((HERE / name).read_text(encoding="utf-8") for name in ("instrument.html", "instrument.css"))
JS_FILES = ("instrument_state.mjs", "instrument.js", "instrument_draw.js", "instrument_controls.js")  # one module
JS = "\n".join((HERE / name).read_text(encoding="utf-8") for name in JS_FILES)
_component = st.components.v2.component(
    "descent_lab.instrument",
    html=HTML,
    css=CSS,
    js=JS,
    isolate_styles=False,  # Plotly adds its styles (modebar, hover labels) to the document, not to a shadow root
)


@functools.cache
def plotly_file() -> Path:
    """The installed plotly package's own plotly.min.js, copied once into the app's static folder (named by version
    so that browsers fetch it again after an upgrade): no CDN, so a classroom behind a firewall gets it too."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    target = STATIC / f"plotly-{plotly.__version__}.min.js"
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return target
    try:
        STATIC.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=STATIC, delete=False, suffix=".tmp") as tmp:
            tmp.write(source.read_bytes())
        os.chmod(tmp.name, 0o644)  # a temporary file is private to its owner; this one is for every reader
        os.replace(tmp.name, target)  # atomic: processes starting together never serve half a file
    except OSError as err:
        _LOG.error("cannot copy plotly.js into %s: %s", STATIC, err)
    return target


def plotly_url() -> str:
    """The address the browser loads Plotly.js from, under the server's base path."""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}/app/static/{plotly_file().name}"


def instrument(key: str, scene: dict, paths: Paths, texts: Texts, *, autoplay: bool = False,
               loop: bool = False, only3d: bool = False,
               on_click: Callable[[float, float], None] | None = None) -> None:
    """Mount the instrument under `key`: `scene` from viz.instrument.scene, `paths` as {"id", "paths"}.

    autoplay starts playing each new set of paths from step 0 (presentation mode); loop plays them again and again
    and only3d leaves out the contour and the loss curve (the home page). on_click(x, y) receives a click on the
    contour, before the page's widgets are drawn.
    """
    sent = st.session_state.setdefault(SENT, {})
    data: Data = {"plotly": plotly_url(), "scene_id": scene["id"], "paths_id": paths["id"], "paths": paths["paths"],
                  "texts": texts, "autoplay": autoplay, "loop": loop, "only3d": only3d}
    if sent.get(key) != scene["id"]:
        data["scene"] = scene
    _component(key=key, data=data, on_click_change=functools.partial(_clicked, key, on_click),
               on_missing_change=functools.partial(_forget, key))
    sent[key] = scene["id"]


def page_file(scene: dict, paths: Paths, texts: Texts, title: str) -> str:
    """The instrument as a page of its own (the "Figure (HTML)" download): the same markup, styles and JavaScript
    as in the app, with Plotly.js, the scene and the paths inside the file, so it opens offline and cannot draw a
    path otherwise than the page did. It plays from the start when Play is pressed; a click on the contour does
    nothing."""
    data: Data = {"plotly": "", "scene_id": scene["id"], "scene": scene, "paths_id": paths["id"],
                  "paths": paths["paths"], "texts": texts, "autoplay": False, "loop": False, "only3d": False}
    module = JS.replace("export default function", "const standalone = function")  # a classic script, no module
    module = re.sub(r"^export ", "", module, flags=re.M)
    inline = json.dumps(data).replace("</", "<\\/")  # nothing in the data can close the script element
    root = 'document.getElementById("dl-root")'
    start = f"standalone({{data: {inline}, parentElement: {root}, setTriggerValue() {{}}}});"
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return "".join([
        f'<!doctype html>\n<html lang="{html.escape(texts["locale"])}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>body {{ font-family: sans-serif; margin: 1rem; }}\n{CSS}</style>",
        f"<script>{source.read_text(encoding='utf-8')}</script></head>",
        f'<body><div id="dl-root">{HTML}</div><script>\n{module}\n{start}\n</script></body></html>\n'])


def _clicked(key: str, on_click: Callable[[float, float], None] | None) -> None:
    point = (st.session_state.get(key) or {}).get("click")
    if on_click is None or not isinstance(point, dict):
        return
    try:
        x, y = float(point["x"]), float(point["y"])
    except (KeyError, TypeError, ValueError):
        return
    on_click(x, y)


def _forget(key: str) -> None:
    """The browser asked for the scene again: send it with this rerun."""
    st.session_state.setdefault(SENT, {}).pop(key, None)
