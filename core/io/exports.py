"""A trajectory as CSV and JSON: the CLI's --csv/--json and the app's downloads write these."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from typing import Any

from core.model.data import DataSpec, make_data
from core.run import Trajectory

COLUMNS = ("start", "step", "x", "y", "f", "grad_x", "grad_y")


def rows(traj: Trajectory) -> list[tuple]:
    """One row per start point and step run: (start, step, x, y, f, df/dx, df/dy)."""
    out = []
    for i in range(traj.positions.shape[1]):
        for k in range(int(traj.end[i]) + 1):
            (x, y), (gx, gy) = traj.positions[k, i].tolist(), traj.grads[k, i].tolist()
            out.append((i, k, x, y, traj.losses[k, i].item(), gx, gy))
    return out


def to_csv(traj: Trajectory) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(traj))
    return buf.getvalue()


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def to_json(traj: Trajectory) -> str:
    """The config, each start's summary, and its path (positions, f, gradients) up to where it stopped."""
    c = traj.config
    runs: list[dict[str, Any]] = []
    for i in range(traj.positions.shape[1]):
        s = traj.summary(i)
        e = int(traj.end[i]) + 1
        runs.append({
            "start": list(c.starts[i]), "reason": str(s.reason), "steps": s.steps,
            "end": list(s.end), "f": _finite(s.f),
            "nearest_minimum": list(s.nearest) if s.nearest else None,
            "distance": _finite(s.distance),
            "x": traj.positions[:e, i].tolist(), "f_path": traj.losses[:e, i].tolist(),
            "grad": traj.grads[:e, i].tolist(),
        })
    config = {"objective": c.objective, "optimizer": c.optimizer, "hypers": c.hyper_values,
              "steps": c.steps, "dtype": c.dtype, "tol": c.tol}
    if c.data is not None:
        config["data"] = dataclasses.asdict(c.data)
    return json.dumps({"config": config, "seconds": traj.seconds, "runs": runs}, allow_nan=False)


def data_csv(spec: DataSpec) -> str:
    """The data set (core/model/data.make_data) as CSV: x1, x2, ..., label; each float32 written so that it reads
    back exactly."""
    x, y = make_data(spec)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*(f"x{j + 1}" for j in range(spec.dim)), "label"])
    writer.writerows([*(repr(float(v)) for v in row), int(label)] for row, label in zip(x.tolist(), y.tolist()))
    return buf.getvalue()
