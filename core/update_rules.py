"""Each optimizer's update rule written out by hand (numpy, float64) with LaTeX lines carrying the numbers.

A rule takes x_k, the gradient, the hyperparameters, torch's optimizer state entering the step, and the step's
count t (from 1); it returns x_{k+1} computed independently of torch's step(), and the lines that show it.
The registry (core/optimizers.py) attaches each to its optimizer; LBFGS has no closed form.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

Vec = np.ndarray
Rule = Callable[[Vec, Vec, dict, dict, int], tuple[Vec, list[str]]]


def _v(a: Vec) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(f"{float(v):.6g}" for v in np.atleast_1d(a)) + r"\end{pmatrix}"


def _l2(x: Vec, g: Vec, wd: float, lines: list[str]) -> Vec:
    """weight_decay as torch applies it in these optimizers: an L2 term added to the gradient, written out."""
    if not wd:
        return g
    g = g + wd * x
    lines.append(rf"g = \nabla f + \lambda x = {_v(g)}")
    return g


def sgd(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, mu, tau, wd, nesterov = h["lr"], h["momentum"], h["dampening"], h["weight_decay"], h["nesterov"]
    lines = []
    d = g + wd * x
    if wd:
        lines.append(rf"g = \nabla f + \lambda x = {_v(d)}")
    if mu:
        b = d if "momentum_buffer" not in s or s["momentum_buffer"] is None else mu * s["momentum_buffer"] + (1 - tau) * d
        lines.append(rf"b_t = \mu b_{{t-1}} + (1-\tau) g = {_v(b)}" if t > 1 else rf"b_1 = g = {_v(b)}")
        d = d + mu * b if nesterov else b
        if nesterov:
            lines.append(rf"g \leftarrow g + \mu b_t = {_v(d)}")
    x_new = x - lr * d
    lines.append(rf"x_{{k+1}} = x_k - \gamma\,{'b_t' if mu and not nesterov else 'g'} = {_v(x)} - {lr:g}\,{_v(d)} = {_v(x_new)}")
    return x_new, lines


def adam(decoupled: bool) -> Rule:
    def rule(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        lines: list[str] = []
        if decoupled and wd:
            x = x * (1 - lr * wd)
            lines.append(rf"x \leftarrow x_k (1 - \gamma\lambda) = {_v(x)}")
        elif not decoupled:
            g = _l2(x, g, wd, lines)
        m = b1 * s.get("exp_avg", 0 * g) + (1 - b1) * g
        v = b2 * s.get("exp_avg_sq", 0 * g) + (1 - b2) * g * g
        lines += [rf"m_t = \beta_1 m_{{t-1}} + (1-\beta_1) g = {_v(m)}",
                  rf"v_t = \beta_2 v_{{t-1}} + (1-\beta_2) g^2 = {_v(v)}"]
        name = "v_t"
        if h["amsgrad"]:
            v = np.maximum(s.get("max_exp_avg_sq", 0 * g), v)
            name = r"v_t^{\max}"
            lines.append(rf"v_t^{{\max}} = \max(v_{{t-1}}^{{\max}}, v_t) = {_v(v)}")
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        x_new = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        start = r"x" if decoupled and wd else "x_k"
        lines += [rf"\hat m = m_t / (1-\beta_1^{{{t}}}) = {_v(m_hat)},\quad \hat v = {name}/(1-\beta_2^{{{t}}}) = {_v(v_hat)}",
                  rf"x_{{k+1}} = {start} - \gamma\,\hat m / (\sqrt{{\hat v}} + \epsilon) = {_v(x_new)}"]
        return x_new, lines
    return rule


def nadam(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, (b1, b2), eps, wd, psi = h["lr"], h["betas"], h["eps"], h["weight_decay"], h["momentum_decay"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    prod = s.get("mu_product", 1.0) * mu
    m = b1 * s.get("exp_avg", 0 * g) + (1 - b1) * g
    v = b2 * s.get("exp_avg_sq", 0 * g) + (1 - b2) * g * g
    denom = np.sqrt(v / (1 - b2 ** t)) + eps
    x_new = x - lr * (1 - mu) / (1 - prod) * g / denom - lr * mu_next / (1 - prod * mu_next) * m / denom
    return x_new, pre + [rf"\mu_t = \beta_1 (1 - \tfrac12 0.96^{{t\psi}}) = {mu:.6g},\ \mu_{{t+1}} = {mu_next:.6g},\ "
                   rf"\textstyle\prod \mu = {prod:.6g}",
                   rf"m_t = \beta_1 m_{{t-1}} + (1-\beta_1) g = {_v(m)},\quad "
                   rf"v_t = \beta_2 v_{{t-1}} + (1-\beta_2) g^2 = {_v(v)},\quad \hat v = v_t/(1-\beta_2^{{{t}}})",
                   r"x_{k+1} = x_k - \gamma \frac{1-\mu_t}{1-\prod\mu}\frac{g}{\sqrt{\hat v}+\epsilon}"
                   r" - \gamma\frac{\mu_{t+1}}{1-\mu_{t+1}\prod\mu}\frac{m_t}{\sqrt{\hat v}+\epsilon} = " + _v(x_new)]


def radam(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    m = b1 * s.get("exp_avg", 0 * g) + (1 - b1) * g
    v = b2 * s.get("exp_avg_sq", 0 * g) + (1 - b2) * g * g
    m_hat = m / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    lines = pre + [rf"m_t = {_v(m)},\ v_t = {_v(v)},\ \hat m = {_v(m_hat)},\ \rho_t = {rho:.6g}"]
    if rho > 5:
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        adaptive = math.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps)
        x_new = x - lr * m_hat * r * adaptive
        lines.append(rf"\rho_t > 5:\ x_{{k+1}} = x_k - \gamma\,\hat m\, r_t \frac{{\sqrt{{1-\beta_2^t}}}}{{\sqrt{{v_t}}+\epsilon}},"
                     rf"\ r_t = {r:.6g},\ x_{{k+1}} = {_v(x_new)}")
    else:
        x_new = x - lr * m_hat
        lines.append(rf"\rho_t \le 5:\ x_{{k+1}} = x_k - \gamma\,\hat m = {_v(x_new)}")
    return x_new, lines


def adamax(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    m = b1 * s.get("exp_avg", 0 * g) + (1 - b1) * g
    u = np.maximum(b2 * s.get("exp_inf", 0 * g), np.abs(g) + eps)
    x_new = x - lr / (1 - b1 ** t) * m / u
    return x_new, pre + [rf"m_t = {_v(m)},\quad u_t = \max(\beta_2 u_{{t-1}}, |g| + \epsilon) = {_v(u)}",
                   rf"x_{{k+1}} = x_k - \frac{{\gamma}}{{1-\beta_1^{{{t}}}}} \frac{{m_t}}{{u_t}} = {_v(x_new)}"]


def rmsprop(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, a, eps, wd, mu = h["lr"], h["alpha"], h["eps"], h["weight_decay"], h["momentum"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    v = a * s.get("square_avg", 0 * g) + (1 - a) * g * g
    lines = pre + [rf"v_t = \alpha v_{{t-1}} + (1-\alpha) g^2 = {_v(v)}"]
    if h["centered"]:
        ga = a * s.get("grad_avg", 0 * g) + (1 - a) * g
        denom = np.sqrt(v - ga * ga) + eps
        lines.append(rf"\bar g_t = \alpha \bar g_{{t-1}} + (1-\alpha) g = {_v(ga)},\quad "
                     rf"D = \sqrt{{v_t - \bar g_t^2}} + \epsilon = {_v(denom)}")
    else:
        denom = np.sqrt(v) + eps
        lines.append(rf"D = \sqrt{{v_t}} + \epsilon = {_v(denom)}")
    if mu:
        b = mu * s.get("momentum_buffer", 0 * g) + g / denom
        x_new = x - lr * b
        lines.append(rf"b_t = \mu b_{{t-1}} + g/D = {_v(b)},\quad x_{{k+1}} = x_k - \gamma b_t = {_v(x_new)}")
    else:
        x_new = x - lr * g / denom
        lines.append(rf"x_{{k+1}} = x_k - \gamma\, g / D = {_v(x_new)}")
    return x_new, lines


def adagrad(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, decay, wd, eps = h["lr"], h["lr_decay"], h["weight_decay"], h["eps"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    clr = lr / (1 + (t - 1) * decay)
    total = s.get("sum", np.full(2, h["initial_accumulator_value"])) + g * g
    x_new = x - clr * g / (np.sqrt(total) + eps)
    return x_new, pre + [rf"\tilde\gamma = \gamma / (1 + (t-1)\eta) = {clr:.6g},\quad s_t = s_{{t-1}} + g^2 = {_v(total)}",
                   rf"x_{{k+1}} = x_k - \tilde\gamma\, g / (\sqrt{{s_t}} + \epsilon) = {_v(x_new)}"]


def adadelta(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, rho, eps, wd = h["lr"], h["rho"], h["eps"], h["weight_decay"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    v = rho * s.get("square_avg", 0 * g) + (1 - rho) * g * g
    delta = np.sqrt(s.get("acc_delta", 0 * g) + eps) / np.sqrt(v + eps) * g
    u = rho * s.get("acc_delta", 0 * g) + (1 - rho) * delta * delta
    x_new = x - lr * delta
    return x_new, pre + [rf"v_t = \rho v_{{t-1}} + (1-\rho) g^2 = {_v(v)}",
                         rf"\Delta x = \frac{{\sqrt{{u_{{t-1}} + \epsilon}}}}{{\sqrt{{v_t + \epsilon}}}} g = {_v(delta)},"
                         rf"\quad u_t = \rho u_{{t-1}} + (1-\rho) \Delta x^2 = {_v(u)}",
                         rf"x_{{k+1}} = x_k - \gamma \Delta x = {_v(x_new)}"]


def rprop(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, (eta_minus, eta_plus), (lo, hi) = h["lr"], h["etas"], h["step_sizes"]
    prev = s.get("prev", 0 * g)
    size = s.get("step_size", np.full(2, lr))
    sign = np.sign(g * prev)
    size = np.clip(np.where(sign > 0, size * eta_plus, np.where(sign < 0, size * eta_minus, size)), lo, hi)
    g = np.where(sign < 0, 0.0, g)
    x_new = x - np.sign(g) * size
    return x_new, [rf"\operatorname{{sign}}(g_t g_{{t-1}}) = {_v(sign)},\quad \text{{step sizes}} = {_v(size)}",
                   rf"x_{{k+1}} = x_k - \operatorname{{sign}}(g_t)\,\text{{step}} = {_v(x_new)}"]


def asgd(x: Vec, g: Vec, h: dict, s: dict, t: int) -> tuple[Vec, list[str]]:
    lr, lambd, wd = h["lr"], h["lambd"], h["weight_decay"]
    pre: list[str] = []
    g = _l2(x, g, wd, pre)
    eta = s.get("eta", lr)
    x_new = x * (1 - lambd * eta) - eta * g
    return x_new, pre + [rf"\eta_t = \gamma / (1 + \lambda\gamma (t-1))^{{\alpha}} = {eta:.6g}",
                   rf"x_{{k+1}} = x_k (1 - \lambda \eta_t) - \eta_t g = {_v(x_new)}"]
