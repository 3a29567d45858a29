"""Live setup: is the whole person in view, and have they stood still long enough to calibrate?

Pure numpy on normalised image landmarks (no OpenCV, no MediaPipe), so it is tested with
hand-built skeletons. The calibration stand is the baseline every live analysis is read
against: its frames are put in front of each analysis window, so the standing hip height,
leg length and body scale the metrics normalise by come from it (see ``live.session``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import geometry as g
from ..profile import Profile
from ..series import Landmark as L

# what must be in the frame, and the hint that asks for it; from the side the far leg is hidden
# behind the near one, so one of each pair being seen is enough, but all must lie inside the frame
NEEDED = (
    ((L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX), "Step back: feet out of frame"),
    ((L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "Step back: head out of frame"),
)
NO_PERSON = "Step into view"
HOLD_STILL = "Stand still, feet hip-width apart"


@dataclass(frozen=True)
class Calibration:
    """The person's standing baseline, from ``first``..``last`` (inclusive frame indices)."""

    first: int
    last: int
    t_start: float
    t_end: float
    leg_length_px: float
    hip_width_px: float
    stance_width_ratio: float  # ankle distance in hip-joint widths, as the stance check reads it (front views)
    trunk_lean_deg: float  # image tilt of hips -> shoulders from vertical, standing

    def to_dict(self) -> dict:
        return {k: round(float(v), 3) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def frame_hint(image_lm: np.ndarray, min_visibility: float) -> str:
    """The setup problem of one frame ((33, 4) normalised landmarks), or "" when all is in view."""
    if np.isnan(image_lm[:, 0]).all():
        return NO_PERSON
    for points, hint in NEEDED:
        p = image_lm[list(points)]
        inside = (p[:, 0] >= 0) & (p[:, 0] <= 1) & (p[:, 1] >= 0) & (p[:, 1] <= 1)
        if not inside.all() or not (np.nan_to_num(p[:, 3]) >= min_visibility).any():
            return hint
    return ""


def _leg_length(px: np.ndarray) -> np.ndarray:
    legs = [g.distance(px[:, h], px[:, k]) + g.distance(px[:, k], px[:, a])
            for h, k, a in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE))]
    return np.fmax(*legs)


def try_calibrate(image_lm: np.ndarray, t: np.ndarray, image_size: tuple[int, int], first: int,
                  profile: Profile) -> tuple[Calibration | None, str]:
    """Calibrate from the last ``live.calibration_s`` of frames, or say what is missing.

    ``image_lm``: (N, 33, 4) the most recent frames (at least the calibration span), ``first``:
    the index of ``image_lm[0]`` in the session. Returns (calibration or None, hint).
    """
    span = t >= t[-1] - profile["live.calibration_s"]
    frame_s = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    if t[-1] - t[0] + frame_s < profile["live.calibration_s"]:  # not yet the whole span (a frame short is timing)
        span[:] = False
    hints = [frame_hint(f, profile["pose.min_visibility"]) for f in image_lm[-1:]]
    if hints[0]:
        return None, hints[0]
    if not span.any():
        return None, HOLD_STILL
    lm = image_lm[span]
    if any(frame_hint(f, profile["pose.min_visibility"]) for f in lm):
        return None, HOLD_STILL
    px = lm[:, :, :2] * np.asarray(image_size, float)
    leg = float(np.median(_leg_length(px)))
    moving = [px[:, j] for j in (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ANKLE, L.RIGHT_ANKLE)]
    drift = max(float(np.max(g.distance(p, np.median(p, axis=0)))) for p in moving) / leg
    knees = np.fmax(g.flexion_deg(px[:, L.LEFT_HIP], px[:, L.LEFT_KNEE], px[:, L.LEFT_ANKLE]),
                    g.flexion_deg(px[:, L.RIGHT_HIP], px[:, L.RIGHT_KNEE], px[:, L.RIGHT_ANKLE]))
    if drift > profile["live.calibration_still_ratio"] or np.max(knees) > profile["live.calibration_max_knee_deg"]:
        return None, HOLD_STILL
    hips = g.distance(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP])
    ankles = g.distance(px[:, L.LEFT_ANKLE], px[:, L.RIGHT_ANKLE])
    hip_mid = g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP])
    shoulder_mid = g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER])
    idx = np.flatnonzero(span)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = profile["pose.hip_landmark_spread_ratio"]  # hip-joint widths, as the check reads them
        stance = float(np.median(ankles / hips)) * spread
    return Calibration(first + int(idx[0]), first + int(idx[-1]), float(t[idx[0]]), float(t[idx[-1]]), leg,
                       float(np.median(hips)), stance,
                       float(np.median(g.tilt_from_vertical_deg(hip_mid, shoulder_mid)))), ""
