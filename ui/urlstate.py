"""Links: which URL parameters a page did not accept, and a control that copies the current link.

The controls themselves are bound to the URL by Streamlit (bind="query-params"); this module only reports what
Streamlit dropped or changed and what no control on the page knows, so that nothing in a link fails silently.
Link text is read only through the page's entries in the link's codec (ui/params.py).
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import limits
from ui import codec
from ui.i18n import t
from ui.params import Param

RAW, NOTICE, KNOWN, CLEANED, TABLE = "_url_raw", "_url_notice", "_url_known", "_url_cleaned", "_url_table"
SHOWN = 40  # characters of a rejected value shown back


def start(table: dict[str, Param]) -> None:
    """At the top of a page, before any control: hold a place for the notice, remember the raw parameters and the
    page's entries of the codec, and take out of the link every value no control may read.

    Streamlit seeds a bound control from the link before the page's code sees the value, and some values break
    its own parsing (an integer number_input given `inf` raises OverflowError). Such values are removed and
    the page runs again without them; the notice at the end says what was removed and why.
    """
    st.session_state[NOTICE] = st.empty()
    st.session_state[KNOWN], st.session_state[TABLE] = {}, table
    raw = {k: st.query_params.get_all(k) for k in st.query_params}
    words = {codec.INFINITE: t("not a finite number"),
             codec.NOT_PLAIN: t("not a number as written here (digits, a point, an exponent)")}
    unsafe = {k: words[why] for k, values in raw.items() if (why := codec.unsafe(values))}
    if unsafe:
        cleaned = st.session_state.setdefault(CLEANED, {})
        for key, why in unsafe.items():
            cleaned[key] = (raw[key], why)
            del st.query_params[key]
        st.rerun()  # widgets are seeded from the link as the run starts: run again from the cleaned link
    st.session_state[RAW] = raw


def known(key: str, problem: str | None = None) -> None:
    """A parameter that is page state but not a widget (kept with st.query_params); problem says why its
    value in the link could not be used, if it could not."""
    st.session_state.setdefault(KNOWN, {})[key] = problem


def linked_matrix(p: Param, base: np.ndarray) -> np.ndarray:
    """The matrix under p.key in the link (values edited by hand) when p's codec reads it and it has base's shape,
    else base; what was wrong goes into the notice."""
    texts = st.query_params.get_all(p.key)
    if not texts:
        known(p.key)
        return base
    try:
        m = p.parse(texts)
    except ValueError:
        m = None
    if m is None or m.shape != base.shape:
        known(p.key, t("not a {rows} × {cols} matrix of numbers within ±{limit}", rows=base.shape[0],
                       cols=base.shape[1], limit=f"{limits.EDIT_LIMIT:g}"))
        return base
    known(p.key)
    return m


def keep_matrix(p: Param, value: np.ndarray, base: np.ndarray) -> None:
    """A matrix edited away from base goes into the link under p.key; one equal to base leaves it."""
    text = p.format(value)
    if text != p.format(base):
        st.query_params[p.key] = text
    elif p.key in st.query_params:
        del st.query_params[p.key]


def _accepted(p: Param, raws: list[str], value: Any) -> bool:
    """Whether the control holds the value its codec reads from the link's text (so it took it as written)."""
    try:
        return p.parse(raws) == value
    except ValueError:
        return False


def rejected() -> dict[str, str]:
    """Parameter -> why it was not taken, for this run's link (empty after the first run of a page)."""
    out = {}
    for key, (raws, why) in st.session_state.pop(CLEANED, {}).items():
        out[key] = f"{_code(key + '=' + ','.join(raws))}: {why}"
    extra, table = st.session_state.get(KNOWN, {}), st.session_state.get(TABLE, {})
    for key, raws in st.session_state.get(RAW, {}).items():
        if key in extra:
            if extra[key]:
                out[key] = f"{_code(key + '=' + ','.join(raws))}: {extra[key]}"
        elif key not in table or not _is_drawn(key):
            out[key] = t("{key}: no such setting on this page", key=_code(key))
            if key in st.query_params:
                del st.query_params[key]
        elif not _accepted(table[key], raws, st.session_state[key]):
            using = _code(repr(st.session_state[key]))
            out[key] = t("{given}: not valid here, using {using}", given=_code(key + "=" + ",".join(raws)), using=using)
    return out


def _is_drawn(key: str) -> bool:
    """Whether this run drew the control under key (session state refuses empty and reserved keys outright)."""
    if not key or key.startswith(("_", "$")):
        return False
    try:
        return key in st.session_state
    except StreamlitAPIException:
        return False


def _code(text: str) -> str:
    """Untrusted text shown as inline code: cut short, no backticks, so it cannot become a link or markup."""
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:SHOWN])  # no bidi tricks
    return "`" + shown.replace("`", "'") + ("…" if len(text) > SHOWN else "") + "`"


def finish() -> None:
    """At the end of a page: say which parameters of the link were not accepted."""
    bad = rejected()
    st.session_state[RAW] = {}
    if bad and NOTICE in st.session_state:
        lines = "\n- ".join(bad.values())
        message = t("Some settings in the link were not accepted:")
        st.session_state[NOTICE].warning(f"{message}\n\n- {lines}", icon="🔗")


SHARE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{label}</title></head><body
style="margin:0"><main style="font-family:sans-serif;display:flex;gap:6px;align-items:center">
<input id="u" readonly aria-label="{address}" style="flex:1;min-width:0;padding:4px;border:1px solid #767676;
border-radius:4px;font-size:12px;color:#111">
<button id="b" style="min-height:44px;padding:4px 10px;border:1px solid #b83d1a;background:#fff;color:#b83d1a;
border-radius:4px;cursor:pointer">{label}</button></main>
<script>
const u = document.getElementById('u'), b = document.getElementById('b');
function show() {{ try {{ u.value = window.parent.location.href; }} catch (e) {{ u.value = document.referrer; }} }}
show(); setInterval(show, 1000);
b.onclick = () => {{ show(); u.select();
  (navigator.clipboard ? navigator.clipboard.writeText(u.value) : Promise.reject()).then(
    () => b.textContent = '{done}', () => {{ document.execCommand('copy'); b.textContent = '{done}'; }}); }};
</script></body></html>
"""


def share_link(label: str = "Copy link", done: str = "Copied", address: str = "This page's address",
               lang: str = "en") -> None:
    """The page's current address (every control is in it) with a button that copies it: a small document of its
    own (a frame), with its language, title and a name for the address box."""
    st.iframe(SHARE.format(label=html.escape(label), done=html.escape(done), address=html.escape(address),
                           lang=html.escape(lang)), height=48)
