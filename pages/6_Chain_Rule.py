"""Chain rule: the source's y2 = (x w1 + b1) w2 + b2, the product of local derivatives against the direct one."""
from __future__ import annotations

import streamlit as st

from core.autograd import chain
from ui.controls import control
from ui.i18n import t
from ui.page import page
from ui.params import Param


def controls(schema: dict[str, Param]) -> tuple[float, list[float], list[float], str]:
    with st.sidebar:
        values = {k: control(schema[k], k) for k in chain.SOURCE}
        links = control(schema["links"], t("layers in the chain"), help=t("layers past the second reuse w2 and b2"))
        act = control(schema["act"], t("activation after each layer"))
    weights = [values["w1"]] + [values["w2"]] * (links - 1)
    biases = [values["b1"]] + [values["b2"]] * (links - 1)
    return values["x"], weights, biases, act


with page("Chain_Rule", "Chain rule") as schema:
    st.title(t("The chain rule"))
    x, weights, biases, act = controls(schema)
    c = chain.chain(x, weights, biases, act)
    n = len(weights)
    st.code("y1 = x*w1 + b1\ny2 = y1*w2 + b2\n"
            "dy2_dy1 = torch.autograd.grad(y2, [y1], retain_graph=True)[0]\n"
            "dy1_dw1 = torch.autograd.grad(y1, [w1], retain_graph=True)[0]\n"
            "dy2_dw1 = torch.autograd.grad(y2, [w1], retain_graph=True)[0]\n"
            f"print(dy2_dy1 * dy1_dw1)  # tensor({c.product:g})\nprint(dy2_dw1)            # tensor({c.direct:g})",
            language="python")
    st.latex(r"y_i = \sigma(y_{i-1} w_i + b_i),\quad y_0 = x,\qquad " + chain.ACTIVATIONS[act][2])
    st.latex(rf"\frac{{\partial y_{n}}}{{\partial w_1}} = " + r" \cdot ".join(
        [rf"\frac{{\partial y_{i}}}{{\partial y_{i - 1}}}" for i in range(n, 1, -1)]
        + [r"\frac{\partial y_1}{\partial w_1}"]))
    rows = [("∂y1/∂w1", c.local[0], c.hand[0], "σ'(z1) · x")]
    rows += [(f"∂y{i + 1}/∂y{i}", c.local[i], c.hand[i], f"σ'(z{i + 1}) · w{i + 1}") for i in range(1, n)]
    st.dataframe({t("derivative"): [r[0] for r in rows], "autograd.grad": [r[1] for r in rows],
                  t("by hand"): [r[2] for r in rows], t("hand formula"): [r[3] for r in rows],
                  t("difference"): [r[1] - r[2] for r in rows]}, hide_index=True)
    cols = st.columns(3)
    cols[0].metric(t("product of the local derivatives"), f"{c.product:.6g}")
    cols[1].metric(t("direct ∂y{n}/∂w1", n=n), f"{c.direct:.6g}")
    cols[2].metric(t("difference"), f"{c.diff:.2e}")
    st.header(t("The graph autograd built"))
    st.caption(t("Walked from y's grad_fn through next_functions. Each named node shows its value and "
                 "∂y{n}/∂(node); x and the b's are constants, so autograd made no node for them.", n=n))
    st.graphviz_chart(chain.to_dot(c))

