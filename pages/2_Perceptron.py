"""Perceptron: w.grad from autograd beside the hand derivation, for one output and for K outputs."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import limits, perceptron
from core.optimizers import get_optimizer
from ui import urlstate
from ui.common import finish_page, setup_page
from ui.i18n import say, t

SOURCES = {"source-single": perceptron.source_single, "source-multi": perceptron.source_multi}
INPUTS = ["random", *SOURCES]


def controls() -> tuple[np.ndarray, np.ndarray]:
    q = {"bind": "query-params"}
    with st.sidebar:
        mode = st.radio(t("x and w"), INPUTS, key="inputs", **q,
                        help=t("random: torch.randn with a seed, as the source draws them; source-single and "
                               "source-multi: inputs rebuilt from the source's printed output"))
        disabled = mode != "random"
        n = st.slider(t("n, inputs"), 1, limits.MAX_INPUTS, 10, key="n", disabled=disabled, **q)
        k = st.slider(t("K, outputs"), 1, limits.MAX_OUTPUTS, 1, key="k", disabled=disabled, **q)
        seed = st.number_input(t("seed for torch.randn"), 0, 2**31 - 1, 0, key="seed", disabled=disabled, **q)
    x, w = SOURCES[mode]() if mode in SOURCES else perceptron.draw(n, k, seed)
    if mode == "source-single":
        st.info(t("The source printed only w.grad, so o is free: with o = 0.5, x = −4 · w.grad and w ⟂ x "
                  "reproduce its numbers exactly."))
    elif mode == "source-multi":
        st.info(t("Rebuilt from the printed loss 0.1992 and w.grad: each row of w.grad is x times "
                  "(o_k − 1) o_k (1 − o_k), so the rows' ratio and the loss fix o_0 and o_1, then x and w."))
    st.caption(t("x (top) and w (below): edit any cell"))
    base_x, base_x_text = np.asarray(x, dtype=np.float64), matrix_text(x)
    base_w, base_w_text = np.asarray(w, dtype=np.float64), matrix_text(w)
    x, w = linked_matrix("x", base_x), linked_matrix("w", base_w)
    tag = f"{mode}-{n}-{k}-{seed}"  # new editors when the draw changes, so old edits do not stick
    x = np.asarray(st.data_editor(x, key=f"x-{tag}", width="stretch"), dtype=np.float64)
    w = np.asarray(st.data_editor(w, key=f"w-{tag}", width="stretch"), dtype=np.float64)
    for key, value, base in (("x", x, base_x_text), ("w", w, base_w_text)):  # hand edits go into the link
        text = matrix_text(value)
        if text != base:
            st.query_params[key] = text
        elif key in st.query_params:
            del st.query_params[key]
    return x, w


def matrix_text(m: np.ndarray) -> str:
    """A matrix for the link: rows split by ';', entries by ','."""
    return ";".join(",".join(f"{float(v):.7g}" for v in row) for row in np.atleast_2d(m))


def linked_matrix(key: str, base: np.ndarray) -> np.ndarray:
    """The matrix from the link (hand-edited values) when it has base's shape and sane numbers, else base."""
    text = st.query_params.get(key)
    if text is None:
        urlstate.known(key)
        return base
    try:
        m = np.array([[float(v) for v in row.split(",")] for row in text[:20_000].split(";")])
    except ValueError:
        m = None
    if m is None or m.shape != base.shape or not (np.isfinite(m).all() and np.abs(m).max() <= limits.EDIT_LIMIT):
        urlstate.known(key, t("not a {rows} × {cols} matrix of numbers within ±{limit}", rows=base.shape[0],
                              cols=base.shape[1], limit=f"{limits.EDIT_LIMIT:g}"))
        return base
    urlstate.known(key)
    return m


def heatmap(z: np.ndarray, title: str, zmax: float) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=z, colorscale="RdBu", zmid=0, zmin=-zmax, zmax=zmax,
                               hovertemplate="k=%{y}, j=%{x}<br>%{z:.6g}<extra></extra>"))
    fig.update_layout(title=title, height=120 + 30 * z.shape[0], margin=dict(l=0, r=0, t=40, b=0),
                      xaxis_title=t("j (input)"), yaxis=dict(title=t("k (output)"), autorange="reversed"))
    return fig


