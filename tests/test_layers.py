"""The layering holds: core computes (no streamlit, no plotly), viz draws (no streamlit), and no module grows into
a grab-bag."""
import subprocess
import sys

import pytest

LAYERS = {"core": ("streamlit", "plotly"), "viz": ("streamlit",)}


@pytest.mark.parametrize("package,forbidden", LAYERS.items())
def test_a_layer_never_imports_what_sits_above_it(root, package, forbidden):
    modules = sorted(".".join(p.relative_to(root).with_suffix("").parts) for p in (root / package).rglob("*.py"))
    code = (f"import importlib, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout


def test_no_module_is_a_grab_bag(root):
    sizes = {str(p.relative_to(root)): len(p.read_text().splitlines())
             for folder in ("core", "viz", "ui", "pages") for p in (root / folder).rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > 250} == {}
