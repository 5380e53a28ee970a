"""Scenes: prepared links for a live demo, each with what to notice."""
from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.page import carried, page, page_link, page_path, switch_to
from ui.scenes import SCENES
from ui.warm import scene_facts

with page("Scenes", "Scenes"):
    st.title(t("Scenes for a live demo"))
    st.caption(t("Each scene is one link. 'Present' opens it with large text, the controls tucked away and the "
                 "animation playing by itself."))
    # Both switch pages inside the session. 'Present' is a button: a link's present=true would be dropped by the
    # switch (present is bound to this page's own toggle), so it goes through switch_to.
    for scene in SCENES:
        facts, complete = scene_facts(scene)  # every number the texts state, from the scene's runs
        with st.container(border=True):
            st.markdown(f"**{t(scene.title, **facts)}**")
            st.write(t(scene.notice, **facts) if complete else
                     t("This scene's numbers are not here: its runs did not finish within this page's compute "
                       "budget."))
            linked = {**carried(), **dict(scene.params)}
            opened, presented = st.columns(2)
            with opened:
                page_link(page_path(scene.page), t("Open"), query=linked)
            if presented.button(t("Present"), key=f"present-{scene.key}"):
                switch_to(page_path(scene.page), {**linked, "present": "true"})
