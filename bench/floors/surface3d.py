"""Floor page for bench/interaction.py: one slider, one metric, one Plotly 3D figure re-sent on every change.

What a plain Streamlit page costs the browser when each rerun rebuilds a 3D scene (st.plotly_chart resends it).
"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st
from common import LRS, descend, himmelblau

st.set_page_config(page_title="floor: 3D", layout="wide")
lr = st.select_slider("lr", LRS, value=1e-3, key="lr")
path = descend(lr)
st.metric("f after 50 steps", f"{himmelblau(*path[50]):.6g}")  # differs for every lr
xs = np.linspace(-6, 6, 100)
fig = go.Figure([go.Surface(x=xs, y=xs, z=himmelblau(*np.meshgrid(xs, xs)), showscale=False),
                 go.Scatter3d(x=path[:, 0], y=path[:, 1], z=himmelblau(path[:, 0], path[:, 1]), mode="lines")])
fig.update_layout(height=560, margin=dict(l=0, r=0, t=30, b=0))
st.plotly_chart(fig, width="stretch")
