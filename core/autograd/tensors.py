"""What .tolist() and .item() return, run live, including the source's np.mat example on NumPy 2."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

RAGGED = [[1, 2, 3], [0, 9, 8, 0]]  # the source's b


@dataclass(frozen=True)
class Demo:
    code: str
    run: Callable[[], Any]
    note: str = ""


def _np_mat(b: list) -> Any:
    return getattr(np, "mat")(b)  # noqa: B009 - np.mat is gone in NumPy 2: let NumPy say so itself


DEMOS: tuple[Demo, ...] = (
    Demo("np.ones(5).tolist()", lambda: np.ones(5).tolist(), "the source's first example"),
    Demo("torch.tensor([0., 0.], requires_grad=True).tolist()",
         lambda: torch.tensor([0.0, 0.0], requires_grad=True).tolist()),
    Demo("torch.tensor([0.001]).tolist()", lambda: torch.tensor([0.001]).tolist(),
         "tolist() turns each float32 into a Python float of the same value, and Python prints the shortest "
         "decimal that reads back to it: above, the float32 nearest 0.001. The source's "
         "x=[0.0009999999310821295, ...] is the float32 just below it, which Adam's first step left in float32 "
         "arithmetic"),
    Demo("torch.tensor(170.).item()", lambda: torch.tensor(170.0).item(), "pred.item() in the source's log"),
    Demo("torch.arange(6).reshape(2, 3).tolist()", lambda: torch.arange(6).reshape(2, 3).tolist()),
    Demo("torch.zeros(2, 1, 2).tolist()", lambda: torch.zeros(2, 1, 2).tolist(), "nesting follows the shape"),
    Demo("torch.tensor(3.5).tolist()", lambda: torch.tensor(3.5).tolist(), "a 0-d tensor gives a plain number"),
    Demo("torch.ones(2, 2).item()", lambda: torch.ones(2, 2).item(), ".item() needs exactly one element"),
    Demo("np.array([[1.5]]).item()", lambda: np.array([[1.5]]).item()),
    Demo("np.mat([[1, 2, 3], [0, 9, 8, 0]])", lambda: _np_mat(RAGGED), "the source's code, on this NumPy"),
    Demo("np.asmatrix([[1, 2, 3], [0, 9, 8, 0]])", lambda: np.asmatrix(RAGGED),
         "NumPy 1.24+ refuses ragged lists unless told they are objects"),
    Demo("c = np.asmatrix(np.array(b, dtype=object)); print(c)",
         lambda: str(np.asmatrix(np.array(RAGGED, dtype=object))),
         "the modern equivalent: prints what the source printed"),
    Demo("c.tolist()", lambda: np.asmatrix(np.array(RAGGED, dtype=object)).tolist(), "the source's last line"),
)


def evaluate(demo: Demo) -> tuple[bool, str]:
    """(True, repr of the result) or (False, 'ErrorType: message'); never raises."""
    try:
        result = demo.run()
    except Exception as err:  # noqa: BLE001 - showing the error is the point of these demos
        return False, f"{type(err).__name__}: {err}"
    return True, result if isinstance(result, str) else repr(result)
