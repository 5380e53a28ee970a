"""What pages show of a run, worded here: its summary, the runs' view (the instrument), the step inspector, the
race's ranking, downloads."""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
import streamlit as st

from core import limits
from core.curvature import SweepBound, bound_applies
from core.explore.race import Racers, Rank
from core.io import codegen, exports
from core.model.objective import full_losses
from core.optimizers import get_optimizer
from core.run import Reason, RunConfig, Trajectory
from ui.compute import cached_step, view
from ui.controls import control
from ui.i18n import lang, say, t, words
from ui.instrument import instrument, page_file
from ui.page import presenting
from ui.params import Param
from ui.plans import Drawn
from ui.protocol import Bound, Curv, Texts
from viz.instrument import labels


def runs_view(drawn: Drawn, names: list[str], hint: str, on_click: Callable[[float, float], None] | None,
              *, key: str = "view", loop: bool = False) -> Callable[[], str]:
    """The runs on the instrument, each under its name: the 3D view, the clickable contour and the loss curve with
    one step cursor. In presentation mode each new run plays by itself; loop=True shows the 3D view alone, playing
    over and over. The scene and the paths are numbers only: their texts go with this rerun's texts. Returns what
    makes the same view as a page of its own (the "Figure (HTML)" download; called when the button is pressed)."""
    scene, paths = view(drawn.runs, drawn.scale, drawn.arrows, drawn.curvature)
    tr = words(lang())
    texts: Texts = {"play": t("Play"), "pause": t("Pause"), "step": t("step"), "speed": t("speed"), "hint": hint,
             "free": t("Turn and zoom: on"), "still": t("Turn and zoom: off"), "heading": t("The animation"),
             "unlock": t("(Switch “Turn and zoom” on first.)"),
             "skip": t("Skip to the animation's Play button"), "labels": labels(names),
             "scene": {w: tr(w) for w in scene["words"]}, "locale": lang()}
    if drawn.curvature:
        texts["curv"] = curvature_texts(drawn.runs)
    instrument(key, scene, paths, texts, autoplay=presenting() or loop, loop=loop, only3d=loop, on_click=on_click)
    return functools.partial(page_file, scene, paths, texts, f"{', '.join(names)} · Descent Lab")


def curvature_texts(runs: Racers) -> Curv:
    """The curvature readout's words, the browser filling in the numbers at the cursor, and each run's lr and
    momentum for SGD's bound (beta None for any other optimizer, or Nesterov's momentum: plain GD's bound then)."""
    return {"values": t("At the cursor: λ₁ = {l1}, λ₂ = {l2}, condition number |λ|max / |λ|min = {cond}."),
            "sgd": t("On the quadratic that matches the surface here, SGD settles along the most curved direction "
                     "only for lr < 2 (1 + μ) / ((1 − τ) λ₂) = {bound}; this run's lr = {lr} is"),
            "gd": t("On the quadratic that matches the surface here, plain gradient descent settles along the most "
                    "curved direction only for lr < 2 / λ₂ = {bound}: a bound for SGD without momentum, not for "
                    "this run's optimizer and settings."),
            "flat": t("No direction curves up here (λ₂ ≤ 0): on the quadratic that matches the surface here no step "
                      "overshoots, so it sets no upper bound on the learning rate."),
            "stable": t("below it."),
            "unstable": t("above it: along that direction each step overshoots further than the last."),
            "missing": t("The Hessian is not a finite number here."), "runs": [_bound(c) for c, _ in runs]}


def _bound(config: RunConfig) -> Bound:
    """A run's lr, and its momentum and dampening when its optimizer is SGD with plain or heavy-ball momentum and
    no weight decay (core.curvature.bound_applies)."""
    v = config.hyper_values
    heavy = bound_applies(config.optimizer, v)
    return {"lr": float(v["lr"]), "beta": float(v.get("momentum", 0.0)) if heavy else None,
            "dampening": float(v.get("dampening", 0.0)) if heavy and v.get("momentum") else 0.0}


