"""What broke pages, the command line and 'as code' when tried as a new user would: each case from the report,
checked against an independent computation where there is one."""
import random
import subprocess
import sys
import time

import pytest

from core import limits
from core.errors import CoreError
from core.expr import FormulaError, parse_formula
from core.io.codegen import as_code
from core.run import make_config, run
from core.run.inspector import inspect_step
from tests.test_cli import cli
from tests.test_share import PAGES, page

NON_FINITE_LINKS = [("Descent", "steps", "inf"), ("Descent", "every", "inf"), ("Descent", "steps", "-inf"),
                    ("Perceptron", "seed", "inf"), ("Compare", "steps", "inf"), ("Sweep", "steps", "inf"),
                    ("Basins", "steps", "inf"), ("Descent", "x0", "1e999"), ("Descent", "steps", "1_0")]


@pytest.mark.parametrize("name,key,value", NON_FINITE_LINKS)
def test_a_value_no_control_can_read_gives_a_notice_not_a_crash(name, key, value):
    at = page(PAGES[name], {key: value})
    notice = next(w.value for w in at.warning if "not accepted" in w.value)
    assert f"`{key}={value}`: not " in notice
    assert key not in at.query_params  # taken out of the link, so the page's own link is clean


CONSTANT_FORMULAS = ["1", "pi", "sin(2)", "e**2 - 3"]


@pytest.mark.parametrize("text", CONSTANT_FORMULAS)
def test_a_formula_without_x_or_y_is_refused_by_name(text):
    with pytest.raises(FormulaError, match="must use x or y"):
        parse_formula(text)


def test_huge_literals_are_refused_not_overflowed():
    with pytest.raises(FormulaError, match="number at column 1 is too large"):
        parse_formula("0x" + "f" * 290 + "*x")
    with pytest.raises(FormulaError, match="too large"):
        parse_formula("1e999*x")


@pytest.mark.parametrize("text", ["x**2 + y**2 + 1e300", "1e39*x"])
def test_constants_beyond_float32_run_and_say_diverged(text):
    """In float32 they are inf, as torch would make them: the run stops at once as diverged. In float64 the
    first formula is an ordinary bowl whose gradient is (2x, 2y), by hand."""
    f32 = run(make_config({"lr": 0.1}, objective="custom", expr=text, starts=[(1.0, 2.0)], steps=50))
    assert f32.reason == ("diverged",) and f32.end[0] == 0
    f64 = run(make_config({"lr": 0.1}, objective="custom", expr=text, starts=[(1.0, 2.0)], steps=1, dtype="float64"))
    if "1e300" in text:
        assert f64.grads[0, 0].tolist() == [2.0, 4.0]


@pytest.mark.parametrize("name", ["Descent", "Compare", "Sweep", "Basins"])
@pytest.mark.parametrize("text", ["1", "0x" + "f" * 290 + "*x", "x**2 + y**2 + 1e300"])
def test_typed_formulas_never_break_a_page(name, text):
    at = page(PAGES[name], {"fn": "custom", "expr": text, "steps": "50"} if name != "Basins" else
              {"fn": "custom", "expr": text, "steps": "50", "grid": "10"})
    shown = " ".join(e.value for e in at.error)
    if text == "1":
        assert "must use x or y" in shown
    elif text.startswith("0x"):
        assert "too large" in shown
    else:
        assert not at.error


def random_formula(rng: random.Random, depth: int = 0) -> str:
    """A formula the parser accepts, built from every kind of piece it allows."""
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["x", "y", "pi", "e", f"{rng.uniform(-3, 3):.6g}", str(rng.randint(1, 9)), "0x1f",
                           f"{rng.uniform(0.1, 2):.3e}"])
    kind = rng.randrange(4)
    if kind == 0:
        return f"({random_formula(rng, depth + 1)} {rng.choice('+-*/')} {random_formula(rng, depth + 1)})"
    if kind == 1:
        return f"{rng.choice(['sin', 'cos', 'exp', 'tanh', 'atan', 'sigmoid', 'sqrt', 'abs', 'log'])}(" \
               f"{random_formula(rng, depth + 1)})"
    if kind == 2:
        return f"({random_formula(rng, depth + 1)})**{rng.choice(['2', '3', '0.5', '-1', '1.5'])}"
    return f"-{random_formula(rng, depth + 1)}"


