"""Perceptron: w.grad from autograd beside the hand derivation, for one output and for K outputs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.autograd import perceptron
from core.optimizers import get_optimizer
from ui.controls import control
from ui.i18n import lang, t, words
from ui.page import page
from ui.params import Param
from ui.urlstate import keep_matrix, linked_matrix
from viz.charts import heatmap_figure, losses_figure

RAN = "_p_ran"  # session state: the descent on w has been asked for
SOURCES = {"source-single": perceptron.source_single, "source-multi": perceptron.source_multi}


def controls(schema: dict[str, Param]) -> tuple[np.ndarray, np.ndarray]:
    with st.sidebar:
        mode = control(schema["inputs"], t("x and w"),
                       help=t("random: torch.randn with a seed, as the source draws them; source-single and "
                              "source-multi: inputs rebuilt from the source's printed output"))
        disabled = mode != "random"
        n = control(schema["n"], t("n, inputs"), disabled=disabled)
        k = control(schema["k"], t("K, outputs"), disabled=disabled)
        seed = control(schema["seed"], t("seed for torch.randn"), disabled=disabled)
    x, w = SOURCES[mode]() if mode in SOURCES else perceptron.draw(n, k, seed)
    if mode == "source-single":
        st.info(t("The source printed only w.grad, so o is free: with o = 0.5, x = −4 · w.grad and w ⟂ x "
                  "reproduce its numbers exactly."))
    elif mode == "source-multi":
        st.info(t("Rebuilt from the printed loss {loss} and w.grad: with K = 2 each row of w.grad is x times "
                  "(o_k − 1) o_k (1 − o_k), so the rows' ratio and the loss fix o_0 and o_1, then x and w.",
                  loss=f"{perceptron.SOURCE_MULTI_LOSS:g}"))
    st.caption(t("x and w, one row per input j (w: one column per output k): edit any cell"))
    base_x, base_w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    x, w = linked_matrix(schema["x"], base_x), linked_matrix(schema["w"], base_w)
    tag = f"{mode}-{n}-{k}-{seed}"  # new editors when the draw changes, so old edits do not stick
    x, w = editor(x, w, f"xw-{tag}")
    keep_matrix(schema["x"], x, base_x)  # hand edits go into the link
    keep_matrix(schema["w"], w, base_w)
    return x, w


def editor(x: np.ndarray, w: np.ndarray, key: str) -> tuple[np.ndarray, np.ndarray]:
    """x [1, n] and w [K, n] in one editable table standing up, one row per input j (a phone shows every j, and
    one table has one toolbar): x_j, then w[k] for each output k."""
    columns = ["x_j", *(f"w[{k}]" for k in range(w.shape[0]))]
    frame = pd.DataFrame(np.vstack([x, w]).T, columns=columns, index=pd.RangeIndex(x.shape[1], name="j"))
    table = st.data_editor(frame, key=key, width="stretch")
    both = np.asarray(table, dtype=np.float64).T
    return both[:1], both[1:]


def show_gradients(r: perceptron.Perceptron) -> None:
    k = r.w.shape[0]
    st.header(t("Autograd beside the hand derivation"))
    st.code("o = torch.sigmoid(x @ w.t())\nloss = F.mse_loss(torch.ones(1, K), o)\nloss.backward()\n"
            f"print(loss.shape)  # {r.loss_shape}\nprint(loss)        # {r.loss:.4f}", language="python")
    st.latex(perceptron.FORMULA)
    cols = st.columns(3)
    cols[0].metric(t("loss"), f"{r.loss:.6g}", help=t("a scalar: loss.shape is torch.Size([])"))
    cols[1].metric("loss.shape", r.loss_shape)
    cols[2].metric(t("largest |autograd − formula|"), f"{r.max_diff:.2e}")
    if k == 1:
        st.write(t("w.grad (autograd) and 2 (o − 1) o (1 − o) x_j (formula), o ="), f"{r.o[0, 0]:.6g}")
        st.dataframe({"j": np.arange(r.x.shape[1]), "x_j": r.x[0], t("w.grad (autograd)"): r.grad[0],
                      t("formula"): r.formula[0], t("difference"): r.grad[0] - r.formula[0]}, hide_index=True)
        return
    zmax = float(np.abs(r.formula).max()) or 1.0
    left, right = st.columns(2)
    tr = words(lang())
    left.plotly_chart(heatmap_figure(r.grad, t("w.grad from autograd"), zmax, tr), width="stretch",
                      key="hm_autograd")
    right.plotly_chart(heatmap_figure(r.formula, "(2/K)(o_k − 1) o_k (1 − o_k) x_j", zmax, tr), width="stretch",
                       key="hm_formula")
    explain_saturation(r)


def explain_saturation(r: perceptron.Perceptron) -> None:
    """Why one row of the gradient is smaller than another: its error term (o − 1), its sigmoid slope o (1 − o), or
    both; the row's factor (o − 1) o (1 − o) is largest at o = 1/3, so a small one means o near 0 or near 1."""
    rows = np.abs(r.grad).max(1)
    st.dataframe({"k": np.arange(len(rows)), "o_k": r.o[0], "o_k (1 − o_k)": r.o[0] * (1 - r.o[0]),
                  "(2/K)(o_k − 1) o_k (1 − o_k)": r.local, t("largest |w.grad| in row k"): rows}, hide_index=True)
    local = np.abs(r.local)
    big, small = int(local.argmax()), int(local.argmin())
    if local[small] == 0 or big == small:
        return
    o = r.o[0].astype(np.float64)
    st.info(t("Every row of w.grad is x scaled by one number, (2/K)(o_k − 1) o_k (1 − o_k). Row {small} is {ratio} "
              "times smaller than row {big}: the error term o − 1 is {m_small} there against {m_big}, and the "
              "sigmoid's slope o (1 − o) {s_small} against {s_big}.",
              small=small, big=big, ratio=f"{local[big] / local[small]:.3g}", m_small=f"{o[small] - 1:.4f}",
              m_big=f"{o[big] - 1:.4f}", s_small=f"{o[small] * (1 - o[small]):.4f}",
              s_big=f"{o[big] * (1 - o[big]):.4f}")
            + " " + (t("o_{k} = {o} is near 0 against a target of 1: the sigmoid is flat there, so this wrong output "
                       "learns slowly (saturation).", k=small, o=f"{o[small]:.4f}") if o[small] < 1 / 3 else
                     t("o_{k} = {o} is already close to its target 1: little is left to learn.", k=small,
                       o=f"{o[small]:.4f}")))


