"""The update rules the step inspector writes out, against torch's own step: for every hyperparameter that changes
the formula, the written formula shows it, every vector it names equals torch's optimizer state after the step, and
its last number is torch's x_{k+1}."""
import re

import numpy as np
import pytest

from core.optimizers import OPTIMIZERS
from core.run import make_config, run
from core.run.inspector import inspect_step

# (optimizer, hyperparameters, what the written rule must say because of them)
CASES = [
    ("sgd", {"lr": 1e-3}, []),
    ("sgd", {"lr": 1e-3, "weight_decay": 0.1}, [r"g = \nabla f + \lambda x"]),
    ("sgd", {"lr": 1e-3, "momentum": 0.5, "dampening": 0.3}, [r"b_t = \mu b_{t-1} + (1-\tau) g", r"\gamma\,b_t"]),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
     [r"g \leftarrow g + \mu b_t", r"\lambda x"]),
    ("adam", {"lr": 1e-2}, [r"\hat v = v_t/"]),
    ("adam", {"lr": 1e-2, "weight_decay": 0.1}, [r"g = \nabla f + \lambda x"]),
    ("adam", {"lr": 1e-2, "amsgrad": True}, [r"v_t^{\max} = \max(v_{t-1}^{\max}, v_t)", r"\hat v = v_t^{\max}/"]),
    ("adamw", {"lr": 1e-2}, [r"x \leftarrow x_k (1 - \gamma\lambda)"]),  # torch's default weight_decay is 0.01
    ("adamw", {"lr": 1e-2, "weight_decay": 0.5, "amsgrad": True},
     [r"x \leftarrow x_k (1 - \gamma\lambda)", r"\hat v = v_t^{\max}/"]),
    ("adamw", {"lr": 1e-2, "weight_decay": 0.0}, []),
    ("nadam", {"lr": 1e-2}, []),
    ("nadam", {"lr": 1e-2, "weight_decay": 0.1, "momentum_decay": 0.01}, [r"\lambda x"]),
    ("radam", {"lr": 1e-2}, [r"\rho_t"]),
    ("radam", {"lr": 1e-2, "weight_decay": 0.1}, [r"\lambda x"]),
    ("adamax", {"lr": 1e-2}, [r"u_t = \max(\beta_2 u_{t-1}, |g| + \epsilon)"]),
    ("adamax", {"lr": 1e-2, "weight_decay": 0.1, "eps": 0.01}, [r"\lambda x"]),
    ("rmsprop", {}, [r"D = \sqrt{v_t} + \epsilon", r"g / D"]),
    ("rmsprop", {"centered": True}, [r"D = \sqrt{v_t - \bar g_t^2} + \epsilon", r"g / D"]),
    ("rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
     [r"\sqrt{v_t - \bar g_t^2}", r"b_t = \mu b_{t-1} + g/D", r"\lambda x"]),
    ("rmsprop", {"momentum": 0.5}, [r"D = \sqrt{v_t} + \epsilon", r"b_t = \mu b_{t-1} + g/D"]),
    ("adagrad", {"lr": 0.5, "lr_decay": 0.01}, [r"(1 + (t-1)\eta)"]),
    ("adagrad", {"lr": 0.5, "weight_decay": 0.1, "initial_accumulator_value": 2.0}, [r"\lambda x"]),
    ("adadelta", {}, [r"\sqrt{u_{t-1} + \epsilon}"]),
    ("adadelta", {"rho": 0.5, "weight_decay": 0.1}, [r"\lambda x"]),
    ("rprop", {}, []),
    ("rprop", {"etas": (0.3, 1.5), "step_sizes": (1e-4, 0.05)}, []),
    ("asgd", {"t0": 5}, [r"\eta_t"]),
    ("asgd", {"lambd": 0.01, "alpha": 0.5, "weight_decay": 0.1}, [r"(1 - \lambda \eta_t)", r"\lambda x"]),
]

# the symbol a rule writes -> the torch.optim state entry it must equal after the step
STATE = {"m_t": "exp_avg", r"v_t^{\max}": "max_exp_avg_sq", r"\bar g_t": "grad_avg", "s_t": "sum",
         r"\text{step sizes}": "step_size", "b_t": "momentum_buffer", "b_1": "momentum_buffer"}
SECOND = {"adam": "exp_avg_sq", "adamw": "exp_avg_sq", "nadam": "exp_avg_sq", "radam": "exp_avg_sq",
          "rmsprop": "square_avg", "adadelta": "square_avg"}
U = {"adamax": "exp_inf", "adadelta": "acc_delta"}
VECTOR = r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}"


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split(r" \\ ")])


def written(lines: list[str], symbol: str) -> np.ndarray | None:
    """The vector a rule writes for `symbol` where a line or a clause starts with it (None if it writes none)."""
    found = re.search(r"(?:^|\\quad |,\\ )" + re.escape(symbol) + r" = .*?" + VECTOR, "\n".join(lines), re.M)
    return None if found is None else numbers(found.group(1))


def test_no_optimizer_offers_a_hyperparameter_the_rules_ignore():
    """maximize (and decoupled_weight_decay of NAdam/RAdam) are not offered: if one is, its rule must follow."""
    offered = {h.name for spec in OPTIMIZERS.values() for h in spec.hypers}
    assert not offered & {"maximize", "decoupled_weight_decay", "foreach", "capturable", "differentiable"}
    assert {c[0] for c in CASES} == set(OPTIMIZERS) - {"lbfgs"}


@pytest.mark.parametrize("optimizer,hypers,says", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_written_rule_is_torchs_step(optimizer, hypers, says):
    config = make_config(hypers, optimizer=optimizer, starts=[(0.5, -1.0)], steps=40, tol=None)
    traj = run(config)
    for k in (0, 1, 9, 39):
        s = inspect_step(config, k)
        np.testing.assert_array_equal(s.x_next, traj.positions[k + 1, 0].astype(np.float64))
        text = "\n".join(s.lines)
        for phrase in says if k else []:  # the first step may write a shorter form (b_1 = g)
            assert phrase in text, (phrase, s.lines)
        if not hypers.get("weight_decay") and optimizer != "adamw":
            assert r"\lambda x" not in text
        last = re.findall(VECTOR, s.lines[-1])[-1]
        np.testing.assert_allclose(numbers(last), s.x_next, rtol=2e-5, atol=1e-9)
        names = {**STATE, "v_t": SECOND.get(optimizer), "u_t": U.get(optimizer)}
        checked = 0
        for symbol, entry in names.items():
            value = written(s.lines, symbol)
            if value is not None and entry is not None:
                np.testing.assert_allclose(value, s.after[entry], rtol=2e-5, atol=1e-12, err_msg=symbol)
                checked += 1
        assert checked or optimizer in ("sgd", "asgd"), s.lines
