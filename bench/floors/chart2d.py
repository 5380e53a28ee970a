"""Floor page for bench/interaction.py: one slider, one metric, one 2D Plotly chart re-sent on every change."""
import plotly.graph_objects as go
import streamlit as st
from common import LRS, descend, himmelblau

st.set_page_config(page_title="floor: 2D", layout="wide")
lr = st.select_slider("lr", LRS, value=1e-3, key="lr")
path = descend(lr)
st.metric("f after 50 steps", f"{himmelblau(*path[50]):.6g}")  # differs for every lr
fig = go.Figure(go.Scatter(y=himmelblau(path[:, 0], path[:, 1]), mode="lines"))
fig.update_layout(height=300, margin=dict(l=0, r=0, t=30, b=0), yaxis_type="log")
st.plotly_chart(fig, width="stretch")
