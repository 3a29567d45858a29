"""What the metrics take from the pose series before smoothing, once the legs are named: the
ankles (whether the feet are still) and the mirror pass's second opinion (its knees, and where
it put the legs elsewhere). Only this is kept, so the unsmoothed landmarks can be freed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .identity import leg_distances, runs_disagree
from .knee_readings import mirrored_knee_flexion_deg
from .points import raw_ankle_pixels
from .series import PoseSeries


@dataclass(frozen=True)
class RawEvidence:
    """What the metrics take from the series before smoothing, once the legs are named
    (``raw_evidence``); only this is kept, so the unsmoothed landmarks can be freed.

    Attributes:
        ankles_px: (T, 2, 2) left and right ankle in pixels: whether the feet are still is judged
            on them, since a filter would blend the legs across a swap and move still feet.
        mirrored_knees_deg: (T, 2) the mirror pass's left and right knee flexion (all NaN without one).
        runs_disagree: (T,) bool: the mirror pass put the legs elsewhere (all False without one).
    """

    ankles_px: np.ndarray
    mirrored_knees_deg: np.ndarray
    runs_disagree: np.ndarray


def raw_evidence(series: PoseSeries, relabel: np.ndarray, min_visibility: float, disagree_shins: float) -> RawEvidence:
    """The ``RawEvidence`` of a raw series whose legs ``relabel`` (``identity.swap_flags``) exchanges."""
    ankles = raw_ankle_pixels(series, min_visibility)
    ankles[relabel] = ankles[relabel][:, ::-1]
    distances = leg_distances(series) if series.mirrored is not None else None
    return RawEvidence(ankles, mirrored_knee_flexion_deg(series, relabel, min_visibility, distances),
                       runs_disagree(series, disagree_shins, distances))
