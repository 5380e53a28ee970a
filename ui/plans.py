"""What each page computes from its values: one pure function per page, from its parameters' values (as its
controls hold them, or as the link's codec reads a scene's link) to its runs and explorations, their steps (and a
basin map's grid) cut to what finishes within a page's compute budget (core/run/cost.py). The pages, the scene
warm-up (ui/warm.py) and the home page call these, so a scene's runs are the runs its page asks for."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from core import limits
from core.explore.basins import most_grid, most_steps
from core.explore.race import Racers, group_runs
from core.model.data import DataSpec
from core.model.network import ModelSpec, train_seconds
from core.objectives import CUSTOM, PERCEPTRON
from core.optimizers import DEFAULT_OPTIMIZER, get_optimizer
from core.run import RunConfig, cost, make_config
from ui import params
from ui.params import DEFAULT_RUNS, Link

Values = Mapping[str, Any]  # a page's parameters by key, as its controls hold them
# The source tutorial's run (Adam, lr 1e-3, 20,000 steps from (0, 0), no early stop) and its four start points
TUTORIAL: dict[str, Any] = {"fn": "himmelblau", "opt": "adam", "lr": 1e-3, "steps": 20_000, "x0": 0.0, "y0": 0.0,
                            "tol": "off"}
TUTORIAL_STARTS = ((0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0))


def link_values(page: str, link: Mapping[str, Link]) -> dict[str, Any]:
    """Each parameter's value as its control reads it from the link: the default where the link has none, but a
    hyperparameter the link does not give is left out (its default is the chosen optimizer's own: settings())."""
    return {key: p.parse(link[key]) if key in link else p.default for key, p in params.table(page).items()
            if key in link or not params.is_hyper(key, lr=True)}


def link_of(page: str, values: Values) -> tuple[tuple[str, str], ...]:
    """The link's (key, text) pairs that give the page these values (values equal to the default left out)."""
    table = params.table(page)
    return tuple((key, table[key].format(v)) for key, v in values.items() if v != table[key].default)


def tutorial_links() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The links of the tutorial's run on /Descent and of its four starts racing on /Compare."""
    starts = {f"r{i}_{k}": v for i, (x, y) in enumerate(TUTORIAL_STARTS, start=1)
              for k, v in (("opt", TUTORIAL["opt"]), ("lr", TUTORIAL["lr"]), ("x0", x), ("y0", y))}
    race = {"runs": len(TUTORIAL_STARTS), "steps": TUTORIAL["steps"], "tol": TUTORIAL["tol"], **starts}
    return link_of("Descent", TUTORIAL), link_of("Compare", race)


def settings(values: Values, prefix: str = "", default: str = DEFAULT_OPTIMIZER,
             lr: float | None = None) -> tuple[str, dict[str, Any]]:
    """(optimizer, its hyperparameters as torch takes them) of the run under prefix."""
    opt = values[prefix + "opt"]
    return opt, params.hyper_settings(opt, lambda h, i, p: values.get(p.key, p.default), prefix, default, lr)


def common(values: Values) -> dict[str, Any]:
    """The fields of a RunConfig every page's runs take alike: objective (a typed formula and its view when custom),
    steps and the tolerance."""
    custom = values["fn"] == CUSTOM
    bounds = tuple(values[k] for k in ("xmin", "xmax", "ymin", "ymax")) if custom else ()
    return {"objective": values["fn"], "expr": values["expr"] if custom else "", "bounds": bounds,
            "steps": int(values["steps"]), "tol": None if values["tol"] == "off" else float(values["tol"])}


@dataclass(frozen=True)
class Drawn:
    """Runs on the instrument: the runs as (config, row), the height scale, whether the contour has arrows, the
    steps asked for (more than the runs' own when the budget cut them), and whether the curvature at the cursor is
    drawn."""

    runs: Racers
    scale: str
    arrows: bool
    asked: int
    curvature: bool = False


def fitted(runs: Racers) -> Racers:
    """The runs of one page with their steps cut to what they finish together within a page's compute budget."""
    per_step = sum(cost.step_seconds(c) for c in dict.fromkeys(c for c, _ in runs))
    steps = min(runs[0][0].steps, cost.most_steps(per_step))
    if steps == runs[0][0].steps:
        return runs
    cut = {c: dataclasses.replace(c, steps=steps) for c in dict.fromkeys(c for c, _ in runs)}
    return tuple((cut[c], row) for c, row in runs)


def descent(values: Values) -> Drawn:
    """/Descent: one run from one start."""
    opt, hypers = settings(values)
    config = make_config(hypers, optimizer=opt, starts=[(values["x0"], values["y0"])], dtype=values["dtype"],
                         **common(values))
    return Drawn(fitted(((config, 0),)), values["scale"], values["arrows"], config.steps, values["curv"])


def compare(values: Values) -> Drawn:
    """/Compare: runs 1..runs, each its own optimizer, hyperparameters and start; runs that differ only in their
    start share one batched config."""
    race = [(*settings(values, f"r{i}_", *DEFAULT_RUNS[i - 1]), (values[f"r{i}_x0"], values[f"r{i}_y0"]))
            for i in range(1, values["runs"] + 1)]
    fields = common(values)
    return Drawn(fitted(group_runs(race, **fields)), values["scale"], values["arrows"], fields["steps"])


def race_labels(runs: Racers) -> list[str]:
    """Each run of a race named by its number, optimizer and learning rate: '2: adam lr=0.01'."""
    return [f"{i}: {c.optimizer} lr={c.hyper_values['lr']:g}" for i, (c, _) in enumerate(runs, 1)]


def basins(values: Values) -> tuple[RunConfig, int]:
    """/Basins: the run every start of the grid makes and the grid, cut to what the budget and
    limits.MAX_BASIN_WORK allow (the grid first, then the steps)."""
    opt, hypers = settings(values, default="adam", lr=0.05)
    config = make_config(hypers, optimizer=opt, **common(values))
    n = min(int(values["grid"]), most_grid(config))
    return dataclasses.replace(config, steps=min(config.steps, most_steps(config, n))), n


def sweep(values: Values) -> tuple[RunConfig, float, float, int]:
    """/Sweep: the run from one start (its steps cut to what the budget allows for all its learning rates), and
    the learning rates from, to (within what lr may be) and how many."""
    opt, hypers = settings(values, default="sgd")
    data = full_batch(values) if values["fn"] == PERCEPTRON else None
    config = make_config(hypers, optimizer=opt, starts=[(values["x0"], values["y0"])], data=data, **common(values))
    count = int(values["count"])
    steps = min(config.steps, cost.most_steps(cost.step_seconds(config, rows=1, groups=count)))
    lr_low, lr_high = get_optimizer(opt).hyper("lr").bounds()
    low, high = values["lrs"]
    return dataclasses.replace(config, steps=steps), max(low, lr_low), min(high, lr_high), count


def data_spec(values: Values) -> DataSpec:
    """/Model: the data set and its minibatches; B of N or more is the full batch (0): each step sees every point."""
    size, batch = int(values["size"]), int(values["batch"])
    return dataclasses.replace(full_batch(values), batch=batch if batch < size else 0,
                               batch_seed=int(values["batch_seed"]))


def full_batch(values: Values) -> DataSpec:
    """The data set of the link (data_seed, size, spread), every step on all of it: /Sweep's perceptron (the bound
    is gradient descent's: a minibatch's noise would blur where runs stop settling), /Slices, and /Model's base."""
    return DataSpec(seed=int(values["data_seed"]), size=int(values["size"]), spread=float(values["spread"]))


def model(values: Values) -> Drawn:
    """/Model: one run of the perceptron's loss over two weights, from one start, on the full batch or minibatches."""
    opt, hypers = settings(values, default="adam", lr=0.05)
    config = make_config(hypers, optimizer=opt, objective=PERCEPTRON, data=data_spec(values),
                         starts=[(values["x0"], values["y0"])], dtype=values["dtype"], steps=int(values["steps"]),
                         tol=None if values["tol"] == "off" else float(values["tol"]))
    return Drawn(fitted(((config, 0),)), values["scale"], values["arrows"], config.steps, values["curv"])


@dataclass(frozen=True)
class SlicePlan:
    """/Slices: the model on its data set, its training run (optimizer, hyperparameters as sorted items, steps) and
    the slice (directions, their seed, grid points a side, span: None to fit), with the steps and points asked for."""

    model: ModelSpec
    data: DataSpec
    optimizer: str
    hypers: tuple[tuple[str, Any], ...]
    steps: int
    kind: str
    seed: int
    points: int
    span: float | None
    asked_steps: int
    asked_points: int


def slices(values: Values) -> SlicePlan:
    """/Slices: the grid cut to what half of a page's work may take, the steps to what the other half may."""
    opt, hypers = settings(values, default="adam", lr=0.05)
    data = dataclasses.replace(full_batch(values), dim=int(values["n"]))
    spec = ModelSpec(values["model"], int(values["hidden"]) if values["model"] == "mlp" else 1)
    width = 1 if spec.kind == "perceptron" else spec.hidden
    per_point = data.size * width * limits.SLICE_ACTIVATION_SECONDS
    points = max(3, min(int(values["grid"]), int((limits.WORK_SECONDS / 2 / per_point) ** 0.5)))
    steps = max(1, min(int(values["steps"]), int(limits.WORK_SECONDS / 2 / train_seconds(opt, hypers, 1))))
    span = float(values["span"]) or None
    return SlicePlan(spec, data, opt, tuple(sorted(hypers.items())), steps, values["dirs"], int(values["dir_seed"]),
                     points, span, int(values["steps"]), int(values["grid"]))
