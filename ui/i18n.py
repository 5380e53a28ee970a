"""Interface text in two languages. The English text is the key: t("end point") in English is itself, in
Chinese whatever locales/zh.json says. Every text shown by a page goes through t(); tests check that both
catalogues hold every key the code uses, with the same {placeholders}."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

LANGS = {"en": "English", "zh": "简体中文"}
LOCALES = Path(__file__).resolve().parents[1] / "locales"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def lang() -> str:
    """The language chosen on this page (URL 'lang'), English until the switch has been drawn."""
    value = st.session_state.get("lang") or st.query_params.get("lang", "en")
    return value if value in LANGS else "en"


def t(text: str, **values: object) -> str:
    """text in the page's language, with {placeholders} filled in."""
    out = catalogue(lang()).get(text, text)
    return out.format(**values) if values else out
