"""Every URL parameter of every page, each given every class of hostile value, under AppTest.

The parameters come from the pages themselves: each page is run in a few contexts (a typed formula, each
optimizer, six runs on Compare) and every control bound to the link is read off the element tree, together with
the page's own link state (urlstate.known: x and w on /Perceptron); they must be exactly the page's entries in
the link's schema (ui/params.py), which the README's table is written from. A link then gives all of a context's new
parameters hostile values at once, one class each, the classes rotated so that over as many links as there are
classes each parameter meets each class. A (page, parameter, class) counts as run only if the parameter was a
control of the page in that run; any that were not are run again alone in their context.
"""
from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.optimizers import OPTIMIZERS
from tests.test_share import PAGES
from ui import params
from ui.urlstate import KNOWN

MARKUP = "<img src=x onerror=alert(1)>**b**[l](javascript:alert(1))$x$"
CLASSES: dict[str, str | list[str]] = {
    "nan": "nan", "inf": "inf", "-inf": "-inf", "1e999": "1e999", "huge": "1e308", "tiny": "1e-320",
    "negative": "-7", "zero": "0", "empty": "", "wrong type": "abc", "list": "[1, 2]", "repeated": ["1", "2"],
    "markup": MARKUP, "3000 chars": "7" * 3000, "control+bidi": "a\x00\x1b\u202eb\u200f", "emoji": "😀🔥",
    "python": "__import__('os').system('id')", "other digits": "\u0663\uff13",
}
FORMULAS = {"constant": "1", "pi": "pi", "sin(2)": "sin(2)", "beyond float32": "x**2 + y**2 + 1e300",
            "1e39*x": "1e39*x", "hex": "0x" + "f" * 290 + "*x", "big exponent": "x**999", "tower": "9**9**9*x",
            "deep": "(" * 60 + "x" + ")" * 60, "attribute": "x.__class__", "lambda": "lambda: x"}
CHEAP = {"steps": "30"}  # contexts keep runs short: the parameter under test is what matters
OPTIMIZER_CONTEXTS = [{"opt": o, "fn": "custom", **CHEAP} for o in OPTIMIZERS]
ORDER = list(OPTIMIZERS)
CONTEXTS = {
    "Home": [{}], "Tensors": [{}], "Scenes": [{}], "Chain_Rule": [{}], "Perceptron": [{}, {"k": "3"}],
    "Descent": [{}, *OPTIMIZER_CONTEXTS],
    "Basins": [{}, *({**c, "grid": "10"} for c in OPTIMIZER_CONTEXTS)],
    "Sweep": [{}, *({**c, "count": "20"} for c in OPTIMIZER_CONTEXTS), {"fn": "perceptron", "count": "20", **CHEAP}],
    # the data set's controls at the defaults: every optimizer's hyperparameters are the same entries as on Descent
    # (the same codec and control code), fuzzed there; the schema test still opens every optimizer (READ below)
    "Model": [{}],
    "Slices": [{}],  # the same: Descent fuzzes the hyperparameters' entries
    # six runs, the optimizers rotated so that every run meets every optimizer
    "Compare": [{}, *({"runs": "6", "fn": "custom", **CHEAP,
                       **{f"r{i + 1}_opt": ORDER[(i + j) % len(ORDER)] for i in range(6)}} for j in range(len(ORDER)))],
}
READ = {**CONTEXTS, "Model": [{}, *({"opt": o, **CHEAP} for o in OPTIMIZERS)],  # the contexts the schema test opens
        "Slices": [{}, *({"opt": o, **CHEAP, "grid": "5"} for o in OPTIMIZERS)]}


def bound_keys(at: AppTest) -> set[str]:
    """The link parameters this run of the page read: bound controls and the page's own link state."""
    out = set(at.session_state[KNOWN]) if KNOWN in at.session_state else set()
    return out | {node.proto.query_param_key for node in _leaves(at) if getattr(node.proto, "query_param_key", "")}


