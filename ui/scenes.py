"""Prepared scenes for live demos: each one link to a page with its settings, and what to notice."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Scene:
    key: str
    page: str  # URL path of the page
    params: tuple[tuple[str, str], ...]
    title: str
    notice: str

    def link(self, present: bool = False, extra: dict[str, str] | None = None) -> str:
        params = list(self.params) + ([("present", "true")] if present else []) + list((extra or {}).items())
        return f"/{self.page}" + (f"?{urlencode(params)}" if params else "")


FOUR_STARTS = (("runs", "4"), ("steps", "20000"), ("tol", "off"),
               *((f"r{i}_{k}", v) for i, (x, y) in enumerate([(0, 0), (1, 0), (-4, 0), (4, 0)], start=1)
                 for k, v in (("opt", "adam"), ("lr", "0.001"), ("x0", str(x)), ("y0", str(y)))))

SCENES: tuple[Scene, ...] = (
    Scene("source-run", "Descent", (("steps", "20000"), ("tol", "off")),
          "The tutorial's run: Adam, lr 1e-3, 20,000 steps from (0, 0)",
          "The log below the charts prints the tutorial's lines: x = [0.001, 0.001] after step 0, then (3, 2) "
          "exactly by step 16,000. Watch f fall by ten orders of magnitude on the loss curve."),
    Scene("four-starts", "Compare", FOUR_STARTS,
          "The tutorial's four starts reach different minima",
          "Same optimizer, same learning rate, four start points in one batched tensor: (0, 0) and (1, 0) end at "
          "(3, 2), (-4, 0) at (-3.78, -3.28), (4, 0) at (3.58, -1.85). Himmelblau has four equal minima; which one "
          "you reach depends only on where you start."),
    Scene("too-large-lr", "Descent", (("opt", "sgd"), ("lr", "0.1")),
          "A learning rate too large: SGD diverges",
          "With lr 0.1 the first step from (0, 0) jumps past the valley to where the gradient is larger still; "
          "three steps later the point has left the picture. The page says at which step."),
    Scene("momentum", "Descent", (("opt", "sgd"), ("lr", "0.001"), ("sgd_momentum", "0.95"), ("arrows", "true")),
          "Momentum overshoots into another valley",
          "Plain SGD from (0, 0) settles at (3, 2). With momentum 0.95 the accumulated velocity carries the point "
          "past (3, 2) to (3.9, -0.3), and it settles in the valley at (3.58, -1.85) instead."),
    Scene("rosenbrock", "Compare", (("fn", "rosenbrock"), ("runs", "2"), ("steps", "5000"),
                                    ("r1_opt", "sgd"), ("r1_lr", "0.001"), ("r1_x0", "-1.5"), ("r1_y0", "2"),
                                    ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "-1.5"), ("r2_y0", "2"),
                                    ("scale", "log")),
          "Adam against SGD in Rosenbrock's curved valley",
          "SGD drops into the valley fast, then crawls along its flat floor and is still 0.17 from (1, 1) after "
          "5,000 steps. Adam rescales each coordinate by its own gradient history and arrives within 1,700 steps."),
    Scene("saddle", "Compare", (("fn", "saddle"), ("runs", "2"), ("steps", "500"),
                                ("r1_opt", "sgd"), ("r1_lr", "0.05"), ("r1_x0", "1"), ("r1_y0", "0.001"),
                                ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "1"), ("r2_y0", "0.001")),
          "Escaping a saddle",
          "On x² − y², starting a hair off the ridge (y = 0.001): x shrinks to 0 while y grows. SGD's y grows by "
          "10% a step (exponentially) and leaves first; Adam moves y by about lr a step whatever the gradient."),
    Scene("rastrigin", "Descent", (("fn", "rastrigin"), ("opt", "sgd"), ("lr", "0.001"), ("x0", "2.2"),
                                   ("y0", "-1.1"), ("scale", "log")),
          "Rastrigin traps gradient descent in a local minimum",
          "Gradient descent only sees the slope where it stands: from (2.2, -1.1) it stops in the nearest dimple "
          "at (1.99, -0.99), f ≈ 4.97, far from the global minimum f = 0 at the origin."),
    Scene("perceptron-single", "Perceptron", (("inputs", "source-single"),),
          "The tutorial's single-output perceptron",
          "loss.shape is torch.Size([]): a scalar, so loss.backward() needs no argument. w.grad matches the printed "
          "values and the hand formula 2 (o − 1) o (1 − o) x_j."),
    Scene("perceptron-multi", "Perceptron", (("inputs", "source-multi"),),
          "The tutorial's two-output perceptron",
          "Loss 0.1992 as printed. The second row of w.grad is about 50× smaller: its output is 0.94, where the "
          "sigmoid is flat, so o (1 − o) is small."),
    Scene("chain-rule", "Chain_Rule", (),
          "The tutorial's chain rule",
          "dy2/dy1 · dy1/dw1 = 2 · 1 = 2 = dy2/dw1, both from torch.autograd.grad. Lengthen the chain or add a "
          "sigmoid: the product of local derivatives still equals the direct one."),
)
