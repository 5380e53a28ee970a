"""What the floor pages share: learning rates for the slider and a plain numpy descent on Himmelblau's function."""
import numpy as np

LRS = [float(f"{m}e{e}") for e in range(-6, 1) for m in (1, 2, 5)]  # 1-2-5 per decade, like the app's lr


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def descend(lr: float, steps: int = 2000) -> np.ndarray:
    """Gradient descent from (0, 0), the gradient by hand: [steps + 1, 2] (held once it stops being finite)."""
    p = np.zeros((steps + 1, 2))
    for k in range(steps):
        x, y = p[k]
        a, b = x**2 + y - 11, x + y**2 - 7
        step = p[k] - lr * np.array([4 * a * x + 2 * b, 2 * a + 4 * b * y])
        p[k + 1] = step if np.isfinite(step).all() and np.abs(step).max() < 1e6 else p[k]
    return p
