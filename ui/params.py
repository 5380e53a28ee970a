"""The link's schema as one table: every URL parameter of every page as an entry of the link's codec
(ui/codec.Param: its control, default and bounds, and its own parse, format and check).

The controls are built from these entries (ui/controls.py); the link notice (ui/urlstate.py), the scene warm-up
(ui/warm.py through ui/plans.py), the Perceptron's matrices, the link fuzz (tests/test_fuzz_links.py) and the
README's table of URL parameters (`python -m ui.params` prints it) read link text only through them. Hyperparameter
entries come from the optimizer registry, so a new hyperparameter is a new parameter everywhere at once.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from core import expr, limits
from core.autograd import chain
from core.objectives import CUSTOM, DEFAULT_BOUNDS, DEFAULT_OBJECTIVE, OBJECTIVES, PERCEPTRON
from core.optimizers import DEFAULT_OPTIMIZER, OPTIMIZERS, Hyper, OptimizerSpec, get_optimizer
from core.run import DTYPES, RunConfig
from ui.codec import Link, Param

__all__ = ["Link", "Param"]  # the codec's types, for the pages and ui/plans.py

TOLERANCES = ("off", 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)
DEFAULT_FORMULA = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
SCALES = ("f", "log")
LANGUAGES = ("en", "zh")


def log_options(low: float, high: float, default: float) -> tuple[float, ...]:
    """1-2-5 values per decade between low and high, with default among them."""
    values = {default}
    for exponent in range(math.floor(math.log10(max(low, 1e-300))), math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 5):
            v = float(f"{m}e{exponent}")
            if low <= v <= high:
                values.add(v)
    return tuple(sorted(values))


def hyper_params(spec: OptimizerSpec, h: Hyper, default: Any, prefix: str = "") -> list[Param]:
    """The parameter(s) of one hyperparameter: 'lr', or '<optimizer>_<name>' ('<name>0', '<name>1' for a pair)."""
    key = prefix + ("lr" if h.name == "lr" else f"{spec.key}_{h.name}")
    about = f"{spec.name} {h.name}: {h.help}"
    if h.kind == "bool":
        return [Param(key, "checkbox", default, about=about)]
    if h.kind == "choice":
        options = tuple(str(c).lower() for c in h.choices)
        return [Param(key, "selectbox", str(default).lower(), options=options, about=about)]
    if h.kind == "pair":
        return [_number(f"{key}{i}", default[i], *h.bounds(i), False, f"{about} ({i})") for i in range(2)]
    if h.log:
        return [Param(key, "select_slider", default, *h.bounds(), options=log_options(*h.bounds(), default),
                      about=about)]
    return [_number(key, default, *h.bounds(), h.kind == "int", about)]


def hyper_settings(opt: str, read: Callable[[Hyper, int, Param], Any], prefix: str = "",
                   default: str = DEFAULT_OPTIMIZER, lr: float | None = None) -> dict[str, Any]:
    """The hyperparameters of optimizer opt as torch takes them, each entry's value given by read(hyper, i, entry).

    lr, when given, is the page's own learning rate for its default optimizer. The controls read widgets, the
    scene warm-up reads a link: both through here.
    """
    spec = get_optimizer(opt)
    defaults = spec.defaults()
    if lr is not None and opt == default:
        defaults["lr"] = lr
    values = {}
    for h in spec.hypers:
        shown = [read(h, i, p) for i, p in enumerate(hyper_params(spec, h, defaults[h.name], prefix))]
        if h.kind == "pair":
            values[h.name] = tuple(shown)
        elif h.kind == "choice":  # the registry's value (None, not 'none')
            values[h.name] = h.choices[[str(c).lower() for c in h.choices].index(shown[0])]
        else:
            values[h.name] = shown[0]
    return values


def _number(key: str, default: float, low: float, high: float, integer: bool, about: str) -> Param:
    """A slider where the range is small and the default sits on its grid of 100 steps, else a number box."""
    if integer:
        return Param(key, "slider", int(default), int(low), int(high), about=about)
    step = 10.0 ** math.floor(math.log10((high - low) / 100))
    on_grid = abs(default / step - round(default / step)) < 1e-9
    widget = "slider" if high - low <= 10 and on_grid else "number"
    return Param(key, widget, float(default), low, high, step=step if widget == "slider" else None, about=about)


def optimizer_params(default: str = DEFAULT_OPTIMIZER, lr: float | None = None, prefix: str = "") -> list[Param]:
    """The optimizer picker and every optimizer's hyperparameters ('lr' once, as the default optimizer has it)."""
    out = [Param(prefix + "opt", "selectbox", default, options=tuple(OPTIMIZERS),
                 about="optimizer: a torch.optim class, lower-case")]
    for key, spec in OPTIMIZERS.items():
        defaults = spec.defaults()
        if key == default and lr is not None:
            defaults["lr"] = lr
        for h in spec.hypers:
            if h.name != "lr" or key == default:
                out += hyper_params(spec, h, defaults[h.name], prefix)
    return out


