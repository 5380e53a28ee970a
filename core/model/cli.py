"""The command line's model options and its hessian command (core/__main__.py parses and runs them)."""
from __future__ import annotations

import argparse
from typing import Any, Callable

from core.curvature import curvature, stability
from core.model.data import DataSpec
from core.numbers import PLAIN_NUMBER, WHOLE_NUMBER
from core.objectives import DEFAULT_OBJECTIVE, OBJECTIVES, PERCEPTRON, get_objective
from core.run import make_config


def whole_number(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}")
    return int(text)


def plain_number(text: str) -> float:
    if not PLAIN_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a number such as 0.5 or 1e-3, not {text!r}")
    return float(text)


def sweep_range(text: str) -> tuple[float, float, int]:
    """'LOW,HIGH,COUNT': count log-spaced learning rates from low to high."""
    parts = text.split(",")
    if len(parts) != 3 or not (all(PLAIN_NUMBER.fullmatch(p) for p in parts[:2]) and WHOLE_NUMBER.fullmatch(parts[2])):
        raise argparse.ArgumentTypeError(f"--sweep takes LOW,HIGH,COUNT such as 0.01,0.1,41, not {text!r}")
    return float(parts[0]), float(parts[1]), int(parts[2])


def data_arguments(p: argparse.ArgumentParser) -> None:
    """The perceptron's data set and minibatches (--objective perceptron)."""
    d = DataSpec()
    p.add_argument("--data-seed", type=whole_number, default=d.seed, help="seed of the data set's torch.randn")
    p.add_argument("--size", type=whole_number, default=d.size, help="points in the data set")
    p.add_argument("--spread", type=plain_number, default=d.spread, help="the clusters' standard deviation")
    p.add_argument("--batch", type=whole_number, default=d.batch, help="minibatch size (0: the full batch)")
    p.add_argument("--batch-seed", type=whole_number, default=d.batch_seed, help="seed of the minibatches' draws")


DATA_OPTIONS = ("data_seed", "size", "spread", "batch", "batch_seed")


def data_spec(args: argparse.Namespace, objective: str) -> DataSpec | None:
    """The data set the options describe, for the perceptron; options for another objective are an error."""
    given = [name for name in DATA_OPTIONS if getattr(args, name) != getattr(DataSpec(), name.replace("data_", ""))]
    if objective != PERCEPTRON:
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} describes the perceptron's data (--objective perceptron)")
        return None
    return DataSpec(seed=args.data_seed, size=args.size, spread=args.spread, batch=args.batch,
                    batch_seed=args.batch_seed)


def add_hessian(sub: Any, point: Callable[[str], tuple[float, float]], whole: Callable[[str], int]) -> None:
    """The hessian command's parser (point and whole parse X,Y and step counts as the run command does)."""
    h = sub.add_parser("hessian", help="the Hessian at a point, its eigenvalues, and SGD's largest stable lr")
    h.add_argument("--objective", "--model", default=DEFAULT_OBJECTIVE, help=", ".join([*OBJECTIVES, PERCEPTRON]))
    h.add_argument("--at", type=point, metavar="X,Y", help="the point (default: the first known minimum)")
    h.add_argument("--momentum", type=plain_number, default=0.0, help="SGD's (heavy-ball) momentum, 0 to below 1")
    h.add_argument("--sweep", type=sweep_range, metavar="LOW,HIGH,COUNT",
                   help="also measure the bound: SGD from beside the point at COUNT learning rates LOW..HIGH")
    h.add_argument("--steps", type=whole, default=2000, help="steps of each run of --sweep")
    data_arguments(h)


def vector(v: Any) -> str:
    return "(" + ", ".join(f"{float(x) + 0.0:.6g}" for x in v) + ")"  # + 0.0: no "-0"


def do_hessian(args: argparse.Namespace) -> None:
    """The curvature at a point, and with --sweep the measured learning rate where SGD stops settling there."""
    objective = get_objective(args.objective, data=data_spec(args, args.objective))
    point = args.at or (objective.minima[0] if objective.minima else None)
    if point is None:
        raise ValueError(f"{args.objective} has no known minimum: give the point with --at X,Y")
    c = curvature(objective.fn, point)
    bound = c.lr_bound(args.momentum)
    print(f"point={vector(c.point)} f={c.f:.6g} gradient={vector(c.gradient)}")
    print(f"hessian=({vector(c.hessian[0])}, {vector(c.hessian[1])})")
    print(f"eigenvalues={vector(c.eigenvalues)} eigenvectors=({vector(c.eigenvectors[:, 0])}, "
          f"{vector(c.eigenvectors[:, 1])}) condition={c.condition:.6g}")
    print(f"lr_bound={'none' if bound is None else f'{bound:.6g}'} momentum={args.momentum:g}")
    if args.sweep:
        low, high, count = args.sweep
        config = make_config({"momentum": args.momentum}, objective=args.objective, optimizer="sgd",
                             steps=args.steps, dtype="float64", data=data_spec(args, args.objective))
        s = stability(config, point, low, high, count)
        measured = "none" if s.measured is None else f"{s.measured[0]:.6g}..{s.measured[1]:.6g}"
        print(f"measured: settled up to lr={measured} ({int(s.settled.sum())} of {len(s.lrs)} settled)")
