"""Every text the interface may pass to t(): string literals in t("...") calls, and the texts that come
from registries (page names, scene texts, notes, hyperparameter help, stop reasons)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *(path for folder in ("pages", "ui", "core", "viz")
                              for path in sorted((ROOT / folder).rglob("*.py")))]
# t(...) words interface text; tr(...) texts drawn inside figures; core's errors carry their message id
TRANSLATED = {"t", "tr", "CoreError", "FormulaError"}


def literal_keys() -> dict[str, str]:
    """key -> where it is used, for every t("literal"), tr("literal") and CoreError("literal", ...) call."""
    keys = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATED
                    and node.args):
                for text in _literals(node.args[0]):
                    keys[text] = f"{path.name}:{node.lineno}"
    return keys


def _literals(node: ast.AST) -> list[str]:
    """The strings an argument can be: a literal, or either branch of a conditional expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def registry_keys() -> dict[str, str]:
    """Texts passed to t() from registries rather than as literals."""
    from core.autograd.tensors import DEMOS
    from core.explore.basins import Outcome
    from core.expr import DESCRIPTIONS
    from core.objectives import OBJECTIVES
    from core.optimizers import OPTIMIZERS
    from core.run.budget import Cancelled
    from ui.page import PAGES
    from ui.scenes import SCENES

    keys = {}
    for _, label, _, blurb in PAGES:
        keys.update({label: "ui/page.py PAGES", **({blurb: "ui/page.py PAGES"} if blurb else {})})
    for scene in SCENES:
        keys.update({scene.title: f"scene {scene.key}", scene.notice: f"scene {scene.key}"})
    keys.update({d.note: "core/tensors.py" for d in DEMOS if d.note})
    keys.update({o.note: f"objective {o.key}" for o in OBJECTIVES.values() if o.note})
    keys["A typed formula: its minima are not known in advance."] = "core/objectives.py custom"
    keys.update({h.help: f"optimizer {s.key}" for s in OPTIMIZERS.values() for h in s.hypers if h.help})
    keys.update({r: "stop reasons" for r in ("max steps", "converged", "diverged", "time limit")})
    keys.update({o.words: "core/explore/basins.py Outcome" for o in Outcome})
    keys.update({what: "core/expr.py DESCRIPTIONS" for what in DESCRIPTIONS.values()})
    keys[Cancelled().message] = "core/run/budget.py Cancelled"  # a CoreError whose message is set in its class
    return keys


def all_keys() -> dict[str, str]:
    return {**registry_keys(), **literal_keys()}
