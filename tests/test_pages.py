"""Pages under Streamlit's AppTest: no exception at defaults, presets, every optimizer, divergence."""
import pytest
from streamlit.testing.v1 import AppTest

from core.optimizers import OPTIMIZERS
from core.run import make_config, run

DESCENT = "../pages/1_Descent.py"


def page(path=DESCENT):
    at = AppTest.from_file(path, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_home_links_to_descent():
    at = page("../app.py")
    assert at.title[0].value == "Descent Lab"


def test_descent_defaults_show_the_run():
    at = page()
    m = metrics(at)
    traj = run(make_config({"lr": 1e-3}, steps=2000))
    (x, y), f = traj.final()
    assert m["end point"] == f"({x:.5f}, {y:.5f})"
    assert m["f at the end"] == f"{f:.4g}"
    assert m["stopped"] == "max steps" and m["steps run"] == "2,000"
    assert at.code[-1].value.splitlines()[0] == "step0:x=[0.0009999999310821295, 0.0009999999310821295],f(x)=170.0"


@pytest.mark.parametrize("preset,minimum", [("1,0", "(3, 2)"), ("-4,0", "(-3.77931, -3.28319)"),
                                            ("4,0", "(3.58443, -1.84813)")])
def test_start_presets(preset, minimum):
    at = page()
    at.select_slider(key="lr").set_value(0.05)
    next(b for b in at.button if b.label == preset).click().run()
    assert not at.exception
    x0, y0 = (float(v) for v in preset.split(","))
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == (x0, y0)
    assert metrics(at)["nearest minimum"] == minimum


def test_tutorial_run_button():
    at = page()
    next(b for b in at.button if b.label.startswith("Tutorial's run")).click().run()
    assert not at.exception
    lines = at.code[-1].value.splitlines()
    assert len(lines) == 10 and lines[-1] == "step18000:x=[3.0, 2.0],f(x)=0.0"


def test_sgd_large_lr_shows_divergence_message():
    at = page()
    at.selectbox(key="opt").set_value("sgd").run()
    at.select_slider(key="lr").set_value(0.1).run()
    assert not at.exception and not at.error
    assert metrics(at)["stopped"] == "diverged"
    assert "Diverged at step" in at.warning[0].value


def test_saddle_shows_divergence():
    at = page()
    at.selectbox(key="fn").set_value("saddle")
    at.number_input(key="y0").set_value(0.5)
    at.select_slider(key="lr").set_value(0.05).run()
    assert not at.exception
    assert metrics(at)["stopped"] == "diverged" and metrics(at)["nearest minimum"] == "none"


def test_every_optimizer_renders_its_hyperparameters():
    at = page()
    for key in OPTIMIZERS:
        at.selectbox(key="opt").set_value(key)
        at.number_input(key="steps").set_value(100).run()
        assert not at.exception, key
        assert metrics(at)["steps run"]


def test_nesterov_without_momentum_is_a_message_not_a_traceback():
    at = page()
    at.selectbox(key="opt").set_value("sgd").run()
    at.checkbox(key="sgd_nesterov").check().run()
    assert not at.exception
    assert "Nesterov momentum requires" in at.error[0].value


PERCEPTRON, CHAIN, TENSORS = "../pages/5_Perceptron.py", "../pages/6_Chain_Rule.py", "../pages/7_Tensors.py"


@pytest.mark.parametrize("n,k,seed", [(10, 1, 0), (1, 1, 0), (64, 16, 2**31 - 1), (10, 2, 5)])
def test_perceptron_page_at_defaults_and_limits(n, k, seed):
    at = page(PERCEPTRON)
    at.slider(key="n").set_value(n)
    at.slider(key="k").set_value(k)
    at.number_input(key="seed").set_value(seed).run()
    assert not at.exception and not at.error
    m = metrics(at)
    assert m["loss.shape"] == "torch.Size([])"
    assert float(m["largest |autograd − formula|"]) < 1e-6


def test_perceptron_page_source_multi_and_descent_button():
    at = page(PERCEPTRON)
    at.radio(key="inputs").set_value("source-multi").run()
    assert metrics(at)["loss"] == "0.1992"
    assert any("48.6 times smaller" in i.value for i in at.info)
    next(b for b in at.button if b.label.startswith("Run ")).click().run()
    assert not at.exception
    line = next(m.value for m in at.markdown if " → " in m.value)
    first, last = (float(v) for v in line.split("loss ")[1].split(" after")[0].split(" → "))
    assert last < first


def test_chain_rule_page_defaults_and_limits():
    at = page(CHAIN)
    m = metrics(at)
    assert m["product of the local derivatives"] == "2" and m["direct ∂y2/∂w1"] == "2"
    assert len(at.get("graphviz_chart")) == 1
    at.slider(key="links").set_value(8)
    at.selectbox(key="act").set_value("tanh")
    for key in ("x", "w1", "b1", "w2", "b2"):
        at.number_input(key=key).set_value(100.0)
    at.run()
    assert not at.exception
    at.number_input(key="x").set_value(-100.0).run()
    assert not at.exception and "direct ∂y8/∂w1" in metrics(at)


def test_tensors_page_shows_the_numpy_error_as_text():
    at = page(TENSORS)
    codes = [c.value for c in at.code]
    assert any("AttributeError: `np.mat` was removed" in c for c in codes)
    assert any("[[[1, 2, 3], [0, 9, 8, 0]]]" in c for c in codes)


COMPARE, BASINS, SWEEP = "../pages/2_Compare.py", "../pages/3_Basins.py", "../pages/4_Sweep.py"


def test_compare_page_races_and_ranks():
    at = page(COMPARE)
    table = at.dataframe[0].value
    assert list(table["run"]) == ["1: sgd lr=0.001", "3: rmsprop lr=0.01", "2: adam lr=0.01"]
    at.slider(key="runs").set_value(6).run()
    assert not at.exception and len(at.dataframe[0].value) == 6


def test_compare_same_optimizer_at_several_starts_is_one_batch():
    at = page(COMPARE)
    for i, (x, y) in enumerate([(1.0, 0.0), (-4.0, 0.0), (4.0, 0.0)], start=1):
        at.selectbox(key=f"r{i}_opt").set_value("adam")
        at.select_slider(key=f"r{i}_lr").set_value(0.05)
        at.number_input(key=f"r{i}_x0").set_value(x)
        at.number_input(key=f"r{i}_y0").set_value(y)
    at.run()
    assert not at.exception
    reached = set(at.dataframe[0].value["minimum reached"])
    assert reached == {"(3, 2)", "(-3.77931, -3.28319)", "(3.58443, -1.84813)"}


def test_compare_step_inspector_matches_torch():
    at = page(COMPARE)
    at.selectbox(key="inspect_run").set_value(1)
    at.slider(key="k").set_value(10).run()
    assert not at.exception
    m = {x.label: x for x in at.metric}
    assert m["by the rule above"].value == m["x_{k+1} from torch's step()"].value


def test_descent_custom_formula_and_hostile_formula():
    at = page()
    at.selectbox(key="fn").set_value("custom").run()
    at.select_slider(key="lr").set_value(0.05)
    at.text_input(key="expr").set_value("(x - 1)**2 + 2*(y + 0.5)**2").run()
    assert not at.exception and metrics(at)["nearest minimum"] == "none"
    x, y = (float(v) for v in metrics(at)["end point"].strip("()").split(", "))
    assert abs(x - 1) < 1e-2 and abs(y + 0.5) < 1e-2
    at.text_input(key="expr").set_value("__import__('os').system('echo hi')").run()
    assert not at.exception and "calling attribute access" in at.error[0].value


def test_basins_and_sweep_pages():
    at = page(BASINS)
    counts = dict(zip(at.dataframe[0].value["ended"], at.dataframe[0].value["starts"]))
    assert sum(counts.values()) == 3600 and "minimum (3, 2)" in counts
    at.slider(key="grid").set_value(200)
    at.number_input(key="steps").set_value(5000).run()  # 40,000 starts x 5,000 steps is over the limit: clamped
    assert not at.exception and "over the limit" in at.warning[0].value
    at = page(SWEEP)
    assert "diverged" in at.warning[0].value and "Fastest to converge" in at.info[0].value
