"""Tensors, arrays and lists: what .tolist() and .item() return, run live."""
from __future__ import annotations

import streamlit as st

from core.autograd.tensors import DEMOS, evaluate
from ui.i18n import t
from ui.page import page

with page("Tensors", "Tensors"):
    st.title(t("Tensors, arrays and lists"))
    st.markdown(t("The source closes with a note on `tolist()`. Each line below is run when the page loads; an error "
                  "is shown as text, as Python reports it."))
    for demo in DEMOS:
        ok, text = evaluate(demo)
        st.code(f">>> {demo.code}\n{text}", language="python")
        if demo.note:
            st.caption(("" if ok else t("raises") + " · ") + t(demo.note))
