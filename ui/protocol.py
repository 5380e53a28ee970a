"""The instrument's protocol, Python's side: what a rerun sends the browser (Data) and what it sends back
(TRIGGERS). The browser's side is the JSDoc of ui/instrument_state.mjs, with the same names; tests/test_protocol.py
checks that the two list the same fields and that what a page sends has them, and both sides are tested against
tests/fixtures/instrument.json."""
from __future__ import annotations

from typing import NotRequired, TypedDict

TRIGGERS = ("click", "missing")  # a click on the contour ({x, y}); a scene id the browser no longer holds


class TypedArray(TypedDict):
    """A Plotly typed-array spec: little-endian bytes in base64, with its shape when 2-D."""

    dtype: str
    bdata: str
    shape: NotRequired[str]


class PathSpec(TypedDict):
    """One path, numbers only: its colour, last step, and per sampled step the step, x, y, 3D height and loss; with
    the curvature on, also the Hessian there (hxx, hxy, hyy: shape [n, 3]); a model fed minibatches (its loss the
    minibatch's) also the full data set's loss (full)."""

    color: str
    end: int
    steps: TypedArray
    x: TypedArray
    y: TypedArray
    z: TypedArray
    loss: TypedArray
    hessian: NotRequired[TypedArray]
    full: NotRequired[TypedArray]


class Bound(TypedDict):
    """What a path's run needs for SGD's stability bound: its lr, and its momentum beta (None: not SGD with plain or
    heavy-ball momentum, so the readout gives plain gradient descent's bound) and dampening."""

    lr: float
    beta: float | None
    dampening: float


class Curv(TypedDict):
    """The curvature readout's words ({l1}, {l2}, {cond}, {bound}, {lr} filled in by the browser at the cursor), and
    each path's Bound."""

    values: str
    sgd: str
    gd: str
    flat: str
    stable: str
    unstable: str
    missing: str
    runs: list[Bound]


class Paths(TypedDict):
    """The paths of one view, with the id that names them (equal numbers, equal id)."""

    id: str
    paths: list[PathSpec]


class Texts(TypedDict):
    """One rerun's words in the page's language: the controls', the paths' labels, the scene's marked texts, and
    the locale step counts are written in."""

    play: str
    pause: str
    step: str
    speed: str
    hint: str
    free: str
    still: str
    heading: str
    unlock: str
    skip: str
    labels: list[str]
    scene: dict[str, str]
    locale: str
    curv: NotRequired[Curv]


class Data(TypedDict):
    """What a rerun sends: the scene only to a session that has not been sent it."""

    plotly: str
    scene_id: str
    scene: NotRequired[dict]
    paths_id: str
    paths: list[PathSpec]
    texts: Texts
    autoplay: bool
    loop: bool
    only3d: bool
