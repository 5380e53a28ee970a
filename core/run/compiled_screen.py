"""The stop screen compiled (core/run/record.py `screen`): one inductor pass over a full chunk where eager makes six
reductions. core/run/compiled.py builds it in the background with the gradients and hands it out (`build_screen`,
`lookup_screen`); min, max and comparisons are exact, so it is the eager screen's mask bit for bit."""
from __future__ import annotations

from typing import Callable

import torch

from core.run.compiled import Screen, fresh


def compile_screen(dtype: torch.dtype) -> Screen:
    """record.screen compiled for [CHUNK, K, 2] chunks, K dynamic; the graph is kept and called directly (its
    inputs in the order dynamo lifted them, found by name), so no chunk ever compiles on a run's way."""
    from torch._inductor import config

    from core.run.record import CHUNK, screen

    graphs: list[Callable] = []
    names: list[str] = []
    compiled = torch.compile(fresh(screen), backend=_KeepNamed(graphs, names), fullgraph=True)
    k = 3
    example = [torch.zeros(CHUNK, k, 2, dtype=dtype), torch.zeros(CHUNK, k, dtype=dtype),
               torch.zeros(CHUNK, k, 2, dtype=dtype), torch.zeros(3, dtype=dtype)]
    for t in example[:3]:
        torch._dynamo.mark_dynamic(t, 1)
    with config.patch(compile_threads=1):
        compiled(*example)
    graph, order = graphs[0], [_which(n) for n in names]

    def run(x: torch.Tensor, f: torch.Tensor, g: torch.Tensor, limits: torch.Tensor) -> torch.Tensor:
        args = (x, f, g, limits)
        if any(t.dtype != dtype or not t.is_contiguous() for t in args) or len(x) != CHUNK or len(x[0]) < 2:
            raise ValueError(f"the compiled screen takes contiguous {dtype} chunks of {CHUNK} steps, K >= 2")
        out = graph(*[x.shape[1] if i is None else args[i] for i in order])
        return out[0] if isinstance(out, (list, tuple)) else out

    return run


def _which(name: str) -> int | None:
    """A screen graph input by its placeholder name: x, f, g or limits (0-3), None for the batch size."""
    for i, arg in enumerate(("x", "f", "g", "limits")):
        if name in (f"L_{arg}_", f"l_{arg}_"):
            return i
    if name.startswith("s"):
        return None
    raise TypeError(f"unexpected screen graph input {name}")


class _KeepNamed:
    """A torch.compile backend: inductor's compile_fx, keeping the compiled graph and its inputs' names."""

    def __init__(self, graphs: list[Callable], names: list[str]) -> None:
        self.graphs, self.names = graphs, names

    def __call__(self, gm: torch.fx.GraphModule, example_inputs: list) -> Callable:
        from torch._inductor.compile_fx import compile_fx

        self.names[:] = [n.name for n in gm.graph.find_nodes(op="placeholder")]
        graph = compile_fx(gm, example_inputs)
        self.graphs.append(graph)
        return graph
