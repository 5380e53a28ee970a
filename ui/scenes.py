"""Prepared scenes for live demos: each one link to a page with its settings, and what to notice.

A scene's title and notice are catalogue entries with {placeholders}: every number they state is formatted in by
the scene's `facts` from the runs its page draws (or, for the autograd pages, from the same computation), so a
text cannot drift from its run. tests/test_scenes.py checks each number against the run and by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

from ui.plans import tutorial_links
from ui.scene_facts import (
    Facts,
    Ran,
    Runner,
    blow_up_facts,
    chain_facts,
    four_starts_facts,
    momentum_facts,
    perceptron_multi_facts,
    perceptron_single_facts,
    rastrigin_facts,
    rosenbrock_facts,
    saddle_facts,
    settings,
    source_run_facts,
    too_large_lr_facts,
    wiggle_facts,
)

__all__ = ["SCENES", "Scene", "Ran", "Runner", "settings", "stated"]


@dataclass(frozen=True)
class Scene:
    key: str
    page: str  # the page's name (ui/page.page_path gives its script; pages/8_Scenes.py links it in the session)
    params: tuple[tuple[str, str], ...]
    title: str
    notice: str
    facts: Facts | None = None  # the numbers title and notice state, from the scene's runs


def stated(scene: Scene, ran: Ran, runner: Runner) -> dict[str, str]:
    """The numbers the scene's title and notice state ({} for a scene that states none)."""
    return scene.facts(ran, runner) if scene.facts else {}


