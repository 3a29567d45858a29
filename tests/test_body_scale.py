"""The person's scale in the frame (metrics._body_scale), with hand-computed values.

Three estimates of one size, each put in leg spans by its 90th percentile over the clip; the
largest wins, because turning a segment toward the camera can only shorten it.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.metrics import _body_scale
from formcheck.points import metric_points
from formcheck.series import Landmark as L


def _frame(thigh: float, shin: float, torso: float, shoulders: float) -> np.ndarray:
    """One frame's pixels: both legs alike, hips 40 px apart, shoulders centred above them."""
    px = np.zeros((33, 2))
    for hip, knee, ankle, x in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, 120.0),
                                (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, 80.0)):
        px[hip] = (x, 300.0)
        px[knee] = (x, 300.0 + thigh)
        px[ankle] = (x, 300.0 + thigh + shin)
    px[L.LEFT_SHOULDER] = (100.0 + shoulders / 2, 300.0 - torso)
    px[L.RIGHT_SHOULDER] = (100.0 - shoulders / 2, 300.0 - torso)
    return px


def test_upright_frames_agree_and_a_foreshortened_leg_is_outvoted():
    # 9 upright frames: leg span 200 + 200 = 400, torso 250, shoulders 150 -> all scale to 400
    upright = [_frame(200.0, 200.0, 250.0, 150.0)] * 9
    # a lunge's bottom from the front: thigh seen at 60 px, torso and shoulders unchanged
    bottom = _frame(60.0, 200.0, 250.0, 150.0)
    px = np.stack(upright + [bottom])
    front = np.ones(10, bool)
    scale = _body_scale(metric_points(px), front)
    assert scale[:9] == pytest.approx(400.0)
    assert scale[9] == pytest.approx(400.0)  # leg span reads 260; torso 250 * 400/250 = 400 wins


def test_stepping_closer_scales_every_estimate_alike():
    near = _frame(220.0, 220.0, 275.0, 165.0)  # 10% bigger: 440 by every estimate
    px = np.stack([_frame(200.0, 200.0, 250.0, 150.0)] * 9 + [near])
    scale = _body_scale(metric_points(px), np.ones(10, bool))
    # the 90th percentiles sit on the upright frames (400, 250, 150), so the near frame is 440
    assert scale[9] == pytest.approx(440.0)


def test_shoulders_count_only_where_they_face_the_camera():
    # the torso leans toward the camera (reads 200) and the thigh is foreshortened (reads 60):
    # only the shoulder width still shows the full size, and it is trusted where the shoulders
    # face the camera (front and oblique views), not from the side
    px = np.stack([_frame(200.0, 200.0, 250.0, 150.0)] * 9 + [_frame(60.0, 200.0, 200.0, 150.0)])
    assert _body_scale(metric_points(px), np.ones(10, bool))[9] == pytest.approx(400.0)
    side = np.zeros(10, bool)
    assert _body_scale(metric_points(px), side)[9] == pytest.approx(max(260.0, 200.0 * 400.0 / 250.0))  # 320
