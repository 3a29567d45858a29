"""The two loops whole-array numpy cannot express: the One-Euro filter's frame-by-frame update and
a rolling quantile's sliding window. Pure numpy here (the reference); live mode switches the
process to the same loops compiled (``use_compiled``, ``compiled_kernels``).

Why two: live mode re-analyses its last seconds four times a second, and there these loops were
half of each analysis (issue 31); compiled they cost next to nothing. An offline analysis spends
under 1% of its time in them, and loading numba would cost it 0.7 s and 150 MB. The compiled
loops do the same arithmetic, operation for operation: the results are the same to the last bit
(``tests/test_kernels.py``), so which ones ran never changes a report.
"""

from __future__ import annotations

import logging
import math
from types import ModuleType

import numpy as np

log = logging.getLogger(__name__)
QUANTILE_BLOCK_VALUES = 1 << 18  # rolling quantiles sort at most this many values at a time (~2 MB: bounded memory)
_compiled: ModuleType | None = None  # ``compiled_kernels`` once ``use_compiled`` loaded it


def use_compiled() -> bool:
    """Run the loops compiled from now on in this process (numba; compiled on a first run, then
    loaded from its disk cache). False, with the numpy loops kept, where numba cannot be loaded."""
    global _compiled
    if _compiled is None:
        try:
            from . import compiled_kernels
            compiled_kernels.warm_up()
        except Exception as exc:  # no numba for this platform, or its compiler failed: slower, not wrong
            log.warning("the compiled loops could not be loaded (%s): the numpy ones run instead", exc)
            return False
        _compiled = compiled_kernels
    return True


def one_euro_steps(x: np.ndarray, t: np.ndarray, min_cutoff_hz: float, beta: float, d_cutoff_hz: float,
                   max_gap_s: float, state_x: np.ndarray, state_dx: np.ndarray, state_t: np.ndarray,
                   out: np.ndarray) -> np.ndarray:
    """One-Euro filter (Casiez et al. 2012) over the frames of ``x`` (N, D) at times ``t`` (N,)
    into ``out`` (N, D), carrying the filter's state across calls: ``state_x``/``state_dx`` (D,)
    the last estimate and speed, ``state_t`` (1,) the last frame's time (NaN: none yet).

    A frame more than ``max_gap_s`` after the last one, or not after it, restarts the filter at
    its own value. A value whose last estimate is NaN (missing) restarts at rest from the new one.
    """
    loops = _compiled.one_euro_steps if _compiled is not None else _numpy_one_euro_steps
    return loops(x, t, min_cutoff_hz, beta, d_cutoff_hz, max_gap_s, state_x, state_dx, state_t, out)


def _numpy_one_euro_steps(x: np.ndarray, t: np.ndarray, min_cutoff_hz: float, beta: float, d_cutoff_hz: float,
                          max_gap_s: float, state_x: np.ndarray, state_dx: np.ndarray, state_t: np.ndarray,
                          out: np.ndarray) -> np.ndarray:
    """``one_euro_steps`` in numpy: a dozen whole-array operations per frame."""
    for i in range(len(x)):
        ti, tp = float(t[i]), float(state_t[0])
        if math.isnan(tp) or ti - tp > max_gap_s or ti <= tp:
            state_x[:], state_dx[:], out[i], state_t[0] = x[i], 0.0, x[i], ti
            continue
        dt = ti - tp
        prev, d_prev = state_x, state_dx
        missing = np.isnan(prev)
        if missing.any():
            prev = np.where(missing, x[i], prev)
            d_prev = np.where(missing, 0.0, d_prev)
        step = x[i] - prev
        rd = 2.0 * math.pi * d_cutoff_hz * dt
        dx_hat = d_prev + rd / (rd + 1.0) * (step / dt - d_prev)
        r = np.abs(dx_hat)  # in place from here
        r *= beta
        r += min_cutoff_hz
        r *= 2.0 * math.pi * dt  # the speed-adapted cut-off's r; alpha = r / (r + 1)
        step *= r / (r + 1.0)
        state_x[:] = prev + step
        state_dx[:] = dx_hat
        out[i] = state_x
        state_t[0] = ti
    return out


def rolling_quantile_columns(values: np.ndarray, window: int, q: float, out: np.ndarray) -> np.ndarray:
    """Centred rolling ``q``-th percentile of each column of ``values`` (N, D) into ``out``,
    ignoring NaN, the window clipped at the ends; NaN where a window holds no value. Read like
    ``numpy.percentile``'s linear method: between the two values around ``q/100 x (count - 1)``.

    Vectorised: each window is sorted (NaN sorts last) and read at its own valid count, a block of
    rows at a time (``QUANTILE_BLOCK_VALUES``: the sorted windows of a 10-minute video at once were
    most of the analysis' memory).
    """
    loops = _compiled.rolling_quantile_columns if _compiled is not None else _numpy_rolling_quantile_columns
    return loops(values, window, q, out)


def _numpy_rolling_quantile_columns(values: np.ndarray, window: int, q: float, out: np.ndarray) -> np.ndarray:
    """``rolling_quantile_columns`` in numpy (see there)."""
    n = len(values)
    half = window // 2
    padded = np.pad(values, [(half, window - 1 - half), (0, 0)], constant_values=np.nan)
    rows = max(1, QUANTILE_BLOCK_VALUES // (window * max(1, values.shape[1])))
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        windows = np.sort(np.lib.stride_tricks.sliding_window_view(padded[start: stop + window - 1], window, axis=0),
                          axis=-1)
        count = np.sum(~np.isnan(windows), axis=-1)
        pos = (q / 100.0) * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = pos - lo
        low = np.take_along_axis(windows, lo[..., None], axis=-1)[..., 0]
        high = np.take_along_axis(windows, hi[..., None], axis=-1)[..., 0]
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, or a span past the float range
            between = np.where(high == low, low, low + frac * (high - low))
            huge = ~np.isfinite(between) & np.isfinite(low) & np.isfinite(high)
            between = np.where(huge, low * (1 - frac) + high * frac, between)
        out[start:stop] = np.where(count > 0, between, np.nan)
    return out
