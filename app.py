"""Descent Lab home: what this is and where to go."""
import streamlit as st

from ui.common import finish_page, setup_page

setup_page("Home")
st.title("Descent Lab")
st.markdown(
    "Watch **PyTorch's autograd and torch.optim** at work. Pick a start point, a learning rate and an "
    "optimizer: the app runs the real `torch.optim` loop and animates the path on a 3D surface "
    "(Himmelblau's function first). Every number shown is computed by torch, not typed in."
)
st.page_link("pages/1_Descent.py", label="Descent: an optimizer on a 3D surface", icon="⛰️")
st.page_link("pages/2_Perceptron.py", label="Perceptron: w.grad from autograd beside the hand derivation", icon="🧮")
st.page_link("pages/3_Chain_Rule.py", label="Chain rule: local derivatives, their product, and autograd's graph",
             icon="🔗")
st.page_link("pages/4_Tensors.py", label="Tensors, arrays and lists: .tolist() and .item()", icon="📋")
st.page_link("pages/5_Compare.py", label="Compare: up to six optimizers racing on one surface", icon="🏁")
st.page_link("pages/6_Basins.py", label="Basins: where every start of a grid ends up", icon="🗺️")
st.page_link("pages/7_Sweep.py", label="Sweep: one start, many learning rates", icon="📈")
st.page_link("pages/8_Scenes.py", label="Scenes: prepared links for a live demo", icon="🎬")
st.caption("Grown from a Chinese PyTorch tutorial on perceptron gradients, the chain rule and gradient descent.")
finish_page()
