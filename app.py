"""Descent Lab home: the source tutorial's run playing on the 3D surface, and the pages beneath it as cards."""
import streamlit as st

from ui.cards import cards
from ui.i18n import t
from ui.page import PAGES, page, page_link
from ui.panels import runs_view
from ui.scenes import SCENES
from ui.warm import scene_facts, scene_runs

with page("Home", "Home"):
    st.title("Descent Lab")
    st.markdown(t("Watch **PyTorch's autograd and torch.optim** at work. Pick a start point, a learning rate and an "
                  "optimizer: the app runs the real `torch.optim` loop and animates the path on a 3D surface "
                  "(Himmelblau's function first). Every number shown is computed when the page runs, not typed in."))
    alive = st.container()  # drawn last: the cards show while a cold server still computes the run
    cards(list(PAGES[1:]), page_link)
    st.caption(t("Grown from a Chinese PyTorch tutorial on perceptron gradients, the chain rule and gradient "
                 "descent."))
    with alive:
        source = next(s for s in SCENES if s.key == "source-run")
        st.caption(t(source.title, **scene_facts(source)[0]))
        runs_view(scene_runs(source), [t("path")], "", None, key="home", loop=True)
