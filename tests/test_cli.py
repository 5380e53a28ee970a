"""The command line: the source's run, listing, files, and one-line errors with exit code 2."""
import json
import subprocess
import sys

import pytest

from tests.test_descent import assert_matches_source


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_source_run_prints_the_source_lines_and_a_summary(root):
    r = cli("run", "--objective", "himmelblau", "--optimizer", "adam", "--lr", "1e-3", "--start", "0,0",
            "--steps", "20000", "--log-every", "2000", cwd=root)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert_matches_source(lines[:-1])
    assert lines[-1].startswith("end=(3.000000, 2.000000) f=0 nearest=(3, 2) distance=0 stop=max_steps steps=20000")


def test_list_shows_every_optimizer_and_hyperparameter(root):
    r = cli("list", cwd=root)
    assert r.returncode == 0
    for name in ("himmelblau", "rosenbrock", "saddle", "sgd", "lbfgs", "nesterov=False", "betas=0.9,0.999",
                 "line_search_fn=None (none | strong_wolfe)", "lr=0.001 ([1e-06, 10], log)"):
        assert name in r.stdout


def test_several_starts_settings_and_files(root, tmp_path):
    csv_path, json_path = tmp_path / "t.csv", tmp_path / "t.json"
    r = cli("run", "--optimizer", "sgd", "--set", "momentum=0.9", "--set", "nesterov=true", "--lr", "1e-3",
            "--start", "1,0", "--start", "-4,0", "--steps", "300", "--tol", "1e-6",
            "--csv", str(csv_path), "--json", str(json_path), cwd=root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("# start") == 2
    data = json.loads(json_path.read_text())
    assert data["config"]["hypers"]["nesterov"] is True and len(data["runs"]) == 2
    rows = csv_path.read_text().splitlines()
    assert rows[0] == "start,step,x,y,f,grad_x,grad_y"
    assert len(rows) - 1 == sum(r["steps"] + 1 for r in data["runs"])


@pytest.mark.parametrize("args,message", [
    (["--optimizer", "foo"], "unknown optimizer 'foo'"),
    (["--objective", "bar"], "unknown objective 'bar'"),
    (["--lr", "50"], "lr=50 is out of range"),
    (["--lr", "abc"], "lr must be a number"),
    (["--start", "1,x"], "a start point is x,y"),
    (["--start", "nan,0"], "finite"),
    (["--steps", "999999"], "steps must be a whole number from 1 to 20,000"),
    (["--steps", "-3"], "at least 1"),
    (["--set", "bogus=1"], "no hyperparameter 'bogus'"),
    (["--set", "novalue"], "NAME=VALUE"),
    (["--optimizer", "sgd", "--set", "nesterov=true"], "Nesterov momentum requires"),
])
def test_bad_input_is_one_line_and_exit_2(root, args, message):
    r = cli("run", *args, cwd=root)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr
    assert "Traceback" not in r.stderr