def show_gradients(r: perceptron.Perceptron) -> None:
    k = r.w.shape[0]
    st.subheader(t("Autograd beside the hand derivation"))
    st.code("o = torch.sigmoid(x @ w.t())\nloss = F.mse_loss(torch.ones(1, K), o)\nloss.backward()\n"
            f"print(loss.shape)  # {r.loss_shape}\nprint(loss)        # {r.loss:.4f}", language="python")
    st.latex(perceptron.FORMULA)
    cols = st.columns(3)
    cols[0].metric("loss", f"{r.loss:.6g}", help=t("a scalar: loss.shape is torch.Size([])"))
    cols[1].metric("loss.shape", r.loss_shape)
    cols[2].metric(t("largest |autograd − formula|"), f"{r.max_diff:.2e}")
    if k == 1:
        st.write(t("w.grad (autograd) and 2 (o − 1) o (1 − o) x_j (formula), o ="), f"{r.o[0, 0]:.6g}")
        st.dataframe({"j": np.arange(r.x.shape[1]), "x_j": r.x[0], t("w.grad (autograd)"): r.grad[0],
                      t("formula"): r.formula[0], t("difference"): r.grad[0] - r.formula[0]}, hide_index=True)
        return
    zmax = float(np.abs(r.formula).max()) or 1.0
    left, right = st.columns(2)
    left.plotly_chart(heatmap(r.grad, t("w.grad from autograd"), zmax), width="stretch", key="hm_autograd")
    right.plotly_chart(heatmap(r.formula, "(2/K)(o_k − 1) o_k (1 − o_k) x_j", zmax), width="stretch", key="hm_formula")
    explain_saturation(r)


def explain_saturation(r: perceptron.Perceptron) -> None:
    """Why a saturated output gives a row of tiny gradients: the factor o_k (1 - o_k) is near zero."""
    rows = np.abs(r.grad).max(1)
    st.dataframe({"k": np.arange(len(rows)), "o_k": r.o[0], "o_k (1 − o_k)": r.o[0] * (1 - r.o[0]),
                  "(2/K)(o_k − 1) o_k (1 − o_k)": r.local, t("largest |w.grad| in row k"): rows}, hide_index=True)
    big, small = int(rows.argmax()), int(rows.argmin())
    if rows[small] > 0:
        o = r.o[0]
        st.info(t("Every row of w.grad is x scaled by one number, (2/K)(o_k − 1) o_k (1 − o_k). Row {small} is "
                  "{ratio}× smaller than row {big} because o_{small} = {o_small}: o (1 − o) = {s_small} there "
                  "against {s_big} for o_{big} = {o_big}, and (o − 1) is {m_small} against {m_big}. A sigmoid "
                  "near 0 or 1 is flat, so its weights barely learn.",
                  small=small, big=big, ratio=f"{rows[big] / rows[small]:.1f}", o_small=f"{o[small]:.4f}",
                  o_big=f"{o[big]:.4f}", s_small=f"{o[small] * (1 - o[small]):.4f}",
                  s_big=f"{o[big] * (1 - o[big]):.4f}", m_small=f"{o[small] - 1:.4f}", m_big=f"{o[big] - 1:.4f}"))


def descent_section(x: np.ndarray, w: np.ndarray) -> None:
    st.subheader(t("One step further: descend on w"))
    c1, c2, c3 = st.columns(3)
    opt = c1.selectbox(t("optimizer"), ["sgd", "adam"], key="p_opt", bind="query-params")
    lr = c2.select_slider("lr", [0.01, 0.1, 0.5, 1.0, 2.0, 5.0], value=1.0, key="p_lr", bind="query-params")
    steps = c3.slider(t("steps"), 1, 200, 50, key="p_steps", bind="query-params")
    if st.button(t("Run {steps} steps of torch.optim.{name} on w", steps=steps, name=get_optimizer(opt).name)):
        losses = perceptron.descend(x, w, opt, lr, steps)
        fig = go.Figure(go.Scatter(y=losses, mode="lines+markers", marker=dict(size=4)))
        fig.update_layout(height=280, margin=dict(l=0, r=0, t=30, b=0), xaxis_title=t("step"),
                          yaxis=dict(title="loss", type="log"))
        st.plotly_chart(fig, width="stretch", key="p_loss")
        st.write(t("loss {first} → {last} after {steps} steps", first=f"{losses[0]:.6g}", last=f"{losses[-1]:.6g}",
                   steps=steps))


def main() -> None:
    setup_page("Perceptron")
    st.title(t("Perceptron gradients"))
    st.markdown(t("The source's single- and multi-output perceptrons: `loss.backward()` fills `w.grad`; beside it "
                  "the derivative worked out by hand, evaluated on the same numbers."))
    try:
        x, w = controls()
        r = perceptron.perceptron(x, w)
    except ValueError as err:
        st.error(t("These inputs cannot run: {error}", error=say(err)))
        return
    show_gradients(r)
    descent_section(r.x, r.w)


main()
finish_page()
