"""The chain rule from the source: y1 = x w1 + b1, y2 = y1 w2 + b2, lengthened to L links.

y_i = act(y_{i-1} w_i + b_i) with y_0 = x. Autograd gives each local derivative dy_i/dy_{i-1} and dy1/dw1 with
retain_graph=True; their product is set beside the direct derivative dy_L/dw1 and the hand formula
act'(z_i) w_i (and act'(z_1) x for dy1/dw1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from core import limits
from core.errors import CoreError

Act = tuple[Callable[[torch.Tensor], torch.Tensor], Callable[[float], float], str]
ACTIVATIONS: dict[str, Act] = {
    # name: (torch function, its derivative by hand as a function of z, LaTeX)
    "identity": (lambda z: z, lambda z: 1.0, r"\sigma(z) = z"),
    "sigmoid": (torch.sigmoid, lambda z: (s := 1 / (1 + math.exp(-z))) * (1 - s), r"\sigma(z) = 1/(1+e^{-z})"),
    "tanh": (torch.tanh, lambda z: 1 - math.tanh(z) ** 2, r"\sigma(z) = \tanh z"),
}
SOURCE = {"x": 1.0, "w1": 2.0, "b1": 1.0, "w2": 2.0, "b2": 1.0}


@dataclass(frozen=True)
class Node:
    """A node of the graph autograd built: its grad_fn class, and the tensor it stands for if named."""

    key: int
    op: str
    name: str = ""
    value: float | None = None
    grad: float | None = None  # d y_L / d (this tensor)


@dataclass(frozen=True)
class Chain:
    values: dict[str, float]  # x, w_i, b_i, z_i, y_i
    local: list[float]  # autograd: dy1/dw1, then dy_i/dy_{i-1} for i = 2..L
    hand: list[float]  # the same by hand
    direct: float  # autograd: dy_L/dw1 in one call
    nodes: list[Node]
    edges: list[tuple[int, int]]  # (input node, node that uses it)

    @property
    def product(self) -> float:
        return math.prod(self.local)

    @property
    def diff(self) -> float:
        return abs(self.product - self.direct)


def chain(x: float, weights: list[float], biases: list[float], activation: str = "identity") -> Chain:
    """Build the chain with torch, take the derivatives with autograd.grad and by hand, walk the graph."""
    if not 1 <= len(weights) <= limits.MAX_LAYERS or len(biases) != len(weights):
        raise CoreError("a chain has from 1 to {most} layers, each with one w and one b", most=limits.MAX_LAYERS)
    if activation not in ACTIVATIONS:
        raise CoreError("activation must be one of {known}, not {value}", known=", ".join(ACTIVATIONS),
                        value=repr(activation))
    if not all(math.isfinite(v) for v in (x, *weights, *biases)):
        raise CoreError("x, every w and every b must be finite numbers")
    act, dact, _ = ACTIVATIONS[activation]
    xt = torch.tensor(float(x))
    ws = [torch.tensor(float(w), requires_grad=True) for w in weights]
    bs = [torch.tensor(float(b)) for b in biases]
    zs, ys, y = [], [], xt
    for w, b in zip(ws, bs):
        z = y * w + b
        y = act(z) if activation != "identity" else z
        zs.append(z)
        ys.append(y)
    top = ys[-1]
    local = [torch.autograd.grad(ys[0], [ws[0]], retain_graph=True)[0].item()]
    local += [torch.autograd.grad(ys[i], [ys[i - 1]], retain_graph=True)[0].item() for i in range(1, len(ys))]
    direct = torch.autograd.grad(top, [ws[0]], retain_graph=True)[0].item()
    hand = [dact(zs[0].item()) * float(x)] + [dact(zs[i].item()) * weights[i] for i in range(1, len(ys))]
    named = {**{f"y{i + 1}": t for i, t in enumerate(ys)}, **{f"w{i + 1}": t for i, t in enumerate(ws)}}
    if activation != "identity":
        named.update({f"z{i + 1}": t for i, t in enumerate(zs)})
    nodes, edges = autograd_graph(top, named)
    values = {"x": float(x), **{f"w{i + 1}": w for i, w in enumerate(weights)},
              **{f"b{i + 1}": b for i, b in enumerate(biases)},
              **{k: t.item() for k, t in named.items() if not k.startswith("w")}}
    return Chain(values, local, hand, direct, nodes, edges)


def autograd_graph(out: torch.Tensor, named: dict[str, torch.Tensor]) -> tuple[list[Node], list[tuple[int, int]]]:
    """Walk out.grad_fn.next_functions: every node autograd built, named where a tensor in `named` is its output."""
    # Python wrappers of autograd nodes are cached only while referenced: hold every one we see, so that
    # id() is a stable identity during the walk.
    alive = [t.grad_fn for t in named.values() if t.grad_fn is not None]
    by_fn = {id(fn): k for fn, k in zip(alive, [k for k, t in named.items() if t.grad_fn is not None])}
    by_leaf = {id(t): k for k, t in named.items() if t.grad_fn is None}
    grads = dict(zip(named, torch.autograd.grad(out, list(named.values()), retain_graph=True, allow_unused=True)))
    nodes: dict[int, Node] = {}
    edges: list[tuple[int, int]] = []
    todo = [out.grad_fn]
    alive.append(out.grad_fn)
    while todo:
        fn = todo.pop()
        if id(fn) in nodes:
            continue
        leaf = getattr(fn, "variable", None)
        name = by_leaf.get(id(leaf), "") if leaf is not None else by_fn.get(id(fn), "")
        tensor = named.get(name)
        grad = grads.get(name)
        nodes[id(fn)] = Node(id(fn), type(fn).__name__, name, None if tensor is None else tensor.item(),
                             None if grad is None else grad.item())
        for child, _ in fn.next_functions:
            if child is not None:
                alive.append(child)
                edges.append((id(child), id(fn)))
                todo.append(child)
    return list(nodes.values()), edges


def to_dot(c: Chain) -> str:
    """The graph in Graphviz's DOT language, inputs at the top, y_L at the bottom."""
    lines = ["digraph autograd {", '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];']
    for n in c.nodes:
        label = n.op
        if n.name:
            label = f"{n.name} = {n.value:.6g}\\n∂y{len(c.local)}/∂{n.name} = {n.grad:.6g}\\n{n.op}"
        color = "#fde2d9" if n.op == "AccumulateGrad" else ("#e3f4f4" if n.name else "#f2f2f2")
        lines.append(f'  n{n.key} [label="{label}", fillcolor="{color}"];')
    lines += [f"  n{a} -> n{b};" for a, b in c.edges]
    lines.append("}")
    return "\n".join(lines)
