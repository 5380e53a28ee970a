"""The instrument's protocol from both ends: the JavaScript's pure parts under node, Python's encoding against the
same fixtures, and the fields Python types (ui/protocol.py), the browser documents (ui/instrument_state.mjs JSDoc)
and a page actually sends, all the same."""
import json
import re
import shutil
import subprocess
import typing
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import under_ci
from tests.test_share import PAGES
from ui import protocol
from viz.instrument import MARK, typed

ROOT = Path(__file__).resolve().parents[1]
STATE = (ROOT / "ui" / "instrument_state.mjs").read_text(encoding="utf-8")
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "instrument.json").read_text(encoding="utf-8"))


def test_the_javascripts_pure_parts_pass_their_node_tests():
    """`node --test tests/js`: unpacking, filling in texts, slicing to the cursor, playback timing, one loop."""
    node = shutil.which("node")
    if node is None:
        if under_ci():
            pytest.fail("under CI but no node: scripts/test must install nodejs")
        pytest.skip("no node (apt-get install nodejs)")
    out = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", out.stdout, re.M) and re.search(r"^# fail 0", out.stdout, re.M)


def test_python_packs_the_fixtures_arrays_as_the_browser_unpacks_them():
    for case in FIXTURE["arrays"]:
        dtype = {"f4": "float32", "i4": "int32"}[case["spec"]["dtype"]]
        assert typed(np.array(case["values"]), dtype) == case["spec"]
    assert MARK.pattern == re.search(r"export const MARK = /(.*)/g;", STATE).group(1)


def jsdoc_fields(name: str) -> set[str]:
    """The field names of the JSDoc typedef `name` in instrument_state.mjs."""
    blocks = dict((n, b) for b, n in re.findall(r"@typedef \{\{((?:(?!@typedef).)*?)\}\} (\w+)", STATE, re.S))
    block = blocks[name]
    return set(re.findall(r"(\w+)\??:", re.sub(r"\{[^{}]*\}", "", block.replace("*", ""))))


def fields(cls: type) -> tuple[set[str], set[str]]:
    """(every field, the optional ones: NotRequired) of a protocol TypedDict."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return set(hints), {k for k, v in hints.items() if typing.get_origin(v) is typing.NotRequired}


def sends(data: dict, cls: type) -> bool:
    """Whether data has every required field of cls and no field cls lacks."""
    every, optional = fields(cls)
    return every - optional <= set(data) <= every


@pytest.mark.parametrize("name", ["TypedArray", "PathSpec", "Bound", "Curv", "Texts", "Data"])
def test_python_and_javascript_name_the_same_fields(name):
    assert jsdoc_fields(name) == set(typing.get_type_hints(getattr(protocol, name))), name


def test_what_a_page_sends_is_the_protocol():
    at = AppTest.from_file(PAGES["Compare"], default_timeout=180)
    at.query_params["steps"] = "300"
    at.run()
    data = json.loads(at.get("bidi_component")[0].proto.json)
    assert set(data) == set(typing.get_type_hints(protocol.Data))  # the first rerun carries the scene too
    assert sends(data["texts"], protocol.Texts) and "curv" not in data["texts"]  # the curvature is off by default
    assert all(sends(p, protocol.PathSpec) and "hessian" not in p and "full" not in p for p in data["paths"])
    assert len(data["texts"]["labels"]) == len(data["paths"]) == 3


def test_the_fixtures_eigen_cases_are_numpys_and_core_curvatures():
    """The cases tests/js checks the browser's closed form against: numpy.linalg.eigh and core.curvature.lr_bound."""
    from core.curvature import lr_bound

    assert len(FIXTURE["eigen"]) >= 6
    for case in FIXTURE["eigen"]:
        a, b, c = case["h"]
        values, vectors = np.linalg.eigh(np.array([[a, b], [b, c]], dtype=np.float64))
        np.testing.assert_allclose(case["values"], values, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(np.abs(np.array(case["vectors"]) @ vectors), np.eye(2), atol=1e-12)
        size = np.abs(values)
        condition = 1.0 if size.max() == 0 else None if size.min() == 0 else size.max() / size.min()
        assert case["condition"] == pytest.approx(condition, rel=1e-12)
        assert case["bound"] == pytest.approx(lr_bound(values[-1], case["beta"]), rel=1e-12)


def test_the_browser_sends_back_the_triggers_python_listens_for():
    from ui.instrument import JS as js
    py = (ROOT / "ui" / "instrument.py").read_text(encoding="utf-8")
    assert set(re.findall(r'lab\.send\("(\w+)"', js)) == set(protocol.TRIGGERS)
    assert set(re.findall(r"on_(\w+)_change=", py)) == set(protocol.TRIGGERS)
