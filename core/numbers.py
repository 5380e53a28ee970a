"""Numbers written as text (command line, links): what a person types, not everything float() accepts."""
from __future__ import annotations

import math
import re

from core.errors import CoreError

# ASCII digits with an optional point and exponent; float() also takes 'inf', 'nan', digit separators ('1_0') and
# other scripts' digits ('٣', '３'), which no control shows and no link the app writes contains
PLAIN_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", re.ASCII)
WHOLE_NUMBER = re.compile(r"\s*[-+]?\d+\s*", re.ASCII)


def parse_number(text: str, name: str) -> float:
    """text as a finite float, or a CoreError naming `name`."""
    if isinstance(text, str) and PLAIN_NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):  # '1e999' is plain but overflows to inf
            return value
    elif not (isinstance(text, str) and text.strip().lower().lstrip("+-") in ("inf", "infinity", "nan")):
        raise CoreError("{name} must be a number, not {value}", name=name, value=repr(text))
    raise CoreError("{name} must be a finite number, not {value}", name=name, value=repr(text))
