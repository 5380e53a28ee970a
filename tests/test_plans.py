"""One pure function per page (ui/plans.py) from its values to what it computes: the page asks for exactly the runs
that function makes of the link's values (so the scene warm-up, which calls it on a scene's link, warms what the
page asks for), and what it makes is checked by hand."""
import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from core import limits
from core.explore.basins import most_grid, most_steps
from core.optimizers import get_optimizer
from core.run import cost
from tests.test_share import PAGES
from ui import compute, plans, slicing

LINKS = [
    ("Descent", {"fn": "custom", "expr": "x**2 + 3*y**2", "xmin": "-2", "ymax": "3", "dtype": "float64",
                 "opt": "sgd", "sgd_momentum": "0.5", "steps": "40"}),
    ("Descent", {"opt": "rprop", "x0": "1.5", "tol": "off", "steps": "30"}),
    ("Compare", {"runs": "3", "steps": "50", "r2_opt": "sgd", "r3_x0": "2", "r1_opt": "adam", "r1_lr": "0.01"}),
    ("Compare", {"runs": "2", "steps": "50", "r1_opt": "adam", "r2_opt": "adam", "r2_lr": "0.001", "r2_y0": "1"}),
    ("Basins", {"grid": "200", "steps": "2000", "opt": "sgd"}),
    ("Sweep", {"lrs": ["1e-05", "10"], "count": "20", "steps": "40", "opt": "adagrad"}),
    ("Model", {"opt": "sgd", "lr": "1", "size": "30", "batch": "40", "data_seed": "4", "steps": "60", "x0": "1"}),
    ("Slices", {"model": "perceptron", "n": "5", "opt": "rmsprop", "steps": "40", "grid": "7", "dirs": "random",
                "dir_seed": "2", "span": "1.5", "data_seed": "4", "size": "30"}),
]
FUNCTIONS = {"Descent": plans.descent, "Compare": plans.compare, "Basins": plans.basins, "Sweep": plans.sweep,
             "Model": plans.model, "Slices": lambda values: (plans.slices(values),)}


def asked(monkeypatch, page: str, link: dict) -> list:
    """What the page asks compute for, as (what, arguments), when opened from link."""
    calls = []
    for module, name in ((compute, "cached_run"), (compute, "cached_basins"), (compute, "cached_sweep"),
                         (slicing, "cached_slice")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name: calls.append((_name, a)) or _real(*a))
    at = AppTest.from_file(PAGES[page], default_timeout=180)
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not [w for w in at.warning if "not accepted" in w.value], at.warning
    return calls


@pytest.mark.parametrize("page,link", LINKS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(LINKS)])
def test_the_page_asks_for_what_its_function_makes_of_the_link(monkeypatch, page, link):
    made = FUNCTIONS[page](plans.link_values(page, link))
    calls = asked(monkeypatch, page, link)
    if page in ("Descent", "Compare", "Model"):
        assert {a[0] for name, a in calls if name == "cached_run"} == {c for c, _ in made.runs}
    else:
        assert [a for name, a in calls if name != "cached_run"] == [made]


def test_what_the_functions_make_by_hand():
    """The typed formula keeps its text and view, a run without its own lr takes its optimizer's torch default,
    runs that differ only in their start share a config, a basin map runs what its grid may, a sweep stays within
    what lr may be."""
    custom = plans.descent(plans.link_values(*LINKS[0])).runs[0][0]
    assert (custom.objective, custom.expr, custom.bounds) == ("custom", "x**2 + 3*y**2", (-2.0, 5.0, -5.0, 3.0))
    assert (custom.optimizer, dict(custom.hypers)["momentum"], custom.dtype) == ("sgd", 0.5, "float64")
    race = plans.compare(plans.link_values(*LINKS[2])).runs
    assert dict(race[1][0].hypers)["lr"] == get_optimizer("sgd").defaults()["lr"] == 1e-3
    assert plans.race_labels(race) == ["1: adam lr=0.01", "2: sgd lr=0.001", "3: rmsprop lr=0.01"]
    shared = plans.compare(plans.link_values(*LINKS[3])).runs
    assert shared[0][0] is shared[1][0] and [row for _, row in shared] == [0, 1]
    assert shared[0][0].starts == ((0.0, 0.0), (0.0, 1.0))
    config, n = plans.basins(plans.link_values(*LINKS[4]))
    whole = dataclasses.replace(config, steps=2000)
    assert n == min(200, most_grid(whole)) and config.steps == min(2000, most_steps(whole, n)) < 2000
    config, low, high, count = plans.sweep(plans.link_values(*LINKS[5]))
    assert (low, high, count) == (1e-5, get_optimizer("adagrad").hyper("lr").bounds()[1], 20)
    slow = plans.compare(plans.link_values("Compare", {"runs": "6", "steps": "20000"}))  # LBFGS among them
    assert slow.asked == 20_000 and slow.runs[0][0].steps < 20_000
    assert len({c.steps for c, _ in slow.runs}) == 1  # cut together: they race over the same steps
    assert sum(cost.step_seconds(c) for c in {c for c, _ in slow.runs}) * slow.runs[0][0].steps <= 20.0


def test_the_tutorials_settings_are_the_source_run_scene_and_the_descent_button():
    """One definition: the scene's link and the page's button both give Adam, lr 1e-3, 20,000 steps from (0, 0)."""
    from ui.scenes import SCENES

    source = next(s for s in SCENES if s.key == "source-run")
    config = plans.descent(plans.link_values("Descent", dict(source.params))).runs[0][0]
    assert (config.optimizer, dict(config.hypers)["lr"], config.steps, config.starts, config.tol) == \
        ("adam", 1e-3, 20_000, ((0.0, 0.0),), None)
    four = next(s for s in SCENES if s.key == "four-starts")
    race = plans.compare(plans.link_values("Compare", dict(four.params))).runs
    assert len({id(c) for c, _ in race}) == 1 and race[0][0].starts == plans.TUTORIAL_STARTS


def test_the_model_pages_run_by_hand():
    """/Model: the perceptron on the link's data set, B of its size or more the full batch (0); the budget cut
    charges every data point a step evaluates (an LBFGS step: max_iter evaluations of 1,024 padded points)."""
    config = plans.model(plans.link_values(*LINKS[6])).runs[0][0]
    assert (config.objective, config.optimizer, config.starts, config.steps, config.tol) == (
        "perceptron", "sgd", ((1.0, 2.0),), 60, None)
    assert (config.data.seed, config.data.size, config.data.batch, config.data.batch_seed) == (4, 30, 0, 0)
    slow = plans.model(plans.link_values("Model", {"opt": "lbfgs", "steps": "20000", "size": "1000", "batch": "0"}))
    seconds = 20 * limits.LBFGS_ITERATION_SECONDS + 1024 * limits.MODEL_POINT_STEP_SECONDS
    assert slow.asked == 20_000 and slow.runs[0][0].steps == int(limits.WORK_SECONDS / seconds)
