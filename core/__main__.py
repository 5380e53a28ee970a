"""Command line: python -m core run ... | python -m core hessian ... | python -m core list."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn, Sequence

import torch

from core import limits
from core.io import exports
from core.model.cli import add_hessian, data_arguments, data_spec, do_hessian
from core.model.objective import full_losses
from core.numbers import PLAIN_NUMBER, WHOLE_NUMBER
from core.objectives import CUSTOM, DEFAULT_BOUNDS, DEFAULT_OBJECTIVE, OBJECTIVES, PERCEPTRON
from core.optimizers import DEFAULT_OPTIMIZER, OPTIMIZERS, Hyper, get_optimizer
from core.run import DTYPES, Trajectory, make_config, run


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


NON_FINITE = ("inf", "infinity", "nan")  # refused with their own message: "not finite"


def parse_start(text: str) -> tuple[float, float]:
    """'x,y' as two finite numbers within the start limit."""
    parts = text.split(",")
    if len(parts) != 2 or not all(PLAIN_NUMBER.fullmatch(p) or p.strip().lower().lstrip("+-") in NON_FINITE
                                  for p in parts):
        raise argparse.ArgumentTypeError(f"a start point is x,y such as 0,0 or -4,0.5, not {text!r}")
    x, y = (float(p) for p in parts)
    if not all(abs(v) <= limits.START_LIMIT for v in (x, y)):  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"start {text!r} is not two finite numbers within ±{limits.START_LIMIT:g}")
    return x, y


def parse_bounds(text: str) -> tuple[float, float, float, float]:
    """'xmin,xmax,ymin,ymax': the view of a typed formula."""
    parts = text.split(",")
    if len(parts) != 4 or not all(PLAIN_NUMBER.fullmatch(p) for p in parts):
        raise argparse.ArgumentTypeError(f"--bounds takes xmin,xmax,ymin,ymax such as -5,5,-5,5, not {text!r}")
    return tuple(float(p) for p in parts)  # type: ignore[return-value]


def output_path(text: str) -> Path:
    """A file to write after the run, checked before it: a name, in a folder that exists and can be written."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an output file needs a name, not an empty string")
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: there is no folder {str(folder)!r}")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: permission denied")
    return path


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--set takes NAME=VALUE, such as momentum=0.9, not {text!r}")
    return name.strip(), value


def positive_int(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}")
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {n}")
    return n


def tolerance(text: str) -> float | None:
    if text.lower() in ("off", "none", "0"):
        return None
    if not PLAIN_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"--tol takes a number or 'off', not {text!r}")
    return float(text)


def build_parser() -> Parser:
    parser = Parser(prog="python -m core", description="Descent Lab: torch.optim on 2D test functions.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="list objectives and optimizers with every hyperparameter")
    r = sub.add_parser("run", help="run one descent and print the source tutorial's log")
    r.add_argument("--objective", "--model", default=DEFAULT_OBJECTIVE,
                   help=", ".join([*OBJECTIVES, CUSTOM, PERCEPTRON]))
    r.add_argument("--expr", metavar="FORMULA", help="f(x, y) for --objective custom, e.g. 'x**2 + 3*y**2' "
                   "(implies custom)")
    r.add_argument("--bounds", type=parse_bounds, metavar="XMIN,XMAX,YMIN,YMAX",
                   help=f"the view of a typed formula (default {','.join(f'{b:g}' for b in DEFAULT_BOUNDS)})")
    r.add_argument("--optimizer", default=DEFAULT_OPTIMIZER, help=", ".join(OPTIMIZERS))
    r.add_argument("--lr", help="learning rate (default: the optimizer's own)")
    r.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[],
                   metavar="NAME=VALUE", help="any other hyperparameter, e.g. betas=0.9,0.99")
    r.add_argument("--start", type=parse_start, action="append", metavar="X,Y",
                   help="start point; repeat for several (run as one batch); default 0,0")
    r.add_argument("--steps", type=positive_int, default=1000, help=f"at most {limits.MAX_STEPS:,}")
    r.add_argument("--log-every", type=positive_int, default=None, help="log every N steps (default steps/10)")
    r.add_argument("--dtype", choices=tuple(DTYPES), default="float32")
    r.add_argument("--tol", type=tolerance, default=None,
                   help="stop a start when |grad| and its last move are <= TOL (default off, as in the source)")
    r.add_argument("--csv", type=output_path, metavar="PATH", help="write the whole trajectory as CSV")
    r.add_argument("--json", type=output_path, metavar="PATH", help="write the whole trajectory as JSON")
    data_arguments(r)
    add_hessian(sub, parse_start, positive_int)
    return parser