def start_params(prefix: str = "", default: tuple[float, float] = (0.0, 0.0)) -> list[Param]:
    return [Param(prefix + name, "number", float(v), -limits.START_LIMIT, limits.START_LIMIT, about=f"start {name[0]}")
            for name, v in zip(("x0", "y0"), default)]


def steps_param(default: int) -> Param:
    return Param("steps", "number", default, 1, limits.MAX_STEPS, step=100, about="steps of the run")


LANG = Param("lang", "selectbox", "en", options=LANGUAGES, about="language")
PRESENT = Param("present", "toggle", False, about="presentation mode")
COMMON = [LANG, PRESENT]
OBJECTIVE = [Param("fn", "selectbox", DEFAULT_OBJECTIVE, options=(*OBJECTIVES, CUSTOM), about="objective"),
             Param("expr", "text", DEFAULT_FORMULA, high=expr.MAX_LENGTH, about="the typed formula (fn=custom)"),
             *(Param(k, "number", v, -limits.BOUND_LIMIT, limits.BOUND_LIMIT, about="its view (fn=custom)")
               for k, v in zip(("xmin", "xmax", "ymin", "ymax"), DEFAULT_BOUNDS)),
             Param("tol", "select_slider", RunConfig.tol, options=TOLERANCES, about="convergence tolerance or off")]
VIEW = [Param("scale", "radio", "f", options=SCALES, about="height: f or log(1 + f)"),
        Param("arrows", "toggle", False, about="-grad f arrows on the contour")]
CURVATURE = Param("curv", "toggle", False, about="the curvature (Hessian) at the step cursor")
INSPECTOR = Param("k", "slider", 0, 0, limits.MAX_STEPS - 1, about="the step inspector's step")
MAX_RUNS = 6
# (optimizer, lr) of Compare's runs 1..6 until someone changes them: a typical race
DEFAULT_RUNS = (("sgd", 1e-3), ("adam", 1e-2), ("rmsprop", 1e-2), ("adagrad", 0.5), ("nadam", 1e-2), ("lbfgs", 1.0))


def _compare() -> list[Param]:
    out = [*OBJECTIVE, *VIEW, steps_param(2000),
           Param("runs", "slider", 3, 1, MAX_RUNS, about="how many runs race"),
           Param("click_run", "radio", 1, options=tuple(range(1, MAX_RUNS + 1)), about="which run a click moves"),
           Param("inspect_run", "selectbox", 0, options=tuple(range(MAX_RUNS)), about="the inspected run"), INSPECTOR]
    for i, (opt, lr) in enumerate(DEFAULT_RUNS, 1):
        out += [*optimizer_params(opt, lr, f"r{i}_"), *start_params(f"r{i}_")]
    return out


# The model's data set (core/model/data.py): one definition for /Model and /Slices
DATA = [Param("data_seed", "number", 0, 0, limits.PERCEPTRON_SEED, about="the data set's seed"),
        Param("size", "slider", 100, *limits.DATA_SIZE, about="points of the data set"),
        Param("spread", "slider", 3.0, *limits.DATA_SPREAD, step=0.05, about="the clusters' spread")]


def _slices() -> list[Param]:
    """/Slices: the model, its data, its training run, and the slice's directions, grid and span."""
    return [Param("model", "radio", "mlp", options=("perceptron", "mlp"), about="the perceptron or the small MLP"),
            Param("n", "slider", 16, 2, limits.MAX_INPUTS, about="inputs per data point"),
            Param("hidden", "slider", 8, 1, limits.MAX_HIDDEN, about="the MLP's hidden units"),
            *DATA, *optimizer_params("adam", 0.05),
            Param("steps", "number", 300, 1, limits.MODEL_STEPS, step=100, about="training steps"),
            Param("dirs", "radio", "pca", options=("pca", "random"),
                  about="directions: the path's principal ones, or filter-normalized random ones"),
            Param("dir_seed", "number", 0, 0, limits.PERCEPTRON_SEED, about="the random directions' seed"),
            Param("grid", "slider", 41, 3, limits.SLICE_GRID, about="grid points per side"),
            Param("span", "number", 0.0, 0.0, limits.SLICE_SPAN, step=0.5,
                  about="the grid's half-width in a and b (0: fit the path, 1 for random directions)")]