def descent_section(schema: dict[str, Param], x: np.ndarray, w: np.ndarray) -> None:
    st.header(t("One step further: descend on w"))
    c1, c2, c3 = st.columns(3)
    opt = control(schema["p_opt"], t("optimizer"), c1)
    lr = control(schema["p_lr"], "lr", c2)
    steps = control(schema["p_steps"], t("steps"), c3)
    st.button(t("Run {steps} steps of torch.optim.{name} on w", steps=steps, name=get_optimizer(opt).name),
              on_click=st.session_state.__setitem__, args=(RAN, True))
    if st.session_state.get(RAN):  # once asked for, the descent follows every later change of its settings
        losses = perceptron.descend(x, w, opt, lr, steps)
        st.plotly_chart(losses_figure(losses, words(lang())), width="stretch", key="p_loss")
        st.write(t("loss {first} → {last} after {steps} steps", first=f"{losses[0]:.6g}", last=f"{losses[-1]:.6g}",
                   steps=steps))


with page("Perceptron", "Perceptron") as schema:
    st.title(t("Perceptron gradients"))
    st.markdown(t("The source's single- and multi-output perceptrons: `loss.backward()` fills `w.grad`; beside it "
                  "the derivative worked out by hand, evaluated on the same numbers."))
    x, w = controls(schema)
    r = perceptron.perceptron(x, w)
    show_gradients(r)
    descent_section(schema, r.x, r.w)
