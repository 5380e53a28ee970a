"""Every page's frame: the page list, set-up, the language switch and navigation, presentation mode, refusals
from core shown as an error, and the link notice at the end."""
from __future__ import annotations

import html
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.run import compiled
from ui import params, urlstate
from ui.access import access
from ui.codec import linked
from ui.compute import begin_view, cut_notice, warm_up
from ui.controls import control
from ui.i18n import lang, say, t
from ui.params import Param
from ui.warm import start_warming

PRESENT_CSS = """<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
h1 { font-size: 3rem !important; }
</style>"""

LAST_PAGE, CARRIED = "_last_page", "_carried"  # session state: the page of the last run, and what it carries over
PAGES = (  # path, name in the navigation, icon, what it is (the home page lists these); in navigation order
    ("app.py", "Home", "🏠", ""),
    ("pages/1_Descent.py", "Descent", "⛰️", "an optimizer on a 3D surface, step by step"),
    ("pages/2_Compare.py", "Compare", "🏁", "up to six optimizers racing on one surface"),
    ("pages/3_Basins.py", "Basins", "🗺️", "where every start of a grid ends up"),
    ("pages/4_Sweep.py", "Sweep", "📈", "one start, many learning rates"),
    ("pages/5_Perceptron.py", "Perceptron", "🧮", "w.grad from autograd beside the hand derivation"),
    ("pages/6_Chain_Rule.py", "Chain rule", "🔗", "local derivatives, their product, and autograd's graph"),
    ("pages/7_Tensors.py", "Tensors", "📋", ".tolist() and .item()"),
    ("pages/8_Scenes.py", "Scenes", "🎬", "prepared links for a live demo"),
    ("pages/9_Model.py", "Model", "🎯", "an optimizer on the perceptron's own loss, with minibatches"),
    ("pages/10_Slices.py", "Slices", "🔪", "a bigger model's loss on one plane through its trained weights"),
)


@contextmanager
def page(name: str, title: str) -> Iterator[dict[str, Param]]:
    """The frame of page `name` (its key in ui/params.SCHEMA), titled `title`; yields the page's parameters.

    Settings that core refuses end the page's body with the refusal, worded in the page's language; the notice
    about the link's parameters is always written last.
    """
    begin_view()  # one compute budget for everything this script run asks for
    setup(name, title)
    try:
        yield params.table(name)
    except ValueError as err:  # core's refusals (CoreError) and torch's own, as the pages caught them before
        st.error(t("These settings cannot run: {error}", error=say(err)))
    cut_notice()
    urlstate.finish()
    compiled.start_background()  # once per process; DESCENT_COMPILE=0 turns it off (core/run/compiled.py)
    if os.environ.get("DESCENT_WARM_SCENES", "1") != "0":
        start_warming()  # once per process, after the first page is out: it should not wait behind the scenes


def setup(name: str, title: str) -> None:
    """Page config, what a page switch carries over, one-time process set-up (torch threads, first-use imports),
    the link's raw parameters, the language switch, the navigation in that language, the share control and
    presentation mode."""
    # the toggle below is not drawn yet: read the link itself to start with the sidebar tucked away
    linked_present = linked(params.PRESENT, st.query_params.get_all("present"))
    st.set_page_config(page_title=f"{t(title)} · Descent Lab", page_icon="⛰️", layout="wide",
                       initial_sidebar_state="collapsed" if linked_present else "auto")
    carry_over(name)
    urlstate.start(params.table(name))
    warm_up()
    with st.sidebar:
        control(params.LANG, "Language · 语言", help="English · 简体中文 (lang=zh)")
        for path, label, icon, _ in PAGES:
            page_link(path, label=t(label), icon=icon)
        st.divider()
        urlstate.share_link(t("Copy link"), t("Copied"), t("This page's address"), lang())
        if control(params.PRESENT, t("presentation mode"),
                   help=t("large text, controls tucked away, the animation plays by itself")):
            st.html(PRESENT_CSS)
    access()
    st.session_state[CARRIED] = carried()


def carry_over(name: str) -> None:
    """After a switch from another page of this session, put its language and presentation mode back in the address.

    Streamlit's page switch drops from the new page's query string the parameters bound to a control of the page
    it leaves (lang and present are on every page), so the new page reruns itself once with them and with the rest
    of the link it was opened with (a scene's settings): the address bar, a reload and a copied link then all show
    the page as it is.
    """
    before, st.session_state[LAST_PAGE] = st.session_state.get(LAST_PAGE), name
    carry = st.session_state.get(CARRIED) or {}
    if before not in (None, name) and any(key not in st.query_params for key in carry):
        st.switch_page(page_path(name), query_params={**{k: st.query_params.get_all(k) for k in st.query_params},
                                                      **carry})


def switch_to(path: str, query: dict[str, str]) -> None:
    """Open page `path` in this session with `query` in its link: lang and present, bound to this page's own
    controls, cannot be set here, so carry_over puts them back on the new page."""
    bound = {p.key for p in params.COMMON}
    st.session_state[CARRIED] = {k: v for k, v in query.items() if k in bound}
    st.switch_page(path, query_params={k: v for k, v in query.items() if k not in bound})


def page_name(path: str) -> str:
    """The name of the page whose script is `path` (its key in ui/params.SCHEMA): Home, or the file's name without
    its number."""
    return "Home" if path == "app.py" else Path(path).stem.split("_", 1)[1]


def page_path(name: str) -> str:
    """The script of page `name`."""
    return next(path for path, *_ in PAGES if page_name(path) == name)


def page_link(path: str, label: str, icon: str | None = None, query: dict[str, str] | None = None) -> None:
    """A link to another page that keeps the language and presentation mode in the address bar (or carries `query`,
    this app's own parameters: a scene's link).

    Streamlit's own page link: the switch happens inside the session, with no page load (the browser keeps Plotly.js
    and the scenes it holds); a reload or a copied link still opens the page from its address alone. A page run on
    its own, without the app around it (AppTest from a page file), knows no other pages: it gets a plain link.
    """
    query = carried() if query is None else query
    try:
        st.page_link(path, label=label, icon=icon, query_params=query)
    except StreamlitPageNotFoundError:
        query = urlencode(query)  # lang, present and scenes' own parameters: nothing from the user verbatim
        url = "./" + ("" if path == "app.py" else page_name(path))
        href = html.escape(url + ("?" + query if query else ""))
        st.markdown(f'{icon or ""} <a href="{href}" target="_self">{html.escape(label)}</a>', unsafe_allow_html=True)


def carried() -> dict[str, str]:
    """What a link to another page keeps: the language and presentation mode."""
    out = {"lang": lang()} if lang() != "en" else {}
    return {**out, "present": "true"} if presenting() else out


def on_phone() -> bool:
    """Whether the browser says it is a phone (a "Mobi" in its User-Agent, as browsers on phones send)."""
    try:
        return "Mobi" in (st.context.headers.get("User-Agent") or "")
    except (AttributeError, RuntimeError):  # no browser behind the session (AppTest)
        return False


def presenting() -> bool:
    """Presentation mode: the toggle's value, or the link's before the toggle is drawn (the navigation comes first)."""
    return bool(st.session_state.get("present", linked(params.PRESENT, st.query_params.get_all("present"))))
