"""f and its gradient compiled: torch.compile of torch.func.grad_and_value(f), used only where every number is
the eager run's to the last bit (tests/test_compiled.py checks each case step by step against the eager loop).

The optimizer stays the real torch.optim class, stepping eagerly on the compiled gradient. Compiling takes
seconds, so it never happens on a run's way: the server compiles in the background after start-up
(start_background), a run asks `lookup`, which never waits, and a run that comes before its function is ready
runs eagerly with the same numbers. Without a C++ compiler (python:3.11-slim has none) everything runs eagerly,
and the log says so once.
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import types
from typing import Callable

import torch

from core.objectives import OBJECTIVES
from core.run.config import DTYPES

Screen = Callable[..., torch.Tensor]  # record.screen(x, f, g, limits) over a full chunk: the rows that may stop
Gradient = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]  # x [K, 2] -> f(x) [K], df/dx [K, 2]

# Compiled, these give the eager numbers bit for bit, for one start and for batches, in both dtypes.
SAME_BITS = ("himmelblau", "rosenbrock", "booth", "beale", "camel", "saddle")
# These do not, and stay eager (tests/test_compiled.py checks that they still differ): the compiled code takes
# cos and exp from one vectorised routine for every element, eager torch computes the elements past the last
# full vector with the scalar routine, which differs in the last bit. Typed formulas (custom) stay eager too:
# compiling a new formula costs more than a run could gain (python bench/bench_descent.py prints both),
# and they may use the same functions.
EAGER_ONLY = ("rastrigin", "ackley", "custom")

_ready: dict[tuple[str, str], Gradient] = {}
_screens: dict[torch.dtype, Screen] = {}
_started = threading.Lock()
_state = {"enabled": True, "started": False, "compiling": False}


def compiler() -> str | None:
    """The C++ compiler inductor would call, or None when there is none on PATH."""
    from torch._inductor import config

    names = [c for c in config.cpp.cxx if c]
    return next((shutil.which(c) for c in names if shutil.which(c)), None)


def lookup(objective: str, dtype: str) -> Gradient | None:
    """The compiled f and gradient for objective in dtype when it is ready and bit-identical; None means eager.

    Never waits and never compiles."""
    return _ready.get((objective, dtype)) if _state["enabled"] else None


def enabled(on: bool) -> bool:
    """Let lookup hand out compiled functions (True) or not (False); the previous setting (tests, benches)."""
    before, _state["enabled"] = _state["enabled"], on
    return before


def build(objective: str, dtype: str) -> Gradient | None:
    """Compile f and its gradient for one start and for any batch, check it against eager, publish it.

    Returns None (and publishes nothing) where the objective is eager-only, there is no C++ compiler, or the
    check finds a difference."""
    if objective not in SAME_BITS or compiler() is None:
        return None
    if (objective, dtype) in _ready:
        return _ready[objective, dtype]
    try:
        gradient = compile_gradient(OBJECTIVES[objective].fn, DTYPES[dtype])
    except Exception as err:  # any failure of the compiler stack leaves the eager path, which always works
        print(f"descent-lab: compiling {objective} {dtype} failed ({type(err).__name__}); it runs eagerly",
              file=sys.stderr, flush=True)
        return None
    if not same_as_eager(gradient, objective, DTYPES[dtype]):
        print(f"descent-lab: compiled {objective} {dtype} differs from eager; it runs eagerly", file=sys.stderr,
              flush=True)
        return None
    _ready[objective, dtype] = gradient
    return gradient


def compile_gradient(fn: Callable[[torch.Tensor], torch.Tensor], dtype: torch.dtype) -> Gradient:
    """torch.compile of grad_and_value with inductor, traced once for one start and once for any batch (the
    batch size dynamic); the compiled graphs are kept and called directly, without dynamo's per-call frame
    evaluation and guards (12 of 17 us a call here), so a shape never compiles on a run's way."""
    def total(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = fn(x)
        return f.sum(), f

    grad_and_value = torch.func.grad_and_value(total, has_aux=True)

    def flat(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        g, (_, f) = grad_and_value(x)
        return f, g

    from torch._inductor import config

    graphs: list[Callable] = []
    compiled = torch.compile(fresh(flat), backend=_Keep(graphs), dynamic=True, fullgraph=True)
    with config.patch(compile_threads=1):  # no pool of compile workers left in the server
        for rows in (1, 2):
            compiled(torch.zeros(rows, 2, dtype=dtype))
    one, batch = graphs

    def gradient(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if x.dtype != dtype or x.dim() != 2 or x.shape[1] != 2 or not x.is_contiguous():
            raise ValueError(f"compiled f takes a contiguous [K, 2] {dtype} tensor")
        out = one(x) if len(x) == 1 else batch(len(x), x)
        return out[0], out[1]

    return gradient


def fresh(fn: Callable) -> Callable:
    """fn with a code object of its own: dynamo keeps its compiled entries per code object (at most 8), and each
    compile here must trace its own objective and dtype."""
    return types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


class _Keep:
    """A torch.compile backend: inductor's compile_fx, keeping each compiled graph (its inputs: the batch size
    where it is dynamic, then x)."""

    def __init__(self, graphs: list[Callable]) -> None:
        self.graphs = graphs

    def __call__(self, gm: torch.fx.GraphModule, example_inputs: list) -> Callable:
        from torch._inductor.compile_fx import compile_fx

        kinds = ["size" if isinstance(e, torch.SymInt) else "x" if isinstance(e, torch.Tensor) else "other"
                 for e in example_inputs]
        if kinds not in (["x"], ["size", "x"]):
            raise TypeError(f"unexpected graph inputs {kinds}")
        graph = compile_fx(gm, example_inputs)
        self.graphs.append(graph)
        return graph


def lookup_screen(dtype: torch.dtype) -> Screen | None:
    """The compiled stop screen (core/run/record.py screen) for full chunks in dtype when ready; None: eager."""
    return _screens.get(dtype) if _state["enabled"] else None


def build_screen(dtype: torch.dtype) -> Screen | None:
    """Compile record.screen for a full chunk of any batch size (K >= 2) in dtype: one pass over the chunk where
    eager makes six. Its min, max and comparisons are exact, so it is the eager screen's mask bit for bit
    (tests/test_record.py checks it against the stop rule in numpy). None where there is no C++ compiler."""
    if compiler() is None:
        return None
    if dtype not in _screens:
        from core.run.compiled_screen import compile_screen

        try:
            _screens[dtype] = compile_screen(dtype)  # core/run/compiled_screen.py
        except Exception as err:  # the eager screen always works
            print(f"descent-lab: compiling the stop screen ({dtype}) failed ({type(err).__name__}); it runs "
                  "eagerly", file=sys.stderr, flush=True)
            return None
    return _screens[dtype]


def eager(objective: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """f and its gradient as the eager loop computes them (core/run/loop.py)."""
    from core.run.loop import _gradient

    x = x.detach().requires_grad_()
    f = OBJECTIVES[objective].fn(x)
    return f.detach(), _gradient(f, [x], torch.ones(len(x), dtype=x.dtype))[0]


def same_as_eager(gradient: Gradient, objective: str, dtype: torch.dtype, rows: tuple[int, ...] = (1, 2, 3, 61),
                  draws: int = 20) -> bool:
    """Whether gradient gives eager's f and gradient bit for bit at random points over the objective's view."""
    o = OBJECTIVES[objective]
    low = torch.tensor([o.x_range[0], o.y_range[0]], dtype=dtype)
    span = torch.tensor([o.x_range[1], o.y_range[1]], dtype=dtype) - low
    generator = torch.Generator().manual_seed(0)
    for k in rows:
        for _ in range(draws):
            x = low + span * torch.rand(k, 2, generator=generator, dtype=dtype)
            (f, g), (fe, ge) = gradient(x), eager(objective, x)
            if not (torch.equal(f, fe) and torch.equal(g, ge)):
                return False
    return True


def start_background() -> bool:
    """Compile every bit-identical (objective, dtype) on a background thread, once per process, the default
    page's first; False (and one line in the log) when there is no C++ compiler or DESCENT_COMPILE=0."""
    with _started:
        if not _state["started"]:
            _state["started"], _state["compiling"] = True, _start()
    return _state["compiling"]


def _start() -> bool:
    if os.environ.get("DESCENT_COMPILE", "1") == "0":
        return False
    if compiler() is None:
        print("descent-lab: no C++ compiler: f and its gradient run eagerly (the same numbers, slower)",
              file=sys.stderr, flush=True)
        return False
    threading.Thread(target=_compile_all, name="descent-compile", daemon=True).start()
    return True


def _compile_all() -> None:
    started = time.perf_counter()
    for dtype in (torch.float32, torch.float64):
        build_screen(dtype)
    done = [(o, d) for d in ("float32", "float64") for o in SAME_BITS if build(o, d) is not None]
    print(f"descent-lab: compiled gradients ready for {len(done)} objective-dtype pairs in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
