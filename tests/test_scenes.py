"""Every number a scene's text states comes from the runs it describes, and is checked here against the run and
against an independent computation: a hand derivation, a numpy loop, or the value the source tutorial printed."""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from core.autograd import perceptron
from core.objectives import OBJECTIVES
from core.run import run
from ui.scenes import SCENES, stated
from ui.warm import FIGURE_PAGES, scene_runs

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = {lang: json.loads((ROOT / "locales" / f"{lang}.json").read_text()) for lang in ("en", "zh")}
# what the texts may write with digits: formulas and the tutorial's own words, never a result
FORMULAS = ["x² − y²", "(0, 0)", "step0", "2 (o − 1) o (1 − o) x_j", "o (1 − o)", "(o − 1)", "±1", "dy2/dy1",
            "dy1/dw1", "dy2/dw1", "target 1", "target of 1", "near 0", "目标值 1", "目标为 1", "接近 0",
            "exactly 0", "恰好为 0", "画不出 0", "cannot draw", "1/", "梯度为 0", "2 / λ", "λ₁", "λ₂",
            "|1 − lr · λ_max|"]


@pytest.fixture(scope="module")
def facts():
    """Each scene's stated numbers, from its runs made with core.run (the app's caches aside)."""
    out = {}
    for scene in SCENES:
        ran = []
        if scene.page in FIGURE_PAGES:
            ran = [(run(config), row) for config, row in scene_runs(scene).runs]
        out[scene.key] = (stated(scene, ran, run), ran)
    return out


