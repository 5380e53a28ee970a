"""Scenes: prepared links for a live demo, each with what to notice."""
from __future__ import annotations

import streamlit as st

from core.scenes import SCENES
from ui.common import finish_page, setup_page

setup_page("Scenes")
st.title("Scenes for a live demo")
st.caption("Each scene is one link. 'Present' opens it with large text, the controls tucked away and the "
           "animation playing by itself.")
for scene in SCENES:
    with st.container(border=True):
        st.markdown(f"**{scene.title}**")
        st.write(scene.notice)
        st.markdown(f"[Open]({scene.link()}) · [Present]({scene.link(present=True)})")
finish_page()
