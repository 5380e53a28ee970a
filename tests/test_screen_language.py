"""Every text a page shows is in the page's language: each page rendered with lang=zh, its texts read off the
element tree (labels, bodies, help, options, table headers, and the texts drawn inside Plotly figures), and none
of them may be an English catalogue entry that has a Chinese translation."""
import json
import re

import pytest

from tests.test_share import PAGES, load, page
from viz.instrument import MARK

ENGLISH = {en for en, zh in zip(load("en").values(), (load("zh")[k] for k in load("en"))) if en != zh}
LONG = {en for en in ENGLISH if len(en) >= 12 and " " in en}  # long enough to spot inside a longer text
# a figure's hover texts are made of pieces joined by markup and placeholders: check each piece
PIECES = re.compile(r"<br>|<extra></extra>|%\{[^}]*\}|[=:()<>,]")
FIGURE_KEYS = {"name", "text", "label", "prefix", "hovertemplate", "title"}

SCREENS = [("Home", {}), ("Descent", {}), ("Descent", {"fn": "custom", "expr": "1"}),
           ("Descent", {"fn": "custom", "expr": "lambda: 0"}), ("Descent", {"opt": "sgd", "lr": "0.1"}),
           ("Perceptron", {}), ("Perceptron", {"k": "3"}), ("Chain_Rule", {}), ("Tensors", {}),
           ("Compare", {"steps": "300"}), ("Basins", {"grid": "20", "steps": "200"}), ("Sweep", {"steps": "200"}),
           ("Scenes", {}), ("Descent", {"steps": "inf", "zz": "1"}), ("Descent", {"curv": "true", "steps": "50"}),
           ("Model", {}), ("Model", {"batch": "0"}), ("Slices", {"steps": "50", "grid": "11"}),
           ("Slices", {"model": "perceptron", "dirs": "random", "steps": "50", "grid": "11"})]


def leaves(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from leaves(child)
    else:
        yield node


def figure_texts(value):
    if isinstance(value, dict):
        for key, v in value.items():
            if key in FIGURE_KEYS and isinstance(v, str):
                yield v
            elif key != "data" or isinstance(v, list):
                yield from figure_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from figure_texts(v)


def screen_texts(at):
    """Every text the page shows, as (where, text)."""
    for node in leaves(at._tree):
        proto, kind = getattr(node, "proto", None), type(node).__name__
        if proto is None:
            continue
        if type(proto).__name__ == "PlotlyChart":
            yield from ((f"figure {proto.id[-12:]}", text) for text in figure_texts(json.loads(proto.spec)))
            continue
        if type(proto).__name__ == "BidiComponent":  # the instrument: its views' texts and its own controls' words
            yield from (("instrument", text) for text in instrument_texts(json.loads(proto.json)) if text)
            continue
        for field in ("label", "body", "help"):
            if kind != "Code" and isinstance(getattr(proto, field, None), str) and getattr(proto, field):
                yield kind, getattr(proto, field)
        for option in getattr(proto, "options", []):
            yield kind, option
        if kind == "Dataframe":
            yield from ((kind, str(c)) for c in node.value.columns)


def instrument_texts(data):
    """A component's texts (the instrument's and the page's accessibility helper's): its own controls' words, the
    paths' labels, and the scene's texts as the browser fills them in (its marked texts from texts.scene, which
    must hold every one of them)."""
    texts, scene = data.get("texts", {}), data.get("scene", {})
    inside = [*figure_texts(scene), *scene.get("hover", {}).values()]
    assert {key for text in inside for key in MARK.findall(text)} <= set(texts.get("scene", {}))
    words = [v for k, v in [*texts.items(), *texts.get("curv", {}).items()] if isinstance(v, str)]
    return [*(MARK.sub(" ", text) for text in inside), *texts.get("scene", {}).values(), *texts.get("labels", []),
            *words]


def untranslated(text):
    pieces = [text.strip(), *(p.strip() for p in PIECES.split(text))]
    return [p for p in pieces if p in ENGLISH] + [e for e in LONG if e in text]


@pytest.mark.parametrize("name,params", SCREENS, ids=[f"{n}-{'&'.join(p)}" for n, p in SCREENS])
def test_every_text_on_screen_is_chinese(name, params):
    at = page(PAGES[name], {"lang": "zh", **params})
    found = {(where, text[:80], tuple(untranslated(text))) for where, text in screen_texts(at) if untranslated(text)}
    assert not found


def test_the_screen_check_sees_english():
    """The check itself: the same page in English is full of catalogue entries."""
    at = page(PAGES["Descent"], {})
    texts = [text for _, text in screen_texts(at)]
    assert sum(bool(untranslated(text)) for text in texts) > 20
    assert any("known minima" in text for text in texts)  # a legend entry inside a figure
    assert "Play" in texts and "speed" in texts  # the instrument's own controls
