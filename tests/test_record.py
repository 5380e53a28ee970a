"""The stop check (core/run/record.py StopState) against the rule written out once in numpy over the whole path:
where each row first leaves the finite numbers or the escape radius (diverged, ended a step before) or has both
|gradient| and its last move within tol (converged). The check screens each chunk by every row's least and
greatest values before it looks at single steps: paths full of rare events (NaN, inf, sums that overflow, points
on the radius, gradients and moves just around tol, and underflowing to zero) must find the same steps."""
import numpy as np
import pytest
import torch

from core.run import compiled
from core.run.config import Reason
from core.run.record import CHUNK, StopState
from core.run.record import screen as screen_eager

RADIUS = 60.0


def events(shape: tuple, rng: np.random.Generator, dtype: np.dtype, tol: float) -> tuple[np.ndarray, ...]:
    """A path of positions, f and gradients [n, K(, 2)] with rare events sprinkled over ordinary values."""
    n, k = shape
    big = np.finfo(dtype).max
    scale = tol or float(np.sqrt(np.finfo(dtype).smallest_subnormal))  # tol, or where squares underflow to 0
    moves = rng.normal(0, 0.5, (n, k, 2)).astype(dtype)
    still = rng.random((n, k, 1)) < 0.05  # moves within tol, or underflowing
    moves = np.where(still, (rng.normal(0, scale, (n, k, 2)) * rng.choice([0.5, 1, 2, 1e-10], (n, k, 1)))
                     .astype(dtype), moves)
    x = np.cumsum(moves, axis=0, dtype=dtype) + rng.uniform(-40, 40, (1, k, 2)).astype(dtype)
    x[rng.random((n, k)) < 0.002] = RADIUS * np.array([1.0, -1.0], dtype=dtype)  # on the radius: not past it
    x[rng.random((n, k)) < 0.002, 1] = np.nextafter(dtype.type(-RADIUS), dtype.type(-np.inf))
    g = (rng.choice([-1, 1], (1, k, 2)) * (5 + np.abs(rng.normal(0, 10, (n, k, 2))))).astype(dtype)  # no sign change
    small = rng.random((n, k)) < 0.05
    g[small] = (rng.normal(0, scale, (small.sum(), 2)) * rng.choice([0.5, 0.7, 1.5, 1e-10], (small.sum(), 1)))
    f = rng.uniform(0, 100, (n, k)).astype(dtype)
    over = rng.random((n, k)) < 0.002  # each finite and below max / 2, but f + gradient overflows
    f[over], g[over] = big / 2.9, big / 2.9
    f[rng.random((n, k)) < 0.002] = big / 3  # alone: finite
    f[rng.random((n, k)) < 0.001] = np.nan
    g[rng.random((n, k)) < 0.001, 1] = -np.inf
    x[rng.random((n, k)) < 0.001, 0] = np.nan
    return x, f, g


def reference(x: np.ndarray, f: np.ndarray, g: np.ndarray, x0: np.ndarray, tol: float | None):
    """Each row's end step and reason by the rule, over the whole path at once (no chunks, no screen)."""
    with np.errstate(all="ignore"):
        total = f + g[..., 0] + g[..., 1] + x[..., 0] + x[..., 1]
        bad = ~np.isfinite(total) | (np.abs(x) > RADIUS).any(-1)
        conv = np.zeros_like(bad)
        if tol is not None:
            d = x - np.concatenate([x0[None], x[:-1]])
            t2 = x.dtype.type(tol * tol)
            conv = ((g[..., 0] * g[..., 0] + g[..., 1] * g[..., 1]) <= t2) & ((d[..., 0] * d[..., 0] + d[..., 1]
                                                                                * d[..., 1]) <= t2)
            conv[0] = False
    ends, reasons = [], []
    for row in range(x.shape[1]):
        hits = np.flatnonzero(bad[:, row] | conv[:, row])
        if not hits.size:
            ends.append(-1)
            reasons.append(Reason.MAX_STEPS)
        elif bad[hits[0], row]:
            ends.append(max(hits[0] - 1, 0))
            reasons.append(Reason.DIVERGED)
        else:
            ends.append(hits[0])
            reasons.append(Reason.CONVERGED)
    return np.array(ends), reasons


@pytest.fixture(scope="module", autouse=True)
def compiled_only_here():
    """The screens compiled here serve this module only: the rest of the suite tests the eager path."""
    yield
    compiled._screens.clear()


@pytest.fixture(params=["eager", "compiled"])
def screen(request):
    """The stop screen as it runs: eager, or compiled for full chunks (skipped without a C++ compiler)."""
    before = compiled.enabled(request.param == "compiled")
    if request.param == "compiled" and any(compiled.build_screen(d) is None for d in (torch.float32, torch.float64)):
        compiled.enabled(before)
        pytest.skip("no C++ compiler: the screen runs eagerly")
    yield request.param
    compiled.enabled(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tol", [None, 0.0, 1e-4, 0.3])
def test_chunked_screened_stop_check_finds_what_the_rule_finds(dtype, tol, screen):
    rng = np.random.default_rng(7)
    n, k = 3 * CHUNK + 17, 1500
    x, f, g = events((n, k), rng, np.dtype(dtype), tol or 0.0)
    x[0] = x[1]  # step 0's point is the start: no move to judge there
    want_end, want_reason = reference(x, f, g, x[0], tol)
    state = StopState(k, tol, RADIUS)
    bounds = [0, 1, CHUNK + 1, 2 * CHUNK + 1, 2 * CHUNK + 5, n]  # full chunks, uneven ones, one of a single step
    X, F, G = torch.from_numpy(x), torch.from_numpy(f), torch.from_numpy(g)
    for lo, hi in zip(bounds, bounds[1:]):
        state.update(X[max(lo - 1, 0)], X[lo:hi], F[lo:hi], G[lo:hi], lo)
    assert np.array_equal(state.end, want_end) and state.reason == want_reason
    counts = {r: want_reason.count(r) for r in Reason}
    assert counts[Reason.DIVERGED] > 50 and counts[Reason.MAX_STEPS] > 5  # the comparison has cases of each
    assert tol is None or counts[Reason.CONVERGED] > 5


def test_compiled_screen_is_the_eager_screen_bit_for_bit():
    """The compiled screen's mask equals the eager one on chunks full of rare events, both dtypes, several K."""
    if compiled.compiler() is None:
        pytest.skip("no C++ compiler")
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        fast = compiled.build_screen(torch.from_numpy(np.zeros(1, dtype)).dtype)
        for k, tol in ((2, 1e-4), (17, None), (1500, 0.3)):
            x, f, g = (torch.from_numpy(a) for a in events((CHUNK, k), rng, np.dtype(dtype), tol or 0.0))
            limits = StopState(k, tol, RADIUS).limits(x.dtype)
            want = screen_eager(x, f, g, limits)
            assert torch.equal(fast(x, f, g, limits), want)
            assert k < 1500 or 0 < want.sum() < k  # both kinds of row in the big chunk
