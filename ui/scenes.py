"""Prepared scenes for live demos: each one link to a page with its settings, and what to notice.

A scene's title and notice are catalogue entries with {placeholders}: every number they state is formatted in by
the scene's `facts` from the runs its page draws (or, for the autograd pages, from the same computation), so a
text cannot drift from its run. tests/test_scenes.py checks each number against the run and by hand.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.autograd import chain, perceptron
from core.optimizers import get_optimizer
from core.run import RunConfig, Trajectory, make_config
from ui.plans import tutorial_links

Ran = list[tuple[Trajectory, int]]  # the scene's runs as its page draws them: (trajectory, row)
Runner = Callable[[RunConfig], Trajectory]  # how a scene's facts get a run it compares with (cached in the app)
Facts = Callable[[Ran, Runner], dict[str, str]]


@dataclass(frozen=True)
class Scene:
    key: str
    page: str  # the page's name (ui/page.page_path gives its script; pages/8_Scenes.py links it in the session)
    params: tuple[tuple[str, str], ...]
    title: str
    notice: str
    facts: Facts | None = None  # the numbers title and notice state, from the scene's runs


def num(v: float, digits: int = 3) -> str:
    """A number as a scene states it: `digits` significant digits, no trailing zeros."""
    return f"{float(v):.{digits}g}"


def point(p: tuple[float, float] | np.ndarray, decimals: int = 2) -> str:
    """(x, y) rounded to `decimals` places: (3, 2), (-3.78, -3.28)."""
    return "(" + ", ".join(f"{round(float(v), decimals) + 0.0:g}" for v in p) + ")"


def steps(k: int) -> str:
    return f"{int(k):,}"


def settings(c: RunConfig, row: int = 0) -> dict[str, str]:
    """What a title states about a run: its optimizer, learning rate, steps and start (known before it runs)."""
    return {"optimizer": get_optimizer(c.optimizer).name, "lr": f"{c.hyper_values['lr']:g}", "steps": steps(c.steps),
            "start": point(c.starts[row])}


def left_picture(traj: Trajectory, row: int) -> int:
    """The first step whose point lies outside the drawn view (0 if none)."""
    (x0, x1), (y0, y1) = traj.objective.x_range, traj.objective.y_range
    p = traj.positions[:, row]
    out = (p[:, 0] < x0) | (p[:, 0] > x1) | (p[:, 1] < y0) | (p[:, 1] > y1)
    return int(np.argmax(out)) if out.any() else 0


def source_run_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """Adam's first step against plain gradient descent's, when x becomes the minimum exactly, how far f falls."""
    traj, row = ran[0]
    lr, every = traj.config.hyper_values["lr"], max(1, traj.config.steps // 10)
    p, f, g = traj.positions[:, row], traj.losses[: int(traj.end[row]) + 1, row], traj.grads[0, row]
    final = p[-1]
    same = (p == final).all(axis=1)
    exact = len(same) - int(np.argmin(same[::-1])) if not same.all() else 0  # x_k = the end from k on
    zero = int(np.argmax(f == 0))
    logged = [k for k in range(0, zero, every) if f[k] > 0]
    small = logged[-1]
    return {**settings(traj.config, row), "x1": str(p[1].tolist()), "grad": point(g, 4), "gd": point(p[0] - lr * g, 4),
            "end": point(final), "exact": steps(exact - 1), "f0": num(f[0], 4), "f_small": num(f[small], 2),
            "k_small": steps(small), "orders": f"{math.log10(f[0] / f[small]):.0f}", "zero": steps(zero)}


def four_starts_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """Where each start ended."""
    ends = [f"{point(t.config.starts[row])} → {point(t.final(row)[0])}" for t, row in ran]
    traj = ran[0][0]
    return {**settings(traj.config), "ends": ", ".join(ends), "count": str(len(traj.objective.minima)),
            "fstar": num(traj.objective.f_star or 0.0, 3)}


def too_large_lr_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """The first steps of SGD with a learning rate too large: where each lands and how f and |grad f| change."""
    traj, row = ran[0]
    p, f, g = traj.positions[:, row], traj.losses[:, row], np.linalg.norm(traj.grads[:, row], axis=1)
    out = left_picture(traj, row)
    return {**settings(traj.config, row), "p1": point(p[1]), "f0": num(f[0], 4), "f1": num(f[1], 3), "g0": num(g[0], 3),
            "g1": num(g[1], 3), "p2": point(p[2]), "f2": num(f[2], 3), "out": steps(out), "p_out": point(p[out], 1),
            "diverged": steps(int(traj.end[row]) + 1)}


def momentum_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """Plain SGD from the same start against SGD with momentum: the closest pass by plain SGD's minimum."""
    traj, row = ran[0]
    plain = runner(make_config({"lr": traj.config.hyper_values["lr"]}, optimizer="sgd",
                               objective=traj.config.objective, starts=[traj.config.starts[row]],
                               steps=traj.config.steps, tol=traj.config.tol))
    target = np.array(plain.summary().nearest)
    d = np.linalg.norm(traj.positions[: int(traj.end[row]) + 1, row] - target, axis=1)
    return {**settings(traj.config, row), "momentum": f"{traj.config.hyper_values['momentum']:g}",
            "plain": point(plain.final()[0]), "closest": num(d.min(), 2), "k_close": steps(int(d.argmin())),
            "end": point(traj.final(row)[0])}