def sweep_bound_note(config: RunConfig, bound: SweepBound | None) -> None:
    """What SGD's predicted stability bound says beside the sweep's measured one, each number from the sweep."""
    v = config.hyper_values
    if not bound_applies(config.optimizer, v):
        st.caption(t("The predicted bound 2 (1 + μ) / ((1 − τ) λ_max) is for SGD without Nesterov momentum or "
                     "weight decay: choose such an SGD to see it beside the measured one."))
        return
    if bound is None or bound.predicted is None:
        st.caption(t("None of these runs ended within {reached} of a minimum (found by Newton's method from one run's "
                     "end): there is no measured bound to set beside the prediction. More steps, or a start "
                     "nearer a minimum, may help.", reached=f"{limits.REACHED_DISTANCE:g}"))
        return
    below, above = bound.measured
    said = t("Predicted: at the minimum the runs reach, ({x}, {y}), the Hessian's largest eigenvalue is λ_max = "
             "{lam}, so SGD with momentum μ = {beta} and dampening τ = {tau} settles there, from close by, only for "
             "lr < 2 (1 + μ) / ((1 − τ) λ_max) = {predicted} (dashed line).", x=f"{bound.minimum[0]:.4g}",
             y=f"{bound.minimum[1]:.4g}", lam=f"{bound.lambda_max:.4g}", beta=f"{v.get('momentum', 0.0):g}",
             tau=_dampening(v), predicted=f"{bound.predicted:.4g}")
    if above is None:
        measured = t("Measured: the largest learning rate swept, {below}, still reached it (the thin solid line).",
                     below=f"{below:.3g}")
    else:
        measured = t("Measured: lr = {below} still reached it and lr = {above} did not (shaded).",
                     below=f"{below:.3g}", above=f"{above:.3g}")
    verdict = bound_verdict(config, bound)
    said = ("" if lang() == "zh" else " ").join([said, measured, verdict])  # Chinese sentences need no space
    (st.success if bound.agrees else st.warning)(said)


def _dampening(v: dict) -> str:
    """SGD's dampening as the bound uses it: torch ignores it without momentum."""
    tau = float(v.get("dampening", 0.0))
    return f"{tau:g}" if v.get("momentum") or not tau else t("0 (torch's SGD ignores dampening without momentum)")


def bound_verdict(config: RunConfig, bound: SweepBound) -> str:
    """Whether the predicted bound and the measured one agree, and when not, which of the two known reasons."""
    below, above = bound.measured
    if bound.agrees:
        return (t("The prediction lies above every learning rate swept, as it should: sweep past it to see where "
                  "runs stop reaching the minimum.") if above is None else
                t("The prediction lies between them: they agree within the sweep's grid."))
    if below >= bound.predicted and config.tol is not None:
        return t("The prediction lies below a learning rate that reached the minimum: they do not agree. Above the "
                 "bound a run's error along the most curved direction grows, but from a small start it can stay "
                 "below the tolerance {tol} while the rest converges, and the run is stopped as converged; with the "
                 "tolerance off it keeps running and grows.", tol=f"{config.tol:g}")
    return t("The prediction lies outside: they do not agree within the sweep's grid. The bound holds close to the "
             "minimum: from a far start a run below it may still overshoot into another basin or blow up on the way.")


def run_summary(traj: Trajectory) -> None:
    """End point, f there, the nearest known minimum, why and when it stopped; a warning if it diverged or ran out
    of time."""
    s = traj.summary()
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric(t("end point"), f"({s.end[0]:.5f}, {s.end[1]:.5f})")
    if traj.objective.batches is None:
        cols[1].metric(t("f at the end"), f"{s.f:.4g}")
    else:  # a minibatch's loss is not the surface's height: the full data set's loss is
        full = float(full_losses(np.asarray([s.end]), traj.objective)[0])
        cols[1].metric(t("full loss at the end"), f"{full:.4g}",
                       help=t("the loss over the whole data set at the end point; on the last minibatch it was {f}",
                              f=f"{s.f:.4g}"))
    if s.nearest is None:
        cols[2].metric(t("nearest minimum"), t("none"))
    else:
        cols[2].metric(t("nearest minimum"), f"({s.nearest[0]:g}, {s.nearest[1]:g})",
                       t("distance {d}", d=f"{s.distance:.2e}"), delta_color="off", delta_arrow="off")
    cols[3].metric(t("stopped"), t(s.reason.words))
    cols[4].metric(t("steps run"), f"{s.steps:,}")
    cols[5].metric(t("time"), f"{s.seconds:.2f} s")
    if s.reason == Reason.TIME_LIMIT:
        st.warning(t("Stopped at step {step}: the page's compute budget of {budget} s ran out (this run computed for "
                     "{seconds} s). Fewer steps, a larger learning rate or a looser tolerance finish sooner.",
                     step=f"{s.steps:,}", budget=f"{limits.RUN_SECONDS:g}", seconds=f"{s.seconds:.1f}"))
    if s.reason == Reason.DIVERGED:
        st.warning(t("Diverged at step {step}: the point went past |x| or |y| = {radius}, ten times the picture's "
                     "size, or f stopped being a finite number. The path is drawn up to step {last}.",
                     step=f"{s.steps + 1:,}", radius=f"{traj.objective.escape_radius:g}", last=f"{s.steps:,}"))


