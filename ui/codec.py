"""The link's codec: one URL parameter, with its control, default and bounds, and its own parse (link text to the
value its control takes), format (value to link text) and check (may the control take this value). Every entry of
the link's schema (ui/params.py) is one of these; nothing else reads link text. Streamlit's own binding
(bind="query-params") seeds the controls from the same text: tests/test_codec.py checks that the two agree.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from core import limits
from core.numbers import PLAIN_NUMBER

Link = str | Sequence[str]  # one parameter's text in a link: its values, the last one counts (a range: both)
INFINITE, NOT_PLAIN = "infinite", "not plain"  # why a number in a link is taken out before any control reads it


@dataclass(frozen=True)
class Param:
    """One URL parameter: the key (also the control's session-state key), the control that reads it, its default
    and its bounds (numbers) or options (choices). `matrix`: page state kept in the link by the page itself."""

    key: str
    widget: str  # selectbox, radio, toggle, checkbox, text, number, slider, select_slider, matrix
    default: Any = None
    low: float | None = None
    high: float | None = None
    options: tuple = ()
    step: float | None = None
    about: str = ""  # what it sets, for the README's table

    def but(self, **changes: Any) -> Param:
        """This entry with some fields changed (a page's own default, the options a run allows)."""
        return dataclasses.replace(self, **changes)

    def parse(self, raw: Link) -> Any:
        """The value the link's text gives this parameter, as its control takes it; ValueError when the control
        would not take it as written (it then keeps its default or corrects it, and the link notice says so)."""
        texts = [raw] if isinstance(raw, str) else list(raw)
        if isinstance(self.default, tuple):  # a range: one text per end
            if len(texts) != len(self.default):
                raise ValueError(f"{self.key} takes {len(self.default)} values")
            return self.check(tuple(self._one(text) for text in texts))
        if not texts:
            raise ValueError(f"{self.key} has no value")
        return self.check(self._one(texts[-1]))

    def format(self, value: Any) -> Link:
        """The link's text for value (what parse reads back as value); ValueError if the control cannot take it."""
        self.check(value)
        if self.widget == "matrix":
            return ";".join(",".join(f"{float(v):.7g}" for v in row) for row in np.atleast_2d(value))
        return [show(v) for v in value] if isinstance(value, tuple) else show(value)

    def check(self, value: Any) -> Any:
        """value when this parameter's control may take it, else ValueError."""
        if self.widget == "matrix":
            _check_matrix(value)
        elif self.options:
            if not all(v in self.options for v in (value if isinstance(value, tuple) else (value,))):
                raise ValueError(f"{self.key}: not one of its options")
        elif self.widget in ("toggle", "checkbox"):
            if not isinstance(value, bool):
                raise ValueError(f"{self.key}: not true or false")
        elif self.widget == "text":
            if not isinstance(value, str) or len(value) > self.high:
                raise ValueError(f"{self.key}: not a text of at most {self.high:g} characters")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            raise ValueError(f"{self.key}: not a number from {self.low:g} to {self.high:g}")
        return value

    def _one(self, text: str) -> Any:
        """One value from its text: an option as the control shows it, true/false, a text or a plain number."""
        if self.widget == "matrix":
            return _matrix(text)
        if self.options:
            return next((o for o in self.options if show(o) == text), text)  # not an option: check says so
        if self.widget in ("toggle", "checkbox"):
            return {"true": True, "false": False}.get(text.lower(), text)
        if self.widget == "text":
            return text
        number = plain_number(text)
        if isinstance(self.default, int) and not isinstance(self.default, bool):
            if number != int(number):
                raise ValueError(f"{self.key}: not a whole number")
            return int(number)
        return number

    @property
    def accepts(self) -> str:
        """What the link may give this parameter, for the README's table."""
        if self.widget == "matrix":
            return "numbers within ±{:g}, `,` between entries, `;` between rows".format(limits.EDIT_LIMIT)
        if self.options:
            shown = [show(o) for o in self.options]
            return ", ".join(shown) if len(shown) <= 14 else f"{', '.join(shown[:3])}, ... {shown[-1]}"
        if self.widget in ("toggle", "checkbox"):
            return "true, false"
        if self.widget == "text":
            return f"a formula of at most {int(self.high)} characters"
        return f"{show(self.low)} to {show(self.high)}"


def show(value: Any) -> str:
    """A single value as the link and the controls write it: true/false, 1e-05, 0.5, 20000, adam."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def plain_number(text: str) -> float:
    """A finite number written plainly (digits, a point, an exponent), else ValueError."""
    number = float(text) if PLAIN_NUMBER.fullmatch(text) else math.nan
    if not math.isfinite(number):
        raise ValueError(f"not a finite number written plainly: {text[:40]!r}")
    return number


def linked(p: Param, texts: Sequence[str]) -> Any:
    """p's value in a link that holds texts for it; its default when there are none or p takes none of them."""
    try:
        return p.parse(texts) if texts else p.default
    except ValueError:
        return p.default


def unsafe(texts: Sequence[str]) -> str | None:
    """Why a parameter's texts must not reach any control (INFINITE, NOT_PLAIN), or None: a number that float()
    reads but that is not finite or not written plainly (Streamlit's own parsing breaks on some: `steps=inf`)."""
    for text in texts:
        try:
            number = float(text)
        except (ValueError, OverflowError):
            continue  # not a number at all: each control refuses or takes it on its own terms
        if not math.isfinite(number):
            return INFINITE
        if not PLAIN_NUMBER.fullmatch(text):
            return NOT_PLAIN
    return None


def _matrix(text: str) -> np.ndarray:
    """A matrix from its link text: rows split by ';', entries by ',' (cut to limits.MATRIX_TEXT_LIMIT)."""
    rows = [[plain_number(v) for v in row.split(",")] for row in text[:limits.MATRIX_TEXT_LIMIT].split(";")]
    return np.array(rows, dtype=np.float64)  # rows of different lengths: ValueError


def _check_matrix(m: Any) -> None:
    a = np.asarray(m, dtype=np.float64)
    if a.ndim > 2 or not a.size or not np.isfinite(a).all() or np.abs(a).max() > limits.EDIT_LIMIT:
        raise ValueError(f"not a matrix of numbers within ±{limits.EDIT_LIMIT:g}")
