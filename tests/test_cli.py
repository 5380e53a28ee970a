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


def test_the_perceptron_runs_from_the_command_line_with_minibatches(root):
    r = cli("run", "--model", "perceptron", "--optimizer", "sgd", "--lr", "1", "--start", "-2,2", "--steps", "40",
            "--batch", "8", "--batch-seed", "5", "--data-seed", "3", "--size", "60", "--log-every", "10", cwd=root)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    from core.model.data import DataSpec
    from core.model.objective import full_losses
    from core.run import make_config, run

    traj = run(make_config({"lr": 1.0}, objective="perceptron", optimizer="sgd", starts=[(-2.0, 2.0)], steps=40,
                           tol=None, data=DataSpec(seed=3, size=60, batch=8, batch_seed=5)))
    assert lines[:4] == traj.log_lines(10)
    full = full_losses(traj.positions, traj.objective)[:, 0]
    assert lines[-1] == f"full-batch loss: start={full[0]:.6g} end={full[-1]:.6g}"


def test_hessian_prints_the_curvature_and_the_measured_bound(root):
    r = cli("hessian", "--objective", "rosenbrock", "--sweep", "0.0012,0.0031,41", "--steps", "1500", cwd=root)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "point=(1, 1) f=0 gradient=(0, 0)" and lines[1] == "hessian=((802, -400), (-400, 200))"
    lam = 501 + (301**2 + 400**2) ** 0.5  # the larger eigenvalue of [[802, -400], [-400, 200]]
    assert lines[3] == f"lr_bound={2 / lam:.6g} momentum=0"
    low, high = (float(v) for v in lines[4].split("lr=")[1].split(" ")[0].split(".."))
    assert low < 2 / lam <= high


@pytest.mark.parametrize("args,message", [
    (["run", "--objective", "himmelblau", "--batch", "4"], "--batch describes the perceptron's data"),
    (["run", "--model", "perceptron", "--size", "2"], "size must be a whole number from 4"),
    (["run", "--model", "perceptron", "--spread", "inf"], "expected a number"),
    (["run", "--model", "perceptron", "--batch", "200"], "minibatch size must be a whole number from 0 (the full"
     " batch) to the data set's size 100"),
    (["hessian", "--objective", "saddle"], "no known minimum"),
    (["hessian", "--at", "1,x"], "a start point is x,y"),
    (["hessian", "--momentum", "1"], "momentum and dampening"),
    (["hessian", "--sweep", "0.1,0.2"], "LOW,HIGH,COUNT"),
])
def test_model_and_hessian_bad_input_is_one_line_and_exit_2(root, args, message):
    r = cli(*args, cwd=root)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr
