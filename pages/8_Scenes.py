"""Scenes: prepared links for a live demo, each with what to notice."""
from __future__ import annotations

import html

import streamlit as st

from ui.i18n import lang, t
from ui.page import page
from ui.scenes import SCENES
from ui.warm import scene_facts

with page("Scenes", "Scenes"):
    st.title(t("Scenes for a live demo"))
    st.caption(t("Each scene is one link. 'Present' opens it with large text, the controls tucked away and the "
                 "animation playing by itself."))
    extra = {"lang": lang()} if lang() != "en" else {}
    for scene in SCENES:
        facts, complete = scene_facts(scene)  # every number the texts state, from the scene's runs
        with st.container(border=True):
            st.markdown(f"**{t(scene.title, **facts)}**")
            st.write(t(scene.notice, **facts) if complete else
                     t("This scene's numbers are not here: its runs did not finish within this page's compute "
                       "budget."))
            links = (f'<a class="dl-tap" href="{html.escape(scene.link(present, extra))}" target="_self">'
                     f'{html.escape(name)}</a>' for name, present in ((t("Open"), False), (t("Present"), True)))
            st.markdown(" · ".join(links), unsafe_allow_html=True)  # 44 px tall: a thumb's target (ui/access.css)