def ranking_table(rows: list[Rank]) -> None:
    """A race's runs, fastest to arrive first: the columns worded in the page's language."""
    st.dataframe({t("run"): [r.label for r in rows], t("steps to f − f* < 1e-6"): [r.steps_to_reach for r in rows],
                  t("final f"): [r.final_f for r in rows],
                  t("minimum reached"): ["—" if r.reached is None else "({:g}, {:g})".format(*r.reached)
                                         for r in rows],
                  t("stopped"): [t(r.reason.words) for r in rows], t("steps run"): [r.steps for r in rows]},
                 hide_index=True, width="stretch")


def step_inspector(schema: dict[str, Param], config: RunConfig, traj: Trajectory, row: int = 0,
                   key: str = "k") -> None:
    """Step k of one start: x_k, f, the gradient, torch's optimizer state, and the update rule with numbers."""
    end = int(traj.end[row])
    if end < 1:
        st.caption(t("The run stopped before its first step: nothing to inspect."))
        return
    k = control(schema[key].but(high=end - 1), t("step k")) if end > 1 else 0  # a slider needs two values
    try:
        s = cached_step(config, min(k, end - 1), row)
    except ValueError as err:
        st.error(say(err))
        return
    cols = st.columns(3)
    mini = traj.objective.batches is not None  # the step's f and gradient are its minibatch's, not the surface's
    cols[0].metric("x_k", f"({s.x[0]:.6g}, {s.x[1]:.6g})")
    cols[1].metric(t("minibatch loss at step k") if mini else "f(x_k)", f"{s.f:.6g}")
    cols[2].metric(t("its gradient by autograd") if mini else t("∇f(x_k) by autograd"),
                   f"({s.grad[0]:.4g}, {s.grad[1]:.4g})")
    state = sorted(set(s.before) | set(s.after))
    if state:
        st.write(t("torch.optim.{name} state, read from `optimizer.state`:",
                   name=get_optimizer(config.optimizer).name))
        st.dataframe({t("entry"): state, t("entering step k"): [_show(s.before.get(n)) for n in state],
                      t("after step k"): [_show(s.after.get(n)) for n in state]}, hide_index=True, width="stretch")
    for line in s.lines:
        st.latex(line)
    run_next = traj.positions[k + 1, row].astype(np.float64)
    cols = st.columns(3)
    cols[0].metric(t("x_{k+1} from torch's step()"), f"({s.x_next[0]:.7g}, {s.x_next[1]:.7g})")
    if s.x_formula is None:
        cols[1].metric(t("by hand"), t("no closed form"),
                       help=t("LBFGS: each step() takes up to max_iter moves x ← x + t·d along the L-BFGS direction "
                              "d, with t = lr (the very first min(1, 1/‖g‖₁)·lr) and no line search unless "
                              "line_search_fn is strong_wolfe, which searches for each t"))
    else:
        cols[1].metric(t("by the rule above"), f"({s.x_formula[0]:.7g}, {s.x_formula[1]:.7g})",
                       t("difference {d}", d=f"{s.diff:.1e}"), delta_color="off", delta_arrow="off")
    cols[2].metric(t("the run's x_{k+1}"), f"({run_next[0]:.7g}, {run_next[1]:.7g})",
                   t("difference {d}", d=f"{float(np.abs(run_next - s.x_next).max()):.1e}"), delta_color="off",
                   delta_arrow="off")


def _show(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, np.ndarray):
        return "(" + ", ".join(f"{float(a):.6g}" for a in v) + ")"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def downloads(traj: Trajectory, figure: Callable[[], str], name: str = "descent") -> None:
    """The run as CSV and JSON, the 3D figure as a standalone HTML file (made by `figure`), and the run as a torch
    script.

    Each file is made only when its button is pressed (a callable as data).
    """
    cols = st.columns(4)
    cols[0].download_button(t("CSV"), lambda: exports.to_csv(traj), f"{name}.csv", "text/csv", on_click="ignore")
    cols[1].download_button(t("JSON"), lambda: exports.to_json(traj), f"{name}.json", "application/json",
                            on_click="ignore")
    cols[2].download_button(t("Figure (HTML)"), figure, f"{name}.html", "text/html", on_click="ignore")
    cols[3].download_button(t("As code (.py)"), lambda: codegen.as_code(traj), f"{name}.py", "text/x-python",
                            on_click="ignore")
