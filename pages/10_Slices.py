"""Slices: a bigger model trained by torch.optim, and its loss on one plane through the trained weights."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.optimizers import get_optimizer
from ui import plans
from ui.compute import steps_cut
from ui.controls import control, data_controls, optimizer_controls, values
from ui.i18n import lang, t, words
from ui.page import on_phone, page
from ui.slicing import cached_slice
from viz.slices import slice_contour, slice_losses, slice_surface

CHARTS = ("slice_surface", "slice_contour", "slice_losses")

with page("Slices", "Slices") as schema:
    st.title(t("Slices of a bigger model's loss"))
    st.caption(t("A model with many weights is trained by a torch.optim optimizer; its loss is drawn on one plane "
                 "through the trained weights w_c: L(w_c + a·d1 + b·d2) over a grid of (a, b)."))
    with st.sidebar:
        kind = control(schema["model"], t("model"),
                       captions=[t("o = sigmoid(x @ w.T), n weights"), t("one hidden layer of tanh units")])
        control(schema["n"], t("inputs n"))
        control(schema["hidden"], t("hidden units"), disabled=kind != "mlp")  # kept in the link either way
        data_controls(schema)  # the data set's controls, as on /Model and /Sweep
        optimizer_controls(schema, default="adam", lr=0.05)
        control(schema["steps"], t("steps"))
        dirs = control(schema["dirs"], t("directions"),
                       captions=[t("principal directions of the path"), t("random, filter-normalized")])
        control(schema["dir_seed"], t("seed of the directions"), disabled=dirs != "random")
        control(schema["grid"], t("grid points per side"))
        control(schema["span"], t("span of a and b (0: fit the path, or 1 for random directions)"))
    plan = plans.slices(values(schema))
    steps_cut(plan.asked_steps, plan.steps)
    if plan.asked_points > plan.points:
        st.warning(t("a {n} × {n} grid of this model cannot finish within a page's compute budget: using {most} × "
                     "{most}.", n=plan.asked_points, most=plan.points))
    out = cached_slice(plan)
    s, training, tr = out.slice, out.training, words(lang())
    gap = np.abs(s.path_loss - s.plane_loss)
    worst = int(np.argmax(gap))
    still = on_phone() and not st.toggle(t("Turn and zoom"), help=t("on a touch screen the plots start still, so "
                                                                    "that a swipe over them scrolls the page"))
    if still:  # the plots take no touches: a swipe over them reaches the page, which scrolls
        chosen = ", ".join(f".st-key-{key}, .st-key-{key} *" for key in CHARTS)
        st.html(f"<style>{chosen} {{ pointer-events: none !important; }}</style>")
    left, right = st.columns(2)
    left.plotly_chart(slice_surface(s, tr), width="stretch", key=CHARTS[0])
    right.plotly_chart(slice_contour(s, tr), width="stretch", key=CHARTS[1])
    st.plotly_chart(slice_losses(s, tr), width="stretch", key=CHARTS[2])
    st.caption(t("{steps} steps of {optimizer} in {seconds} s ({reason}); the loss went from {first} to {last}.",
                 steps=f"{len(training.losses) - 1:,}", optimizer=get_optimizer(plan.optimizer).name,
                 seconds=f"{training.seconds:.2f}",
                 reason=t(training.reason.words), first=f"{training.losses[0]:.4g}", last=f"{training.losses[-1]:.4g}"))
    st.header(t("What a slice shows, and what it cannot"))
    st.markdown(t("- It is the loss on one plane through w_c, the weights after the last step. The model has {size} "
                  "weights: the other {hidden} directions are not drawn, and the surface may curve up or down along "
                  "any of them.", size=f"{s.center.size:,}", hidden=f"{s.center.size - 2:,}"))
    st.markdown(t("- Each step's weights are drawn at their projection onto the plane, at the plane's loss there, "
                  "not at the loss the weights had: the path does not descend the drawn surface exactly. In this "
                  "run the two differ by up to {gap} (step {k}: {loss} at the weights, {plane} on the plane).",
                  gap=f"{gap[worst]:.3g}", k=f"{worst:,}", loss=f"{s.path_loss[worst]:.4g}",
                  plane=f"{s.plane_loss[worst]:.4g}"))
    if s.explained is not None:
        st.markdown(t("- d1 and d2 are the first two principal directions of the path's weights (an SVD about "
                      "w_c): they hold {e1} and {e2} of its spread from w_c, {both} together; the rest lies off "
                      "the plane.", e1=f"{s.explained[0]:.1%}", e2=f"{s.explained[1]:.1%}",
                      both=f"{sum(s.explained):.1%}"))
    else:
        st.markdown(t("- d1 and d2 are random directions (torch.randn, seed {seed}), each unit's incoming weights "
                      "scaled to the norm of that unit's weights in w_c (filter normalization, Li et al. 2018; "
                      "biases get a zero direction). They are drawn without looking at the training: the projected "
                      "path shows only the part of each step's move that lies in the plane.",
                      seed=plan.seed))
    c = out.curvature
    st.markdown(t("- The slice's 2 × 2 Hessian at w_c, by double backward: [[{h11}, {h12}], [{h12}, {h22}]], "
                  "eigenvalues {l1} and {l2}. Its entries are d1ᵀ H d1, d1ᵀ H d2 and d2ᵀ H d2 of the model's "
                  "{size} × {size} Hessian H: the curvature along d1 and d2 only, none of the other directions'.",
                  size=f"{s.center.size:,}",
                  h11=f"{c.hessian[0, 0]:.4g}", h12=f"{c.hessian[0, 1]:.4g}", h22=f"{c.hessian[1, 1]:.4g}",
                  l1=f"{c.eigenvalues[0]:.4g}", l2=f"{c.eigenvalues[1]:.4g}"))
