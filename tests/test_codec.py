"""The link as one codec (ui/codec.py, the entries of ui/params.py): each entry's parse, format and check, against
a table written by hand and against what Streamlit's own binding makes of the same link text."""
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import limits
from tests.test_share import PAGES
from ui import codec, params

DEFAULT = object()  # the control keeps its default: the codec refuses the text


class Held(float):
    """The codec refuses the text; the control holds this value instead (Streamlit's own correction)."""


# links, each {key: (link text, the value a control takes from it, worked out by hand)}
LINKS = [
    ("Descent", {"fn": ("rosenbrock", "rosenbrock"), "opt": ("__import__('os')", DEFAULT), "lr": ("0.05", 0.05),
                 "tol": ("off", "off"), "steps": ("300", 300), "x0": ("-1.25", -1.25), "y0": ("1e-320", 1e-320),
                 "scale": ("log", "log"), "arrows": ("true", True), "dtype": ("float64", "float64"),
                 "adam_betas0": ("0.8", 0.8), "present": ("false", False)}),
    ("Descent", {"fn": ("Rosenbrock", DEFAULT), "opt": ("sgd", "sgd"), "lr": ("0.0500", DEFAULT),
                 "tol": ("1e-06", 1e-6), "steps": ("2.5", Held(2)), "x0": ("20000", DEFAULT), "y0": ("abc", DEFAULT),
                 "scale": ("LOG", DEFAULT), "arrows": ("TRUE", True), "sgd_nesterov": ("true", True),
                 "sgd_momentum": ("0.5", 0.5), "lang": ("fr", DEFAULT)}),
    ("Descent", {"opt": ("lbfgs", "lbfgs"), "tol": ("0.000001", DEFAULT),
                 "steps": ("1e3", 1000), "arrows": ("yes", DEFAULT), "lbfgs_line_search_fn": ("strong_wolfe",
                                                                                              "strong_wolfe")}),
    ("Descent", {"opt": ("adam", "adam"), "lr": ("0.003", DEFAULT), "steps": ("0", DEFAULT),
                 "adam_betas0": ("1.5", DEFAULT)}),
    ("Descent", {"x0": ("\u0663", DEFAULT), "steps": ("\uff13\uff10", DEFAULT)}),  # digits of other scripts
    ("Sweep", {"lrs": (["0.001", "0.1"], (1e-3, 0.1)), "count": ("30", 30)}),
    ("Sweep", {"lrs": (["0.001"], DEFAULT), "count": ("10", DEFAULT)}),
    ("Compare", {"click_run": ("2", 2), "r2_opt": ("rprop", "rprop"), "runs": ("7", DEFAULT)}),
    ("Chain_Rule", {"w1": ("-2.5", -2.5), "act": ("tanh", "tanh")}),
]
CASES = [(page, key, raw, value) for page, link in LINKS for key, (raw, value) in link.items()]


@pytest.mark.parametrize("page,key,raw,value", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_parse_reads_the_table_by_hand(page, key, raw, value):
    p = params.table(page)[key]
    if value is DEFAULT or isinstance(value, Held):
        with pytest.raises(ValueError):
            p.parse(raw)
    else:
        assert p.parse(raw) == value
        assert p.parse(p.format(value)) == value


@pytest.mark.parametrize("page,link", LINKS, ids=[f"{page}-{i}" for i, (page, _) in enumerate(LINKS)])
def test_streamlit_takes_from_the_link_what_the_codec_reads(page, link):
    """The same texts in a real link: each control holds the value of the table above (its default where the
    codec refuses the text), and the link notice names exactly the refused ones."""
    at = AppTest.from_file(PAGES[page], default_timeout=180)
    for key, (raw, _) in link.items():
        at.query_params[key] = raw
    at.run()
    assert not at.exception, at.exception
    notice = next((w.value for w in at.warning if "not accepted" in w.value), "")
    for key, (raw, value) in link.items():
        held, refused = at.session_state[key], value is DEFAULT or isinstance(value, Held)
        assert held == (params.table(page)[key].default if value is DEFAULT else value), (key, raw, held)
        assert (f"`{key}=" in notice) == refused, (key, raw, notice)


def test_every_entry_formats_its_default_and_its_bounds_so_that_parse_reads_them_back():
    for page, entries in params.SCHEMA.items():
        for p in entries:
            values = [] if p.default is None else [p.default] if isinstance(p.default, tuple) else \
                [p.default, *p.options]
            if p.low is not None and p.widget not in ("text", "matrix") and not p.options:
                values += [p.low, p.high]
            for v in values:
                assert p.parse(p.format(v)) == v, (page, p.key, v)


def test_check_refuses_what_no_control_takes():
    descent = params.table("Descent")
    for key, value in [("steps", limits.MAX_STEPS + 1), ("steps", True), ("x0", math.nan), ("fn", "nope"),
                       ("arrows", "true"), ("expr", "x" * 301), ("lr", 0.003)]:
        with pytest.raises(ValueError):
            descent[key].check(value)
    with pytest.raises(ValueError):
        descent["steps"].format(0)


def test_matrices_travel_as_rows_and_entries():
    """x and w of /Perceptron: rows split by ';', entries by ','; within ±EDIT_LIMIT, rectangular, finite."""
    p = params.table("Perceptron")["w"]
    m = np.array([[0.5, -1.0, 2.0], [1e-3, 0.0, 1000.0]])
    assert p.format(m) == "0.5,-1,2;0.001,0,1000"
    assert np.array_equal(p.parse(p.format(m)), m)
    for bad in ("1,2;3", "1,nan", "1,inf", "1001", "1,,2", "1_0", "a"):
        with pytest.raises(ValueError):
            p.parse(bad)


def test_unsafe_numbers_are_named_before_any_control_reads_them():
    assert codec.unsafe(["inf"]) == codec.unsafe(["1", "1e999"]) == codec.INFINITE
    assert codec.unsafe(["1_0"]) == codec.unsafe(["2", "0_5"]) == codec.NOT_PLAIN
    assert codec.unsafe(["\u0663"]) == codec.unsafe(["\uff13\uff10"]) == codec.NOT_PLAIN  # float() reads 3 and 30
    assert codec.unsafe(["abc", "0.5", "-3e2"]) is None
