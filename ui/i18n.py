"""Interface text in two languages. The English text is the key: t("end point") in English is itself, in
Chinese whatever locales/zh.json says. Every text shown by a page goes through t(); tests check that both
catalogues hold every key the code uses, with the same {placeholders}."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Callable

import streamlit as st

from core.errors import CoreError
from ui import params
from ui.codec import linked
from ui.params import LANGUAGES

LOCALES = Path(__file__).resolve().parents[1] / "locales"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def lang() -> str:
    """The language chosen on this page (URL 'lang'), English until the switch has been drawn."""
    value = st.session_state.get("lang") or linked(params.LANG, st.query_params.get_all("lang"))
    return value if value in LANGUAGES else params.LANG.default


def t(text: str, **values: object) -> str:
    """text in the page's language, with {placeholders} filled in."""
    out = catalogue(lang()).get(text, text)
    return out.format(**values) if values else out


def words(language: str) -> Callable[[str], str]:
    """t() without placeholders for one language: what figures call for the texts drawn inside them."""
    table = catalogue(language if language in LANGUAGES else params.LANG.default)
    return lambda text: table.get(text, text)


MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: str) -> str:
    """Text from a link or a formula, made inert in Markdown: no emphasis, link, HTML, code span or math."""
    return MARKDOWN.sub(r"\\\1", text).replace("\n", " ")


def say(err: Exception) -> str:
    """A refusal in the page's language: core's errors carry a message id and values (values from a link or a
    formula are made inert); anything else is shown as its text, made inert."""
    if isinstance(err, CoreError):
        values = {k: _value(v) for k, v in err.values.items()}
        return t(err.message, **values)
    return plain(str(err))


def _value(v: object) -> object:
    """A value of a refusal: a catalogue text (such as 'a lambda') in the page's language, other text inert."""
    if not isinstance(v, str):
        return v
    return t(v) if v in catalogue("en") else plain(v)