SCENES: tuple[Scene, ...] = (
    Scene("source-run", "Descent", tutorial_links()[0],
          "The tutorial's run: {optimizer}, lr {lr}, {steps} steps from {start}",
          "The log's line step0 prints x = {x1}: Adam moved each coordinate by about lr = {lr}, though the "
          "gradient there is {grad}. Adam's step is lr · m̂ / (√v̂ + ε), and at the first step m̂ / √v̂ = g / |g| "
          "= ±1 whatever the gradient's size. The tutorial's comment x' = x − lr · ∇f is plain gradient descent, "
          "whose first step would land at {gd}. x is exactly {end} from the log's step {exact} on; f falls from "
          "{f0} to {f_small} by step {k_small} (about {orders} orders of magnitude) and is exactly 0 from step "
          "{zero} on, which the loss curve's log axis cannot draw.",
          source_run_facts),
    Scene("four-starts", "Compare", tutorial_links()[1],
          "The tutorial's four starts reach different minima",
          "Same optimizer ({optimizer}, lr {lr}), four start points in one batched tensor, each to where it ends: "
          "{ends}. Himmelblau has {count} minima, all with f = {fstar}: which one you reach depends only on where "
          "you start.",
          four_starts_facts),
    Scene("too-large-lr", "Descent", (("opt", "sgd"), ("lr", "0.1")),
          "A learning rate too large: SGD diverges",
          "With lr {lr}, the first step from {start} does not overshoot yet: it lands at {p1} and f falls from "
          "{f0} to {f1}, but |∇f| grows from {g0} to {g1}. The second step jumps past the valley to {p2}, where "
          "f = {f2}; step {out} leaves the picture, at {p_out}, and step {diverged} is flagged as diverged.",
          too_large_lr_facts),
    Scene("blow-up", "Descent", (("opt", "sgd"), ("lr", "0.05"), ("x0", "3.1"), ("y0", "2.1"), ("steps", "100"),
                                 ("curv", "true")),
          "Above lr = 2 / λ_max, gradient descent cannot settle at a minimum",
          "At Himmelblau's minimum {minimum} the Hessian's eigenvalues are λ₁ = {l1} and λ₂ = λ_max = {l2}: plain "
          "gradient descent settles there only for lr < 2 / λ_max = {bound}. With lr {lr}, above it, each step near "
          "the minimum multiplies the distance along the most curved direction by |1 − lr · λ_max| = {factor}: "
          "from {start} the distance to the minimum goes {d0}, {d1}, {d2}, the point leaves the valley and step "
          "{diverged} is flagged as diverged. With lr {lr_ok}, below the bound, the same start converges after "
          "{ok_steps} steps. The contour draws the Hessian's directions at the cursor's step, and the readout under "
          "the contour its eigenvalues there: move the cursor to follow them.",
          blow_up_facts),
    Scene("momentum", "Descent", (("opt", "sgd"), ("lr", "0.001"), ("sgd_momentum", "0.95"), ("arrows", "true")),
          "Momentum overshoots into another valley",
          "Plain SGD (lr {lr}) from {start} ends at {plain}. With momentum {momentum} the point passes within "
          "{closest} of {plain} at step {k_close}, but its accumulated velocity carries it on, into another "
          "valley: it ends at {end}.",
          momentum_facts),
    Scene("rosenbrock", "Compare", (("fn", "rosenbrock"), ("runs", "2"), ("steps", "5000"),
                                    ("r1_opt", "sgd"), ("r1_lr", "0.001"), ("r1_x0", "-1.5"), ("r1_y0", "2"),
                                    ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "-1.5"), ("r2_y0", "2"),
                                    ("scale", "log")),
          "Adam against SGD in Rosenbrock's curved valley",
          "SGD drops into the valley fast, then crawls along its flat floor and is still {sgd_distance} from "
          "{minimum} after {steps} steps. Adam rescales each coordinate by its own gradient history and has "
          "converged after {adam_steps} steps.",
          rosenbrock_facts),
    Scene("saddle", "Compare", (("fn", "saddle"), ("runs", "2"), ("steps", "500"),
                                ("r1_opt", "sgd"), ("r1_lr", "0.05"), ("r1_x0", "1"), ("r1_y0", "0.001"),
                                ("r2_opt", "adam"), ("r2_lr", "0.05"), ("r2_x0", "1"), ("r2_y0", "0.001")),
          "Escaping a saddle",
          "On x² − y² the gradient is zero at (0, 0), yet (0, 0) is no minimum: f keeps falling along y. (The "
          "tutorial's comment that a zero gradient means a minimum does not hold at a saddle.) From {start}, each "
          "SGD step (lr {lr}) multiplies x by {fx} and y by {fy}: y grows exponentially from a tiny start. Adam "
          "moves y by {adam_low} to {adam_high} a step from the start, about lr whatever the gradient, so it leaves "
          "the picture first, at step {adam_out} against SGD's {sgd_out}; then SGD's growth outruns it: SGD is "
          "flagged as diverged at step {sgd_diverged}, Adam at step {adam_diverged}.",
          saddle_facts),
    Scene("rastrigin", "Descent", (("fn", "rastrigin"), ("opt", "sgd"), ("lr", "0.001"), ("x0", "2.2"),
                                   ("y0", "-1.1"), ("scale", "log")),
          "Rastrigin traps gradient descent in a local minimum",
          "Gradient descent only sees the slope where it stands: from {start} it stops after {steps} steps in the "
          "nearest dimple, at {end} with f = {f}, far from the global minimum f = {fstar} at {minimum}.",
          rastrigin_facts),
    Scene("perceptron-single", "Perceptron", (("inputs", "source-single"),),
          "The tutorial's single-output perceptron",
          "loss.shape is torch.Size([]): a scalar, so loss.backward() needs no argument. w.grad reproduces the "
          "tutorial's printed values (largest difference {printed}) and equals the hand formula 2 (o − 1) o (1 − o) "
          "x_j (largest difference {diff}).",
          perceptron_single_facts),
    Scene("perceptron-multi", "Perceptron", (("inputs", "source-multi"),),
          "The tutorial's two-output perceptron",
          "Loss {loss}, as printed. The second row of w.grad is {ratio} times smaller than the first. Its output "
          "o = {o1} is already close to the target 1 (the first's is {o0}): its error term (o − 1) is {error} times "
          "smaller, and the sigmoid's slope o (1 − o) there {slope} times smaller. A flat sigmoid stalls learning "
          "when o is near 0 against a target of 1; here the output is nearly right.",
          perceptron_multi_facts),
    Scene("chain-rule", "Chain_Rule", (),
          "The tutorial's chain rule",
          "dy2/dy1 · dy1/dw1 = {d21} · {d1} = {product} = dy2/dw1 = {direct}, each from torch.autograd.grad. "
          "Add layers or a sigmoid: the product of the local derivatives still equals the direct one.",
          chain_facts),
    Scene("minibatches", "Model", (("batch", "8"),),
          "Why minibatches wiggle",
          "The perceptron's loss over its two weights, from {start} with {optimizer} (lr {lr}), {steps} steps: once "
          "on all {size} points, once on minibatches of B = {batch}. Each step's minibatch loss differed from the "
          "full loss at the same point by {gap} on average ({gap_max} at most), and its gradient points off the "
          "full one: the minibatch path strays up to {apart} from the full-batch path (at step {k_apart}) and keeps "
          "jittering near the minimum instead of settling there: over the last epoch it moved {jitter} a step on "
          "average, the full-batch path {still}. At the end the loss over all the points is "
          "{end_mini} where the minibatch path stopped and {end_full} where the full-batch path stopped; its "
          "minimum is {fstar}.",
          wiggle_facts),
)
