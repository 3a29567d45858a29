"""Landmark smoothing: the One-Euro filter, run forward and backward for offline analysis.

MediaPipe's landmarks jitter by a few pixels at rest and lag when filtered hard. The One-Euro
filter (Casiez et al. 2012) adapts its cut-off to speed: heavy smoothing when still, light when
moving. We average a forward and a backward pass, which cancels the filter's lag (zero phase),
over a whole video and over each window live mode analyses; ``zero_phase=False`` gives the causal
forward pass alone. NaN frames reset the filter: a gap longer than ``max_gap_s`` is never bridged
with made-up positions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from . import kernels
from .identity import SWAPPED_ORDER
from .series import NUM_LANDMARKS, PoseSeries

SMOOTH_BLOCK_FRAMES = 512  # frames prepared (scaled, relabelled) per vectorised step: bounded memory
_SWAPPED_BOTH = np.concatenate([SWAPPED_ORDER, SWAPPED_ORDER + NUM_LANDMARKS])  # image rows, then world rows


class OneEuroFilter:
    """Causal One-Euro filter over arrays of any shape, frame after frame: ``filt(x, t)`` for one
    frame, ``filt.run(frames, times)`` for many at once (``kernels.one_euro_steps``: about 10 us a
    frame as numpy operations, under one compiled, as live mode runs it).
    """

    def __init__(self, min_cutoff_hz: float, beta: float, d_cutoff_hz: float, max_gap_s: float) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self.max_gap_s = max_gap_s
        self.reset()

    def reset(self) -> None:
        self._x = np.empty(0)  # the last estimate and speed per value, and the last frame's time
        self._dx = np.empty(0)
        self._t = np.full(1, np.nan)  # NaN: no frame yet

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(x, float)
        return self.run(x[None], np.array([t], float))[0]

    def run(self, frames: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(N, ...) the filtered ``frames`` (N, ...) at times ``t`` (N,), after the frames before."""
        frames = np.asarray(frames, float)
        flat = np.ascontiguousarray(frames.reshape(len(frames), -1))
        if self._x.shape != flat.shape[1:]:  # the first frames, or values of another shape: start afresh
            self._x, self._dx = np.empty(flat.shape[1]), np.zeros(flat.shape[1])
            self._t[0] = np.nan
        out = np.empty_like(flat)
        kernels.one_euro_steps(flat, np.ascontiguousarray(t, float), float(self.min_cutoff_hz), float(self.beta),
                               float(self.d_cutoff_hz), float(self.max_gap_s), self._x, self._dx, self._t, out)
        return out.reshape(frames.shape)


def _one_pass(read: Callable[[int, int], np.ndarray], t: np.ndarray, params: dict,
              backward: bool = False) -> Iterator[tuple[int, int, np.ndarray]]:
    """One causal pass of the filter over frames ``read(start, stop)`` gives, a block of
    ``SMOOTH_BLOCK_FRAMES`` at a time: ``(start, stop, filtered block)``. The backward pass runs
    on negated times, which increase with the same steps."""
    n, filt = len(t), OneEuroFilter(**params)
    blocks = [(start, min(n, start + SMOOTH_BLOCK_FRAMES)) for start in range(0, n, SMOOTH_BLOCK_FRAMES)]
    for start, stop in reversed(blocks) if backward else blocks:
        x = read(start, stop)
        if backward:
            yield start, stop, filt.run(x[::-1], -t[start:stop][::-1])[::-1]
        else:
            yield start, stop, filt.run(x, t[start:stop])


def _zero_phase(read: Callable[[int, int], np.ndarray], t: np.ndarray, params: dict, zero_phase: bool,
                write: Callable[[int, int, np.ndarray], None], mean_with: Callable[[int, int], np.ndarray]) -> None:
    """The forward pass into ``write``, then (``zero_phase``) the backward one, each block averaged
    with what ``mean_with`` reads back of the forward result: no lag at turning points (offline)."""
    for start, stop, block in _one_pass(read, t, params):
        write(start, stop, block)
    if zero_phase:
        for start, stop, block in _one_pass(read, t, params, backward=True):
            write(start, stop, (block + mean_with(start, stop)) / 2.0)


def one_euro(values: np.ndarray, t: np.ndarray, min_cutoff_hz: float, beta: float,
             d_cutoff_hz: float, max_gap_s: float) -> np.ndarray:
    """Causal One-Euro over axis 0 of ``values`` (T, ...)."""
    return _filtered(values, t, dict(min_cutoff_hz=min_cutoff_hz, beta=beta, d_cutoff_hz=d_cutoff_hz,
                                      max_gap_s=max_gap_s), zero_phase=False)


def zero_phase_one_euro(values: np.ndarray, t: np.ndarray, **params: float) -> np.ndarray:
    """Average of a forward and a time-reversed pass: no lag at turning points (offline only)."""
    return _filtered(values, t, params, zero_phase=True)


def _filtered(values: np.ndarray, t: np.ndarray, params: dict, zero_phase: bool) -> np.ndarray:
    values = np.asarray(values, float)
    out = np.empty_like(values)

    def write(start: int, stop: int, block: np.ndarray) -> None:
        out[start:stop] = block

    _zero_phase(lambda a, b: values[a:b], t, params, zero_phase, write, lambda a, b: out[a:b])
    return out


def smooth_series(series: PoseSeries, *, min_cutoff_hz: float, beta: float, d_cutoff_hz: float, max_gap_s: float,
                  zero_phase: bool = True, relabel: np.ndarray | None = None) -> PoseSeries:
    """Smooth image (x, y, z) and world positions of every landmark; visibility stays as measured.
    The filter's settings are the profile's ``[smoothing]`` (``**profile.section("smoothing")``).

    Filtering happens in pixels (and world millimetres) so ``beta`` means the same at any
    resolution; image and world landmarks go through one filter together, a block of frames at a
    time, written straight into the output arrays: no whole-series temporaries, so smoothing a
    long video costs one copy of its landmarks. ``relabel``: (T,) bool frames whose legs are read
    exchanged (``identity.swap_flags``), so the relabelled series never needs a copy of its own.
    """
    n = len(series)
    if n == 0:
        return series
    w, h = series.image_size
    scale = np.concatenate([np.tile([w, h, w], (NUM_LANDMARKS, 1)), np.full((NUM_LANDMARKS, 3), 1000.0)])
    src_image, src_world = series.image, series.world
    image, world = src_image.copy(), np.empty_like(src_world)
    relabel = np.zeros(n, bool) if relabel is None else np.asarray(relabel, bool)
    if relabel.any():
        image[relabel, :, 3] = image[relabel][:, SWAPPED_ORDER, 3]  # visibility follows its landmark

    def read(start: int, stop: int) -> np.ndarray:
        x = np.concatenate((src_image[start:stop, :, :3], src_world[start:stop]), axis=1) * scale
        swapped = relabel[start:stop]
        x[swapped] = x[swapped][:, _SWAPPED_BOTH]
        return x

    def write(start: int, stop: int, block: np.ndarray) -> None:
        block = block / scale
        image[start:stop, :, :3], world[start:stop] = block[:, :NUM_LANDMARKS], block[:, NUM_LANDMARKS:]

    def written(start: int, stop: int) -> np.ndarray:  # the forward pass's result, in filter units
        return np.concatenate((image[start:stop, :, :3], world[start:stop]), axis=1) * scale

    params = dict(min_cutoff_hz=min_cutoff_hz, beta=beta, d_cutoff_hz=d_cutoff_hz, max_gap_s=max_gap_s)
    _zero_phase(read, series.t, params, zero_phase, write, written)
    return series.with_landmarks(image, world)