def rosenbrock_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """How far SGD still is from the minimum at the end, and when Adam converged."""
    (sgd, i), (adam, j) = ran
    s, a = sgd.summary(i), adam.summary(j)
    return {"sgd_distance": num(s.distance, 2), "minimum": point(s.nearest), "steps": steps(s.steps),
            "adam_steps": steps(a.steps), "adam_reason": a.reason.value}


def saddle_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """SGD's factors per step, Adam's first steps in y, and when each leaves the picture and is flagged."""
    (sgd, i), (adam, j) = ran
    p = sgd.positions[:, i]
    dy = np.abs(np.diff(adam.positions[:11, j, 1]))
    return {"start": point(sgd.config.starts[i], 3), "lr": f"{sgd.config.hyper_values['lr']:g}",
            "fx": num(p[1, 0] / p[0, 0], 3), "fy": num(p[1, 1] / p[0, 1], 3),
            "adam_low": num(dy.min(), 2), "adam_high": num(dy.max(), 2),
            "sgd_out": steps(left_picture(sgd, i)), "adam_out": steps(left_picture(adam, j)),
            "sgd_diverged": steps(int(sgd.end[i]) + 1), "adam_diverged": steps(int(adam.end[j]) + 1)}


def rastrigin_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    traj, row = ran[0]
    (end, f), best = traj.final(row), traj.objective
    return {"start": point(traj.config.starts[row]), "end": point(end), "f": num(f, 3), "steps": steps(traj.end[row]),
            "fstar": num(best.f_star, 3), "minimum": point(best.minima[0])}


def perceptron_single_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    r = perceptron.perceptron(*perceptron.source_single())
    printed = np.abs(r.grad[0] - np.array(perceptron.SOURCE_SINGLE_GRAD)).max()
    return {"printed": num(printed, 2), "diff": num(r.max_diff, 2)}


def perceptron_multi_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """How much smaller the second row of w.grad is, and how much of that each factor accounts for."""
    r = perceptron.perceptron(*perceptron.source_multi())
    o = r.o[0].astype(np.float64)
    error, slope = (1 - o[0]) / (1 - o[1]), (o[0] * (1 - o[0])) / (o[1] * (1 - o[1]))
    return {"loss": f"{r.loss:.4f}", "ratio": num(error * slope, 3), "o0": f"{o[0]:.2f}", "o1": f"{o[1]:.2f}",
            "error": num(error, 3), "slope": num(slope, 2)}


def chain_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """The tutorial's two links: the local derivatives, their product and the direct derivative."""
    v = chain.SOURCE
    c = chain.chain(v["x"], [v["w1"], v["w2"]], [v["b1"], v["b2"]])
    return {"d21": f"{c.local[1]:g}", "d1": f"{c.local[0]:g}", "product": f"{c.product:g}", "direct": f"{c.direct:g}"}


def adam_first_step(traj: Trajectory, row: int = 0) -> dict[str, str] | None:
    """The numbers of the tutorial's lesson on any Adam run whose first step moved each coordinate by lr (to 1%,
    as when the gradient is far above eps): that move, the gradient, and where plain gradient descent would go."""
    c = traj.config
    if c.optimizer != "adam" or int(traj.end[row]) < 1:
        return None
    lr, p, g = c.hyper_values["lr"], traj.positions[:, row].astype(np.float64), traj.grads[0, row]
    move = p[1] - p[0]
    if not np.allclose(np.abs(move), lr, rtol=0.01):
        return None
    return {"move": point(move, 6), "lr": f"{lr:g}", "grad": point(g, 4), "gd": point(p[0] - lr * g, 4)}


def stated(scene: Scene, ran: Ran, runner: Runner) -> dict[str, str]:
    """The numbers the scene's title and notice state ({} for a scene that states none)."""
    return scene.facts(ran, runner) if scene.facts else {}