def himmelblau(p):
    x, y = p
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def himmelblau_grad(p):
    """By hand: d/dx = 4x(x² + y − 11) + 2(x + y² − 7), d/dy = 2(x² + y − 11) + 4y(x + y² − 7)."""
    x, y = p
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def adam_path(grad, start, lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    """Adam in numpy float64, as in Kingma and Ba's paper."""
    x, m, v, out = np.array(start, float), 0.0, 0.0, [np.array(start, float)]
    for t in range(1, steps + 1):
        g = grad(x)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(x)
    return np.array(out)


def sgd_path(grad, start, lr, steps, momentum=0.0):
    x, b, out = np.array(start, float), 0.0, [np.array(start, float)]
    for _ in range(steps):
        b = momentum * b + grad(x)
        x = x - lr * b
        out.append(x)
    return np.array(out)


def test_no_scene_text_types_a_result():
    """Titles and notices, in both languages, hold no digit outside placeholders but in formulas."""
    for scene in SCENES:
        for lang, table in CATALOGUES.items():
            for key in (scene.title, scene.notice):
                text = re.sub(r"\{\w+\}", "", table[key])
                for fragment in FORMULAS:
                    text = text.replace(fragment, "")
                assert not re.search(r"\d", text), (scene.key, lang, text)


def test_every_placeholder_is_filled_in_both_languages(facts):
    for scene in SCENES:
        values = facts[scene.key][0]
        for table in CATALOGUES.values():
            for key in (scene.title, scene.notice):
                text = table[key].format(**values)
                assert "{" not in text and text.strip()


def test_the_tutorials_run(facts):
    f, ((traj, row),) = facts["source-run"]
    assert f["grad"] == "(-14, -22)" and f["f0"] == "170"  # by hand at (0, 0): 2(−11)·0 + 2(−7), 2(−11); 121 + 49
    assert f["gd"] == "(0.014, 0.022)"  # plain gradient descent: 0 − 0.001 · (−14, −22)
    below = float(np.nextafter(np.float32(0.001), np.float32(0)))  # the float32 just below 0.001, as printed
    assert f["x1"] == str([below, below]) == "[0.0009999999310821295, 0.0009999999310821295]"
    assert np.allclose(adam_path(himmelblau_grad, (0, 0), 1e-3, 1)[1], 1e-3, rtol=1e-9)  # Adam: lr, not lr·|g|
    # the tutorial printed step14000 ... f(x)=1.8189894035458565e-12, then f(x)=0.0
    assert (f["f_small"], f["k_small"], f["orders"]) == ("1.8e-12", "14,000", f"{math.log10(170 / 1.819e-12):.0f}")
    zero, exact = int(f["zero"].replace(",", "")), int(f["exact"].replace(",", "")) + 1
    losses, p = traj.losses[:, row], traj.positions[:, row]
    assert (losses[zero:] == 0).all() and losses[zero - 1] > 0 and 14_000 < zero < 16_000
    assert (p[exact:] == (3.0, 2.0)).all() and (p[exact - 1] != (3.0, 2.0)).any() and f["end"] == "(3, 2)"


def test_four_starts_end_at_himmelblaus_minima(facts):
    f, _ = facts["four-starts"]
    m = OBJECTIVES["himmelblau"].minima  # the literature's values, not the run's
    want = [((0, 0), m[0]), ((1, 0), m[0]), ((-4, 0), m[2]), ((4, 0), m[3])]
    assert f["ends"] == ", ".join(f"({a:g}, {b:g}) → ({round(x, 2):g}, {round(y, 2):g})" for (a, b), (x, y) in want)
    assert (f["count"], f["fstar"]) == ("4", "0")


def test_too_large_a_learning_rate(facts):
    """By hand: from (0, 0) the gradient is (−14, −22), so lr 0.1 lands at (1.4, 2.2), then overshoots."""
    f, _ = facts["too-large-lr"]
    path = sgd_path(himmelblau_grad, (0, 0), 0.1, 4)
    assert f["p1"] == "(1.4, 2.2)" and np.allclose(path[1], (1.4, 2.2))
    assert (f["f0"], f["f1"]) == ("170", f"{himmelblau(path[1]):.3g}") and f["f1"] == "47.4"  # 6.84² + 0.76²
    assert (f["g0"], f["g1"]) == (f"{math.hypot(14, 22):.3g}", f"{np.linalg.norm(himmelblau_grad(path[1])):.3g}")
    assert float(f["g1"]) > float(f["g0"]) and float(f["f1"]) < float(f["f0"])  # f falls, |grad f| grows
    assert f["p2"] == "(5.38, 4.24)" and f["f2"] == f"{himmelblau(path[2]):.3g}"
    out = next(k for k, q in enumerate(path) if np.abs(q).max() > 6)  # the picture is [-6, 6]²
    gone = next(k for k, q in enumerate(path) if np.abs(q).max() > 60)  # past ten times the picture: diverged
    assert (f["out"], f["diverged"]) == (str(out), str(gone)) == ("3", "4")


def test_momentum_carries_the_point_into_another_valley(facts):
    f, _ = facts["momentum"]
    m = OBJECTIVES["himmelblau"].minima
    assert f["plain"] == "(3, 2)" and f["end"] == "({:g}, {:g})".format(*(round(v, 2) for v in m[3]))
    path = sgd_path(himmelblau_grad, (0, 0), 1e-3, 200, momentum=0.95)
    d = np.linalg.norm(path - m[0], axis=1)
    assert f["k_close"] == str(int(d.argmin())) and abs(float(f["closest"]) - d.min()) < 0.01


def test_rosenbrock_sgd_crawls_and_adam_converges(facts):
    f, ((sgd, i), (adam, j)) = facts["rosenbrock"]

    def grad(p):  # by hand: (−2(1 − x) − 400x(y − x²), 200(y − x²))
        x, y = p
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    end = sgd_path(grad, (-1.5, 2), 1e-3, 5000)[-1]
    assert abs(float(f["sgd_distance"]) - math.dist(end, (1, 1))) < 0.01 and f["minimum"] == "(1, 1)"
    assert f["steps"] == "5,000" and adam.summary(j).reason == "converged"
    k = int(f["adam_steps"].replace(",", ""))
    assert k == adam.summary(j).steps and math.dist(adam.positions[k, j], (1, 1)) < 1e-3


def test_saddle(facts):
    """By hand on x² − y² with lr 0.05: SGD multiplies x by 1 − 2 lr and y by 1 + 2 lr each step."""
    f, _ = facts["saddle"]
    assert (f["fx"], f["fy"]) == ("0.9", "1.1")
    assert f["sgd_out"] == str(math.ceil(math.log(2 / 0.001) / math.log(1.1)))  # |y| passes 2, the picture's edge
    assert f["sgd_diverged"] == str(math.ceil(math.log(20 / 0.001) / math.log(1.1)))  # |y| passes 20: diverged
    path = adam_path(lambda p: np.array([2 * p[0], -2 * p[1]]), (1, 0.001), 0.05, 400)
    dy = np.abs(np.diff(path[:11, 1]))
    assert (f["adam_low"], f["adam_high"]) == (f"{dy.min():.2g}", f"{dy.max():.2g}")
    assert f["adam_out"] == str(int(np.argmax(np.abs(path[:, 1]) > 2)))
    assert f["adam_diverged"] == str(int(np.argmax(np.abs(path[:, 1]) > 20)))
    assert int(f["adam_out"]) < int(f["sgd_out"]) and int(f["sgd_diverged"]) < int(f["adam_diverged"])


def test_rastrigin_local_minimum(facts):
    f, ((traj, row),) = facts["rastrigin"]

    def grad(p):  # by hand: 2x + 20π sin 2πx, each coordinate
        return 2 * p + 20 * math.pi * np.sin(2 * math.pi * p)

    k = int(f["steps"])
    end = sgd_path(grad, (2.2, -1.1), 1e-3, k)[-1]
    assert f["end"] == "({:g}, {:g})".format(*np.round(end, 2)) and f["start"] == "(2.2, -1.1)"
    assert f["f"] == f"{20 + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in end):.3g}"
    assert (f["fstar"], f["minimum"]) == ("0", "(0, 0)") and traj.summary(row).reason == "converged"


def test_perceptrons_against_the_printed_numbers(facts):
    single, _ = facts["perceptron-single"]
    assert float(single["printed"]) <= 5e-5 and float(single["diff"]) < 1e-6  # printed to 4 decimals
    f, _ = facts["perceptron-multi"]
    assert f["loss"] == "0.1992"  # as the tutorial printed
    rows = np.abs(np.array(perceptron.SOURCE_MULTI_GRAD)).max(1)
    assert abs(float(f["ratio"]) / (rows[0] / rows[1]) - 1) < 0.015  # the printed rows' ratio, to their rounding
    assert abs(float(f["error"]) * float(f["slope"]) / float(f["ratio"]) - 1) < 0.02  # the two factors make it
    assert (f["o0"], f["o1"]) == ("0.37", "0.94")


def test_chain_rule_by_hand(facts):
    """y1 = x w1 + b1, y2 = y1 w2 + b2 at x = 1, w = 2: dy1/dw1 = x = 1, dy2/dy1 = w2 = 2."""
    f, _ = facts["chain-rule"]
    assert (f["d21"], f["d1"], f["product"], f["direct"]) == ("2", "1", "2", "2")


def test_the_perceptron_page_names_the_factor_that_makes_a_row_small():
    """On the tutorial's two outputs the small row is nearly right (o = 0.94), not saturated; the ratio is the
    product of the error term's and the slope's ratios."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "5_Perceptron.py"), default_timeout=120)
    at.query_params["inputs"] = "source-multi"
    at.run()
    assert not at.exception
    text = next(i.value for i in at.info if "Every row of w.grad" in i.value)
    r = perceptron.perceptron(*perceptron.source_multi())
    o = r.o[0].astype(np.float64)
    ratio = (1 - o[0]) * o[0] * (1 - o[0]) / ((1 - o[1]) * o[1] * (1 - o[1]))
    assert f"Row 1 is {ratio:.3g} times smaller than row 0" in text and "already close to its target 1" in text
    assert "saturation" not in text and "Rebuilt from the printed loss 0.1992" in " ".join(i.value for i in at.info)


def test_a_run_cut_by_the_budget_states_no_numbers(monkeypatch):
    """A scene whose run stopped at the time limit gives only its settings, and says its numbers are not there."""
    import dataclasses

    from core.run import Reason, make_config
    from ui import warm

    cut = run(make_config({"lr": 1e-3}, steps=5, tol=None))
    monkeypatch.setattr(warm, "cached_run", lambda config: dataclasses.replace(cut, reason=(Reason.TIME_LIMIT,)))
    source = next(s for s in SCENES if s.key == "source-run")
    facts, complete = warm.scene_facts(source)
    assert not complete and facts == {"optimizer": "Adam", "lr": "0.001", "steps": "20,000", "start": "(0, 0)"}
    assert CATALOGUES["zh"][source.title].format(**facts) == "源教程的运行：Adam，lr 0.001，从 (0, 0) 出发 20,000 步"
    assert warm.scene_facts(next(s for s in SCENES if s.key == "chain-rule"))[1]


def test_descent_teaches_adams_first_step_and_compare_shows_the_saddles_note():
    """Where the tutorial's run is shown: Adam's first step, by hand lr · g/|g| = (0.001, 0.001) from (0, 0), against
    plain gradient descent's 0 − 0.001 · (−14, −22); on SGD no such caption. Compare on the saddle shows its note."""
    from streamlit.testing.v1 import AppTest

    def page(name, params):
        at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception
        return " ".join(c.value for c in at.caption)

    adam = page("1_Descent.py", {"steps": "50"})
    assert "moved x by (0.001, 0.001), about lr = 0.001" in adam and "∇f was (-14, -22)" in adam
    assert "would have gone to (0.014, 0.022)" in adam
    assert "Adam's first step" not in page("1_Descent.py", {"steps": "50", "opt": "sgd"})
    saddle = page("2_Compare.py", {"fn": "saddle", "steps": "50", "runs": "1"})
    assert "a zero gradient, not a minimum" in saddle


def test_gradient_descent_blows_up_past_two_over_lambda(facts):
    """By hand at (3, 2): H = [[74, 20], [20, 34]], lambda = 54 -/+ sqrt(800); SGD in numpy float64 from (3.1, 2.1)."""
    f, ((traj, row),) = facts["blow-up"]
    low, high = 54 - math.sqrt(800), 54 + math.sqrt(800)
    assert (f["minimum"], f["l1"], f["l2"]) == ("(3, 2)", f"{low:.4g}", f"{high:.4g}") == ("(3, 2)", "25.72", "82.28")
    assert f["bound"] == f"{2 / high:.3g}" and float(f["lr"]) > 2 / high > float(f["lr_ok"])
    assert f["factor"] == f"{abs(1 - float(f['lr']) * high):.3g}"
    with np.errstate(over="ignore", invalid="ignore"):  # past the picture the numbers run off, as in torch
        path = sgd_path(himmelblau_grad, (3.1, 2.1), float(f["lr"]), 20)
        d = np.linalg.norm(path - (3, 2), axis=1)
    assert [f["d0"], f["d1"], f["d2"]] == [f"{v:.2g}" for v in d[:3]] and d[1] / d[0] > 2  # it grows
    gone = next(k for k, q in enumerate(path) if np.abs(q).max() > 60 or not np.isfinite(q).all())
    assert f["diverged"] == str(gone)
    calm = sgd_path(himmelblau_grad, (3.1, 2.1), float(f["lr_ok"]), int(f["ok_steps"]))
    assert np.linalg.norm(calm[-1] - (3, 2)) < 1e-4  # below the bound, it settles


def stated_as(text: str, value: float, digits: int) -> bool:
    """Whether text is value written to `digits` significant digits (within half a unit of its last digit)."""
    unit = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return abs(float(text) - value) <= 0.5 * unit * 1.001


def test_minibatches_stray_from_the_full_batch_path(facts):
    """Both runs rebuilt as the tutorial's torch loop (w requires_grad, sigmoid(x @ w.t()), F.mse_loss, Adam's
    step), the losses in numpy: how far apart the two paths get, the losses at their ends, the gap between the
    minibatch loss and the full loss."""
    import dataclasses

    from core.model.data import make_data
    from tests.test_model_page import numpy_loss, tutorial_loop

    f, ((traj, row),) = facts["minibatches"]
    config = traj.config
    assert (config.data.batch, f["batch"], f["size"], f["per_epoch"]) == (8, "8", "100", "12")
    mini, mini_losses = tutorial_loop(config)
    whole, _ = tutorial_loop(dataclasses.replace(config, data=dataclasses.replace(config.data, batch=0)))
    x, y = (a.numpy() for a in make_data(config.data))
    d = np.linalg.norm(mini.astype(np.float64) - whole, axis=1)
    assert stated_as(f["apart"], d.max(), 2) and f["k_apart"] == f"{int(d.argmax()):,}"
    assert stated_as(f["end_mini"], numpy_loss(mini[-1], x, y), 4)
    assert stated_as(f["end_full"], numpy_loss(whole[-1], x, y), 4)
    gap = np.abs(mini_losses - numpy_loss(mini[:-1], x, y))
    last = traj.losses[-1, row] - numpy_loss(mini[-1], x, y)  # the last point's loss is on the next minibatch
    gap = np.append(gap, abs(last))
    assert stated_as(f["gap"], gap.mean(), 2) and stated_as(f["gap_max"], gap.max(), 2)
    assert float(f["apart"]) > 0.1 and float(f["end_full"]) <= float(f["end_mini"])  # what the notice says
    last = int(f["per_epoch"]) + 1  # the points of the last epoch's steps
    jitter, still = (np.linalg.norm(np.diff(p[-last:].astype(np.float64), axis=0), axis=1).mean()
                     for p in (mini, whole))
    assert stated_as(f["jitter"], jitter, 2)
    assert abs(float(f["still"]) - still) < 1e-6 and still < 1e-5  # settled: moves at float32's last digits
    assert float(f["jitter"]) > 1000 * float(f["still"])  # the minibatch path jitters, the full-batch one settled