def render(name: str, params: dict) -> AppTest:
    at = AppTest.from_file(PAGES[name], default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def notice_of(at: AppTest) -> str:
    return next((w.value for w in at.warning if "not accepted" in w.value), "")


INERT = re.compile(r"`[^`]*`")  # inline code: shown as text


def check(name: str, at: AppTest, link: dict) -> None:
    """A working page: no exception, every parameter either taken as given or named in the notice, and nothing
    from the link rendered as markup."""
    assert not at.exception, (name, link, at.exception[0].message if at.exception else "")
    notice = notice_of(at)
    for key, raw in link.items():
        kept = at.query_params.get(key)
        named = f"`{key}" in notice or f"`{key[:40]}" in notice
        assert named or kept == raw or took(at, name, key, raw), (name, key, raw, kept, notice)
    for node in _leaves(at):
        body = getattr(node.proto, "body", "")
        if type(node).__name__ == "Code" or not isinstance(body, str):
            continue
        outside = INERT.sub("", body)
        assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(javascript|(?<!\\)\*\*b(?<!\\)\*\*", outside), (name, body)
        assert not (getattr(node.proto, "allow_html", False) and "onerror" in body), (name, body)


def took(at: AppTest, name: str, key: str, raw: str | list[str]) -> bool:
    """Whether the control holds what the link's codec reads from raw: a value equal to the default leaves the URL."""
    entry = params.table(name).get(key)
    try:
        return entry is not None and key in at.session_state and entry.parse(raw) == at.session_state[key]
    except ValueError:
        return False


def _leaves(at: AppTest):
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
        elif getattr(node, "proto", None) is not None:
            yield node


def links_for(keys: list[str], classes: dict) -> list[tuple[dict, dict]]:
    """len(classes) links; in link i parameter j gets class (i + j) mod n. Returns (link, {key: class})."""
    names = list(classes)
    out = []
    for i in range(len(names)):
        chosen = {key: names[(i + j) % len(names)] for j, key in enumerate(keys)}
        out.append(({key: classes[c] for key, c in chosen.items()}, chosen))
    return out


def fuzz_page(name: str) -> tuple[set, float]:
    """Run every (parameter, class) of the page; returns what ran and how long it took."""
    started, ran, seen = time.perf_counter(), set(), set()
    for context in CONTEXTS[name]:
        keys = sorted(bound_keys(render(name, context)) - seen - set(context))
        seen |= set(keys)
        classes = [(k, CLASSES if k != "expr" else {**CLASSES, **FORMULAS}) for k in keys]
        plain = [k for k, c in classes if c is CLASSES]
        todo = [(plain, CLASSES)] + [([k], c) for k, c in classes if c is not CLASSES]
        for group, table in todo:
            for hostile, chosen in links_for(group, table):
                link = {**context, **hostile}
                at = render(name, link)
                check(name, at, hostile)
                read = bound_keys(at)
                ran |= {(key, cls) for key, cls in chosen.items() if key in read}
            for key in group:  # anything a sibling value hid (say, a hostile 'fn' over 'expr'): alone, in context
                for cls in table:
                    if (key, cls) not in ran:
                        at = render(name, {**context, key: table[cls]})
                        check(name, at, {key: table[cls]})
                        ran.add((key, cls))
    return ran, time.perf_counter() - started


@pytest.mark.parametrize("name", list(PAGES))
def test_every_parameter_meets_every_hostile_class(name):
    ran, seconds = fuzz_page(name)
    keys = {k for k, _ in ran}
    print(f"\n{name}: {len(ran)} (parameter, class) combinations over {len(keys)} parameters in {seconds:.1f} s")
    assert all((k, c) in ran for k in keys for c in CLASSES)
    assert "lang" in keys and "present" in keys


@pytest.mark.parametrize("name", list(PAGES))
def test_the_schema_is_what_the_page_reads(name):
    """Every parameter a page reads, in any of its contexts, is in its schema, and every schema entry is read."""
    read = set().union(*(bound_keys(render(name, context)) for context in READ[name]))
    assert read == set(params.table(name)), (sorted(read - set(params.table(name))),
                                             sorted(set(params.table(name)) - read))


def test_readme_holds_the_schema_table(root):
    readme = (root / "README.md").read_text()
    between = readme.split("<!-- params:start -->\n", 1)[1].split("\n<!-- params:end -->", 1)[0]
    assert between == params.readme_table()
