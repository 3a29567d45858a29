"""The front view's sideways trunk lean, on a hand-built figure facing the camera."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.metrics import compute_metrics
from formcheck.profile import load_profile
from formcheck.series import Landmark as L
from formcheck.series import PoseSeries

W = H = 1000


def _facing_the_camera(lean_deg: float, hip_tilt_deg: float, frames: int = 30) -> PoseSeries:
    """A figure facing the camera (its left side on the image's right): hips 120 px apart around
    (500, 550), their line tilted ``hip_tilt_deg`` (the left hip lower for +), the shoulders'
    midpoint 260 px from the hips' along a trunk leaning ``lean_deg`` toward its left."""
    hips = np.array([500.0, 550.0])
    tilt, lean = math.radians(hip_tilt_deg), math.radians(lean_deg)
    shoulders = hips + 260.0 * np.array([math.sin(lean), -math.cos(lean)])
    pts = {L.LEFT_HIP: hips + 60.0 * np.array([math.cos(tilt), math.sin(tilt)]),
           L.RIGHT_HIP: hips - 60.0 * np.array([math.cos(tilt), math.sin(tilt)]),
           L.LEFT_SHOULDER: shoulders + [90.0, 0.0], L.RIGHT_SHOULDER: shoulders - [90.0, 0.0],
           L.NOSE: shoulders + [0.0, -80.0]}
    for side, hip in (("LEFT", L.LEFT_HIP), ("RIGHT", L.RIGHT_HIP)):
        x = pts[hip][0]
        for joint, y in (("KNEE", 750.0), ("ANKLE", 950.0), ("HEEL", 965.0), ("FOOT_INDEX", 975.0)):
            pts[L[f"{side}_{joint}"]] = np.array([x, y])
        pts[L[f"{side}_EAR"]] = pts[L.NOSE] + [25.0 if side == "LEFT" else -25.0, -10.0]
    image = np.full((frames, 33, 4), np.nan)
    for j, (x, y) in pts.items():
        image[:, j] = x / W, y / H, 0.0, 1.0
    return PoseSeries.from_landmarks(image, np.arange(frames) / 30.0, (W, H))


@pytest.mark.parametrize(("lean_deg", "hip_tilt_deg"), [(0, 0), (20, 0), (20, 9), (-15, -9), (0, 12)])
def test_sideways_lean_is_read_against_the_vertical_whatever_the_hips_do(lean_deg, hip_tilt_deg):
    """The hip line tilts as a lunge's back knee drops. Read along it (the measure until this
    test), a 20 deg lean over hips tilted 9 deg came out 11.5 deg, and an upright trunk over hips
    tilted 12 deg leaned -11.8 deg. Read along the image's horizontal it is the lean."""
    metrics = compute_metrics(_facing_the_camera(lean_deg, hip_tilt_deg), load_profile())
    assert metrics.clip_view == "front"
    assert np.nanmedian(metrics["trunk_lean_side_deg"]) == pytest.approx(lean_deg, abs=1e-6)
