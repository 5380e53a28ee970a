"""What the scenes state, computed: each scene's `facts` formats the numbers its title and notice state from the
runs its page draws (or, for the autograd pages, from the same computation), and the helpers that write them."""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np

from core.autograd import chain, perceptron
from core.curvature import curvature
from core.model.objective import full_losses
from core.optimizers import get_optimizer
from core.run import RunConfig, Trajectory, make_config
from ui.params import table

Ran = list[tuple[Trajectory, int]]  # the scene's runs as its page draws them: (trajectory, row)
Runner = Callable[[RunConfig], Trajectory]  # how a scene's facts get a run it compares with (cached in the app)
Facts = Callable[[Ran, Runner], dict[str, str]]


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


def blow_up_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """SGD above 2 / lambda_max at the minimum nearest its start: the eigenvalues there, the bound, the factor the
    quadratic model multiplies the error by each step, the first distances, when it diverged; and the largest lr of
    the page's slider below the bound, from the same start."""
    traj, row = ran[0]
    c, start = traj.config, np.array(traj.config.starts[row])
    minimum = min(traj.objective.minima, key=lambda m: float(np.linalg.norm(np.array(m) - start)))
    here = curvature(traj.objective.fn, minimum)
    lr, bound = c.hyper_values["lr"], here.lr_bound()
    lr_ok = max(v for v in table("Descent")["lr"].options if v < bound)
    ok = runner(make_config({"lr": lr_ok}, optimizer="sgd", objective=c.objective, starts=[c.starts[row]],
                            steps=c.steps, tol=c.tol))
    d = np.linalg.norm(traj.positions[:3, row].astype(np.float64) - np.array(minimum), axis=1)
    return {"minimum": point(minimum), "l1": num(here.eigenvalues[0], 4), "l2": num(here.lambda_max, 4),
            "bound": num(bound, 3), "lr": f"{lr:g}", "factor": num(abs(1 - lr * here.lambda_max), 3),
            "start": point(start), "d0": num(d[0], 2), "d1": num(d[1], 2), "d2": num(d[2], 2),
            "diverged": steps(int(traj.end[row]) + 1), "lr_ok": f"{lr_ok:g}", "ok_steps": steps(ok.summary(0).steps)}


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


def full_run(traj: Trajectory, runner: Runner) -> Trajectory:
    """The same run on the full batch: same optimizer, start, steps and data set, no minibatches."""
    c = traj.config
    return runner(dataclasses.replace(c, data=dataclasses.replace(c.data, batch=0)))


def minibatch_facts(traj: Trajectory, row: int = 0) -> dict[str, str]:
    """A run on minibatches as the /Model page states it: B of N points, minibatches an epoch, epochs run, and
    how far each step's minibatch loss lay from the full loss at the same point (mean, largest)."""
    spec, end = traj.config.data, int(traj.end[row])
    full = full_losses(traj.positions[: end + 1, row].astype(np.float64), traj.objective)
    gap = np.abs(traj.losses[: end + 1, row] - full)
    per_epoch = spec.size // spec.batch
    return {"batch": str(spec.batch), "size": f"{spec.size:,}", "per_epoch": f"{per_epoch:,}",
            "epochs": num(end / per_epoch, 3), "gap": num(gap.mean(), 2), "gap_max": num(gap.max(), 2)}


def end_facts(traj: Trajectory, row: int = 0) -> dict[str, str]:
    """A model's full loss where the run ended, and its minimum and the loss there when Newton's method found one
    (none where the clusters are separable: the loss falls as the weights grow)."""
    end = traj.positions[int(traj.end[row]), row].astype(np.float64)
    out = {"full": num(full_losses(end[None], traj.objective)[0], 4)}
    o = traj.objective
    return out if not o.minima else {**out, "minimum": point(o.minima[0], 3), "fstar": num(o.f_star, 4)}


def wiggle_facts(ran: Ran, runner: Runner) -> dict[str, str]:
    """Minibatches against the full batch from the same start: how far apart the two paths get (largest distance
    at the same step), how far each moved a step over the last epoch, and the full data set's loss at their ends."""
    traj, row = ran[0]
    whole = full_run(traj, runner)
    end = min(int(traj.end[row]), int(whole.end[0]))
    d = np.linalg.norm(traj.positions[: end + 1, row].astype(np.float64)
                       - whole.positions[: end + 1, 0].astype(np.float64), axis=1)
    ends = full_losses(np.stack([traj.positions[end, row], whole.positions[end, 0]]).astype(np.float64),
                       traj.objective)
    epoch = traj.config.data.size // traj.config.data.batch
    moves = [float(np.linalg.norm(np.diff(p[end - epoch: end + 1].astype(np.float64), axis=0), axis=1).mean())
             for p in (traj.positions[:, row], whole.positions[:, 0])]  # each step's move over the last epoch
    return {**settings(traj.config, row), **minibatch_facts(traj, row), **end_facts(traj, row),
            "apart": num(d.max(), 2), "k_apart": steps(int(d.argmax())), "end_mini": num(ends[0], 4),
            "end_full": num(ends[1], 4), "jitter": num(moves[0], 2), "still": num(moves[1], 2)}