SCHEMA: dict[str, list[Param]] = {
    "Home": [],
    "Descent": [*OBJECTIVE, *optimizer_params(), steps_param(2000), *start_params(), *VIEW, INSPECTOR,
                Param("dtype", "radio", "float32", options=tuple(DTYPES), about="torch dtype"),
                Param("every", "number", 200, 1, limits.MAX_STEPS, about="log every N steps (default steps / 10)"),
                CURVATURE],
    "Compare": _compare(),
    "Basins": [*OBJECTIVE, *optimizer_params("adam", 0.05), steps_param(500),
               Param("grid", "slider", 60, 10, limits.MAX_GRID, about="grid points per side")],
    "Sweep": [OBJECTIVE[0].but(options=(*OBJECTIVES, PERCEPTRON, CUSTOM)), *OBJECTIVE[1:], *DATA,  # data: fn=perceptron
              *(p for p in optimizer_params("sgd") if p.key != "lr"),  # each run's lr is the sweep's
              steps_param(1000), *start_params(),
              Param("lrs", "select_slider", (1e-5, 1.0), options=tuple(10.0 ** e for e in range(-6, 2)),
                    about="learning rates from, to"),
              Param("count", "slider", 50, *limits.SWEEP_SIZES, about="how many learning rates")],
    "Perceptron": [Param("inputs", "radio", "random", options=("random", "source-single", "source-multi"),
                         about="x and w: drawn, or rebuilt from the source's printed output"),
                   Param("n", "slider", 10, 1, limits.MAX_INPUTS, about="inputs"),
                   Param("k", "slider", 1, 1, limits.MAX_OUTPUTS, about="outputs K"),
                   Param("seed", "number", 0, 0, limits.PERCEPTRON_SEED, about="seed for torch.randn"),
                   Param("x", "matrix", about="hand-edited x: 1,2,3"),
                   Param("w", "matrix", about="hand-edited w: rows split by ';'"),
                   Param("p_opt", "selectbox", "sgd", options=("sgd", "adam"), about="optimizer of the descent on w"),
                   Param("p_lr", "select_slider", 1.0, options=(0.01, 0.1, 0.5, 1.0, 2.0, 5.0), about="its lr"),
                   Param("p_steps", "slider", 50, 1, limits.PERCEPTRON_STEPS, about="its steps")],
    "Chain_Rule": [*(Param(k, "number", v, -limits.CHAIN_VALUE_LIMIT, limits.CHAIN_VALUE_LIMIT, step=0.5,
                           about="the source's x, w1, b1, w2, b2") for k, v in chain.SOURCE.items()),
                   Param("links", "slider", 2, 2, limits.MAX_LAYERS, about="links in the chain"),
                   Param("act", "selectbox", next(iter(chain.ACTIVATIONS)), options=tuple(chain.ACTIVATIONS),
                         about="activation after each link")],
    "Tensors": [],
    "Scenes": [],
    "Model": [*optimizer_params("adam", 0.05), steps_param(500), *start_params(default=(-2.0, 2.0)), *VIEW, INSPECTOR,
              OBJECTIVE[-1].but(default="off"),
              Param("dtype", "radio", "float32", options=tuple(DTYPES), about="torch dtype"),
              *DATA,
              Param("batch", "number", 10, 0, limits.DATA_SIZE[1], about="minibatch size B (0: the full batch)"),
              Param("batch_seed", "number", 0, 0, limits.PERCEPTRON_SEED, about="the minibatches' seed"), CURVATURE],
    "Slices": _slices(),
}
SCHEMA = {page: [*COMMON, *params] for page, params in SCHEMA.items()}


def table(page: str) -> dict[str, Param]:
    """The page's parameters by key."""
    return {p.key: p for p in SCHEMA[page]}


def _default(p: Param) -> str:
    """A default as the README's table shows it."""
    return "—" if p.default is None else ", ".join(p.format(p.default)) if isinstance(p.default, tuple) else \
        p.format(p.default)


def is_hyper(key: str, lr: bool = False) -> bool:
    """Whether key names a hyperparameter ('adam_eps', 'r2_sgd_momentum'; 'lr', 'r2_lr' too when lr): its control's
    default is the chosen optimizer's own, so its schema entry's default holds only for the page's default optimizer."""
    bare = key.split("_", 1)[1] if key[:1] == "r" and key[1:2].isdigit() else key
    return any(bare.startswith(o + "_") for o in OPTIMIZERS) or (lr and bare == "lr")


def readme_table() -> str:
    """The README's table of URL parameters, written from SCHEMA: Compare's runs as r<i>_..., and the
    hyperparameters of every optimizer (the same on every page that has them) summarised in one row."""
    rows = ["| page | parameter | default | accepts |", "| --- | --- | --- | --- |"]
    rows += [f"| every page | `{p.key}` | {_default(p)} | {p.accepts} |" for p in COMMON]
    for page, entries in SCHEMA.items():
        seen = set()
        for p in entries:
            key = "r<i>_" + p.key.split("_", 1)[1] if p.key[:1] == "r" and p.key[1:2].isdigit() else p.key
            if p in COMMON or is_hyper(p.key) or key in seen:
                continue
            seen.add(key)
            default = "per run" if key.startswith("r<i>_opt") or key == "r<i>_lr" else _default(p)
            rows.append(f"| {page} | `{key}` | {default} | {p.accepts} |")
        hyper = [p for p in entries if is_hyper(p.key)]
        if hyper:
            prefix = "r<i>_" if page == "Compare" else ""
            rows.append(f"| {page} | `{prefix}<optimizer>_<name>` | torch's own | every hyperparameter of every "
                        f"optimizer ({len(hyper)} keys), within the ranges `python -m core list` prints |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(readme_table())
