"""What the rep stages share: views of frames, NaN-aware reductions, the feet in the image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..metrics import FrameMetrics
from ..profile import Profile
from ..view import view_mode
from .dips import Verdict, _Dip


@dataclass(frozen=True)
class _Candidate:
    dip: _Dip
    bottom: int
    band: np.ndarray
    heel_votes: np.ndarray | None = None  # back-is-left per bottom frame, where only the heels showed the split
    verdicts: tuple[Verdict, ...] = ()  # the gates it passed


def _split_level(metrics: FrameMetrics, band: np.ndarray, profile: Profile) -> float:
    """The ``feet_split`` at which the feet count as split, in its units over ``band``: the toes'
    height gap from the front, the step along travel otherwise."""
    return profile["reps.min_front_split_ratio" if _split_from_front(metrics, band) else "reps.min_step_ratio"]


def _split_from_front(metrics: FrameMetrics, frames: np.ndarray) -> bool:
    """Most of ``frames`` read the feet split as from the front (``feet.split_view``)."""
    return bool(len(frames)) and bool(metrics.feet.split_front[frames].mean() > 0.5)


def _band_view(metrics: FrameMetrics, band: np.ndarray) -> str:
    """The view most frames of a rep's bottom were seen from (the clip's view if none)."""
    return _view_mode(metrics, band, metrics.clip_view)


def _view_mode(metrics: FrameMetrics, frames: np.ndarray, unknown: str) -> str:
    """The view most of ``frames`` were seen from (a tie goes by ``view.VIEWS``' order, so the
    same frames always give the same view); ``unknown`` if none was."""
    return view_mode(metrics.view[frames]) or unknown


def _point_median(points: np.ndarray) -> np.ndarray:
    """(2,) per-coordinate median of (n, 2) points, ignoring unseen ones (NaN if none, silently)."""
    seen = points[~np.isnan(points).any(axis=-1)]
    return np.median(seen, axis=0) if len(seen) else np.full(points.shape[-1], np.nan)


def _nan_max(values: np.ndarray) -> float:
    """Largest seen (non-NaN) value; NaN, without a warning, when there is none."""
    return float(np.nanmax(values)) if len(values) and not np.isnan(values).all() else float("nan")


def _at_least(value: float, minimum: float) -> bool:
    """Unmeasurable (NaN) does not veto a rep; a measured value below the minimum does."""
    return bool(np.isnan(value) or value >= minimum)


def _feet_image(metrics: FrameMetrics, at: np.ndarray | slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """The left and right feet in the floor-fixed image at frames ``at``: the toe tip where seen
    (a foot on its ball keeps it planted), else the ankle."""
    toes, ankles = metrics.feet.toe_image, metrics.feet.ankle_image
    return tuple(np.where(np.isnan(toes[s][at]), ankles[s][at], toes[s][at]) for s in ("left", "right"))
