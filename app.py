"""Descent Lab home: what this is and where to go."""
import streamlit as st

from ui.i18n import t
from ui.page import PAGES, page, page_link

with page("Home", "Home"):
    st.title("Descent Lab")
    st.markdown(t("Watch **PyTorch's autograd and torch.optim** at work. Pick a start point, a learning rate and an "
                  "optimizer: the app runs the real `torch.optim` loop and animates the path on a 3D surface "
                  "(Himmelblau's function first). Every number shown is computed by torch, not typed in."))
    for path, label, icon, blurb in PAGES[1:]:
        page_link(path, f"{t(label)}: {t(blurb)}", icon)
    st.caption(t("Grown from a Chinese PyTorch tutorial on perceptron gradients, the chain rule and gradient "
                 "descent."))