SCENES: tuple[Scene, ...] = (
    Scene("source-run", "Descent", tutorial_links()[0],
          "The tutorial's run: {optimizer}, lr {lr}, {steps} steps from {start}",
          "The log's line step0 prints x = {x1}: Adam moved each coordinate by about lr = {lr}, though the "
          "gradient there is {grad}. Adam's step is lr · m̂ / (√v̂ + ε), and at the first step m̂ / √v̂ = g / |g| "
          "= ±1 whatever the gradient's size. The tutorial's comment x' = x − lr · ∇f is plain gradient descent, "
          "whose first step would land at {gd}. x is exactly {end} from the log's step {exact} on; f falls from "
          "{f0} to {f_small} by step {k_small} (about {orders} orders of magnitude) and is exactly 0 from step "
          "{zero} on, which the loss curve's log axis cannot draw.",
          source_run_facts),
    Scene("four-starts", "Compare", tutorial_links()[1],
          "The tutorial's four starts reach different minima",
          "Same optimizer ({optimizer}, lr {lr}), four start points in one batched tensor, each to where it ends: "
          "{ends}. Himmelblau has {count} minima, all with f = {fstar}: which one you reach depends only on where "
          "you start.",
          four_starts_facts),
    Scene("too-large-lr", "Descent", (("opt", "sgd"), ("lr", "0.1")),
          "A learning rate too large: SGD diverges",
          "With lr {lr}, the first step from {start} does not overshoot yet: it lands at {p1} and f falls from "
          "{f0} to {f1}, but |∇f| grows from {g0} to {g1}. The second step jumps past the valley to {p2}, where "
          "f = {f2}; step {out} leaves the picture, at {p_out}, and step {diverged} is flagged as diverged.",
          too_large_lr_facts),
    Scene("momentum", "Descent", (("opt", "sgd"), ("lr", "0.001"), ("sgd_momentum", "0.95"), ("arrows", "true")),
          "Momentum overshoots into another valley",
          "Plain SGD (lr {lr}) from {start} ends at {plain}. With momentum {momentum} the point passes within "
          "{closest} of {plain} at step {k_close}, but its accumulated velocity carries it on, into another "
          "valley: it ends at {end}.",
          momentum_facts),
    Scene("rosenbrock", "Compare", (("fn", "rosenbrock"), ("runs", "2"), ("steps", "5000"),
                                    ("r1_opt", "sgd"), ("r1_lr", "0.001"), ("r1_x0", "-1.5"), ("r1_y0", "2"),
                                    ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "-1.5"), ("r2_y0", "2"),
                                    ("scale", "log")),
          "Adam against SGD in Rosenbrock's curved valley",
          "SGD drops into the valley fast, then crawls along its flat floor and is still {sgd_distance} from "
          "{minimum} after {steps} steps. Adam rescales each coordinate by its own gradient history and has "
          "converged after {adam_steps} steps.",
          rosenbrock_facts),
    Scene("saddle", "Compare", (("fn", "saddle"), ("runs", "2"), ("steps", "500"),
                                ("r1_opt", "sgd"), ("r1_lr", "0.05"), ("r1_x0", "1"), ("r1_y0", "0.001"),
                                ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "1"), ("r2_y0", "0.001")),
          "Escaping a saddle",
          "On x² − y² the gradient is zero at (0, 0), yet (0, 0) is no minimum: f keeps falling along y. (The "
          "tutorial's comment that a zero gradient means a minimum does not hold at a saddle.) From {start}, each "
          "SGD step (lr {lr}) multiplies x by {fx} and y by {fy}: y grows exponentially from a tiny start. Adam "
          "moves y by {adam_low} to {adam_high} a step from the start, about lr whatever the gradient, so it leaves "
          "the picture first, at step {adam_out} against SGD's {sgd_out}; then SGD's growth outruns it: SGD is "
          "flagged as diverged at step {sgd_diverged}, Adam at step {adam_diverged}.",
          saddle_facts),
    Scene("rastrigin", "Descent", (("fn", "rastrigin"), ("opt", "sgd"), ("lr", "0.001"), ("x0", "2.2"),
                                   ("y0", "-1.1"), ("scale", "log")),
          "Rastrigin traps gradient descent in a local minimum",
          "Gradient descent only sees the slope where it stands: from {start} it stops after {steps} steps in the "
          "nearest dimple, at {end} with f = {f}, far from the global minimum f = {fstar} at {minimum}.",
          rastrigin_facts),
    Scene("perceptron-single", "Perceptron", (("inputs", "source-single"),),
          "The tutorial's single-output perceptron",
          "loss.shape is torch.Size([]): a scalar, so loss.backward() needs no argument. w.grad reproduces the "
          "tutorial's printed values (largest difference {printed}) and equals the hand formula 2 (o − 1) o (1 − o) "
          "x_j (largest difference {diff}).",
          perceptron_single_facts),
    Scene("perceptron-multi", "Perceptron", (("inputs", "source-multi"),),
          "The tutorial's two-output perceptron",
          "Loss {loss}, as printed. The second row of w.grad is {ratio} times smaller than the first. Its output "
          "o = {o1} is already close to the target 1 (the first's is {o0}): its error term (o − 1) is {error} times "
          "smaller, and the sigmoid's slope o (1 − o) there {slope} times smaller. A flat sigmoid stalls learning "
          "when o is near 0 against a target of 1; here the output is nearly right.",
          perceptron_multi_facts),
    Scene("chain-rule", "Chain_Rule", (),
          "The tutorial's chain rule",
          "dy2/dy1 · dy1/dw1 = {d21} · {d1} = {product} = dy2/dw1 = {direct}, each from torch.autograd.grad. "
          "Add layers or a sigmoid: the product of the local derivatives still equals the direct one.",
          chain_facts),
)
