"""Landmark smoothing: the One-Euro filter, run forward and backward for offline analysis.

MediaPipe's landmarks jitter by a few pixels at rest and lag when filtered hard. The One-Euro
filter (Casiez et al. 2012) adapts its cut-off to speed: heavy smoothing when still, light when
moving. Offline we average a forward and a backward pass, which cancels the filter's lag
(zero phase); live mode uses the causal forward pass only. NaN frames reset the filter: a gap
longer than ``max_gap_s`` is never bridged with made-up positions.
"""

from __future__ import annotations

import numpy as np

from .series import PoseSeries


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray:
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, float))
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Causal One-Euro filter over arrays of any shape (one call per frame)."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0,
                 max_gap_s: float = 0.3) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self.max_gap_s = max_gap_s
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(x, float)
        if self._x is None or self._t is None or t - self._t > self.max_gap_s or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        prev = self._x
        # A landmark that was missing restarts from its new value rather than from NaN.
        fresh = np.isnan(prev) & ~np.isnan(x)
        prev = np.where(fresh, x, prev)
        dx = (x - prev) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        dx_hat = np.where(np.isnan(self._dx) | fresh, dx, a_d * dx + (1 - a_d) * self._dx)
        a = _alpha(self.min_cutoff_hz + self.beta * np.abs(dx_hat), dt)
        x_hat = prev + a * (x - prev)  # exact for a constant input
        self._x, self._dx, self._t = x_hat, dx_hat, t
        return x_hat


def one_euro(values: np.ndarray, t: np.ndarray, min_cutoff_hz: float, beta: float,
             d_cutoff_hz: float, max_gap_s: float) -> np.ndarray:
    """Causal One-Euro over axis 0 of ``values`` (T, ...)."""
    filt = OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz, max_gap_s)
    out = np.empty_like(np.asarray(values, float))
    for i in range(len(t)):
        out[i] = filt(values[i], float(t[i]))
    return out


def zero_phase_one_euro(values: np.ndarray, t: np.ndarray, **params: float) -> np.ndarray:
    """Average of a forward and a time-reversed pass: no lag at turning points (offline only)."""
    if len(t) == 0:
        return np.asarray(values, float).copy()
    forward = one_euro(values, t, **params)
    backward = one_euro(values[::-1], (t[-1] - t[::-1]) + t[0], **params)[::-1]
    return (forward + backward) / 2.0


def smooth_series(series: PoseSeries, min_cutoff_hz: float = 1.5, beta: float = 0.05,
                  d_cutoff_hz: float = 1.0, max_gap_s: float = 0.3,
                  zero_phase: bool = True) -> PoseSeries:
    """Smooth image (x, y, z) and world positions of every landmark; visibility stays as measured.

    Filtering happens in pixels (and world millimetres) so ``beta`` means the same at any resolution.
    """
    if len(series) == 0:
        return series
    w, h = series.image_size
    # Pixels and millimetres: one unit scale, so ``beta`` means the same for both; both arrays go
    # through one filter pass together (the per-frame Python loop is the filter's whole cost).
    scale = np.concatenate([np.tile([w, h, w], (33, 1)), np.full((33, 3), 1000.0)])
    xyz = np.concatenate([series.image[:, :, :3], series.world], axis=1) * scale
    params = dict(min_cutoff_hz=min_cutoff_hz, beta=beta, d_cutoff_hz=d_cutoff_hz, max_gap_s=max_gap_s)
    run = zero_phase_one_euro if zero_phase else one_euro
    filtered = run(xyz, series.t, **params) / scale
    image = series.image.copy()
    image[:, :, :3] = filtered[:, :33]
    return series.with_landmarks(image, filtered[:, 33:])
