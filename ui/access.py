"""The app's accessibility helper, mounted once on every page by ui/page.py: a stylesheet (code colours with enough
contrast, 44 px tap targets) and a script that makes sideways-scrolling formulas and code blocks reachable by
keyboard (ui/access.css, ui/access.js; a Streamlit components v2 component, no iframe)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.i18n import t

HERE = Path(__file__).parent

_component = st.components.v2.component(
    "descent_lab.access",
    html="<span hidden></span>",
    css=(HERE / "access.css").read_text(encoding="utf-8"),
    js=(HERE / "access.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # the rules are for the page's own elements
)


def access() -> None:
    """Mount the helper (in the sidebar, where it takes no room in the page's body)."""
    with st.sidebar:
        _component(key="access", data={"texts": {"formula": t("formula (scrolls sideways)"),
                                                 "code": t("code (scrolls sideways)")}})