def generated_formulas(n: int) -> list[str]:
    rng, out = random.Random(9), ["sqrt(2)*x**2+y**2", "exp(1)*x**2+y**2", "(x-pi/3)**2+(y-e/7)**2"]
    while len(out) < n:
        text = f"{random_formula(rng)} + (x - {rng.uniform(-2, 2):.4g})**2 + (y - {rng.uniform(-2, 2):.4g})**2"
        if len(text) <= 300:
            out.append(text)
    return out


def test_as_code_prints_the_apps_end_point_for_generated_formulas(tmp_path):
    """'As code' for 24 formulas (the three reported and 21 generated, each with every kind of piece), in float32
    and float64: each script, run on its own, prints exactly the app's end point and f."""
    cases = []
    for i, text in enumerate(generated_formulas(24)):
        traj = run(make_config({"lr": 0.01}, objective="custom", expr=text, starts=[(0.7, -0.4)], steps=60,
                               dtype=("float32", "float64")[i % 2], optimizer=("adam", "sgd", "rmsprop")[i % 3]))
        script = tmp_path / f"case{i}.py"
        script.write_text(as_code(traj))
        (x, y), f = traj.final()
        cases.append((str(script), f"end:x={[x, y]},f(x)={f}"))
    driver = ("import contextlib, io, runpy, sys\n"
              "for path in sys.argv[1:]:\n"
              "    out = io.StringIO()\n"
              "    with contextlib.redirect_stdout(out):\n"
              "        runpy.run_path(path, run_name='__main__')\n"
              "    print(out.getvalue().strip().splitlines()[-1])\n")
    out = subprocess.run([sys.executable, "-c", driver, *[c[0] for c in cases]], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines() == [c[1] for c in cases]


def test_inspector_replay_keeps_the_time_budget(monkeypatch):
    monkeypatch.setattr(limits, "RUN_SECONDS", 0.2)
    config = make_config({}, optimizer="lbfgs", steps=20_000, tol=None)
    started = time.perf_counter()
    with pytest.raises(CoreError, match="0.2 s of compute ran out"):
        inspect_step(config, 19_999)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("args,message", [
    (["--start", "-inf,0"], "not two finite numbers"),
    (["--lr", "-inf"], "lr must be a finite number"),
    (["--lr", "1_0"], "lr must be a number, not '1_0'"),
    (["--json", ""], "an output file needs a name"),
    (["--csv", "/no/such/folder/run.csv"], "there is no folder"),
    (["--objective", "custom"], "needs the formula"),
    (["--expr", "1"], "must use x or y"),
    (["--bounds", "0,1,0,1"], "--bounds sets the view of a typed formula"),
])
def test_command_line_refusals_name_the_problem(root, args, message):
    r = cli("run", *args, cwd=root)
    assert r.returncode == 2 and r.stdout == "" and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_command_line_output_errors_name_the_file_and_leave_nothing_behind(root, tmp_path):
    r = cli("run", "--steps", "10", "--json", "/dev/full", cwd=root)
    assert r.returncode == 2 and r.stderr.strip() == "error: cannot write /dev/full: No space left on device"
    r = cli("run", "--steps", "10", "--csv", str(tmp_path), cwd=root)
    assert r.returncode == 2 and "is a folder" in r.stderr and r.stdout == ""  # refused before the run


def test_command_line_runs_a_typed_formula_over_its_bounds(root):
    """x² + 3y² from (1, 1) by SGD with lr 0.1: each step multiplies x by 0.8 and y by 0.4 (by hand)."""
    r = cli("run", "--expr", "x**2 + 3*y**2", "--bounds", "-2,2,-2,2", "--optimizer", "sgd", "--lr", "0.1",
            "--start", "1,1", "--steps", "5", "--dtype", "float64", cwd=root)
    assert r.returncode == 0, r.stderr
    end = r.stdout.strip().splitlines()[-1]
    assert f"end=({0.8 ** 5:.6f}, {0.4 ** 5:.6f})" in end