def hyper_settings(args: argparse.Namespace) -> dict[str, Any]:
    spec = get_optimizer(args.optimizer)
    settings = list(args.settings) + ([("lr", args.lr)] if args.lr is not None else [])
    return {name: spec.hyper(name).parse(value) for name, value in settings}


def summary_line(traj: Trajectory, i: int) -> str:
    s = traj.summary(i)
    nearest = "none" if s.nearest is None else f"({s.nearest[0]:g}, {s.nearest[1]:g})"
    return (f"end=({s.end[0]:.6f}, {s.end[1]:.6f}) f={s.f:.6g} nearest={nearest} "
            f"distance={s.distance:.3g} stop={s.reason} steps={s.steps} time={s.seconds:.3f}s")


def do_run(args: argparse.Namespace) -> None:
    objective = CUSTOM if args.expr is not None else args.objective
    if objective == CUSTOM and args.expr is None:
        raise ValueError("--objective custom needs the formula: --expr 'x**2 + 3*y**2'")
    if objective != CUSTOM and args.bounds is not None:
        raise ValueError("--bounds sets the view of a typed formula (--expr)")
    config = make_config(hyper_settings(args), objective=objective, optimizer=args.optimizer.lower(),
                         starts=args.start or [(0.0, 0.0)], steps=args.steps, dtype=args.dtype, tol=args.tol,
                         expr=args.expr or "", bounds=args.bounds or (), data=data_spec(args, objective))
    every = args.log_every or max(1, args.steps // 10)
    started = time.perf_counter()
    traj = run(config)
    for i, start in enumerate(config.starts):
        if len(config.starts) > 1:
            print(f"# start {start[0]:g},{start[1]:g}")
        print("\n".join(traj.log_lines(every, i)))
        print(summary_line(traj, i))
        if config.data is not None and config.data.batch:  # the log's f is each step's minibatch loss
            full = full_losses(traj.positions[:, i], traj.objective)
            print(f"full-batch loss: start={full[0]:.6g} end={full[int(traj.end[i])]:.6g}")
    for path, text in ((args.csv, exports.to_csv), (args.json, exports.to_json)):
        if path:
            write(path, text(traj))
    if len(config.starts) > 1:
        print(f"# {len(config.starts)} starts in one batch: {time.perf_counter() - started:.3f}s")


def write(path: Path, text: str) -> None:
    """text into path; a file that could not be written whole is not left behind half-written."""
    existed = path.exists()
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        if not existed and path.is_file():
            path.unlink()
        raise OSError(err.errno, err.strerror, str(path)) from None


def describe(h: Hyper, default: Any) -> str:
    if h.kind == "bool":
        return f"{h.name}={default} (true/false)"
    if h.kind == "choice":
        return f"{h.name}={default} ({' | '.join(str(c).lower() for c in h.choices)})"
    if h.kind == "pair":
        (a, b), (c, d) = h.bounds(0), h.bounds(1)
        return f"{h.name}={default[0]:g},{default[1]:g} ([{a:g}, {b:g}], [{c:g}, {d:g}])"
    low, high = h.bounds()
    return f"{h.name}={default:g} ([{low:g}, {high:g}]{', log' if h.log else ''})"


def do_list() -> None:
    print("objectives:")
    for o in OBJECTIVES.values():
        minima = "; ".join(f"({x:g}, {y:g})" for x, y in o.minima) or "none"
        print(f"  {o.key:<11} {o.name}; x in {o.x_range}, y in {o.y_range}; minima {minima}")
    print("optimizers:")
    for spec in OPTIMIZERS.values():
        defaults = spec.defaults()
        print(f"  {spec.key:<8} torch.optim.{spec.name}")
        for h in spec.hypers:
            print(f"           {describe(h, defaults[h.name])}")


VALUE_OPTIONS = ("--start", "--lr", "--tol", "--set", "--bounds", "--expr", "--at")


def join_negative_values(argv: Sequence[str]) -> list[str]:
    """'--start -4,0' as '--start=-4,0' (and '-inf,0', '-x**2'): argparse would take them for options."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in VALUE_OPTIONS and arg.startswith("-") and not arg.startswith("--"):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(join_negative_values(sys.argv[1:] if argv is None else argv))
    torch.set_num_threads(1)  # tensors of a few elements: threads only add hand-off cost
    try:
        {"list": lambda _: do_list(), "run": do_run, "hessian": do_hessian}[args.command](args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except OSError as err:
        print(f"error: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
