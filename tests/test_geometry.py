"""Unit tests for formcheck.geometry with hand-computed expected values.

Image coordinates throughout: x grows to the right, y grows DOWN the screen.
Constants used in the hand computations below:
    sqrt(2) = 1.41421356, sqrt(3) = 1.73205081
    atan(3/4) = 36.8698976 deg, atan(4/3) = 53.1301024 deg (3-4-5 triangle)
    acos(1/sqrt(3)) = 54.7356103 deg (angle between a cube's edge and its diagonal)
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from formcheck import geometry as g

SQRT2 = math.sqrt(2.0)
SQRT3 = math.sqrt(3.0)
ATAN_3_4 = 36.86989764584402  # atan(3/4) in degrees
ATAN_4_3 = 53.13010235415598  # atan(4/3) in degrees
NAN = float("nan")


def a(*xs: float) -> np.ndarray:
    return np.array(xs, dtype=float)


@contextmanager
def no_warnings():
    """Turn every warning into an error: proves no RuntimeWarning escapes to the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # numpy's user-facing defaults (warn on divide/overflow/invalid), turned into errors above
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            yield


# --------------------------------------------------------------------------------------- norm


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (a(3, 4), 5.0),  # 3-4-5 triangle: sqrt(9 + 16) = 5
        (a(-3, -4), 5.0),  # signs do not matter
        (a(1, 2, 2), 3.0),  # sqrt(1 + 4 + 4) = 3
        (a(2, 3, 6), 7.0),  # sqrt(4 + 9 + 36) = 7
        (a(1, 1), SQRT2),  # unit-square diagonal
        (a(0, 0), 0.0),
        (a(0, 0, 0), 0.0),
    ],
)
def test_norm_hand_values(v, expected):
    assert g.norm(v) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_norm_broadcasts_over_frames_and_landmarks():
    # T=2 frames x 3 landmarks; lengths picked from Pythagorean triples.
    v = np.array([[[3, 4], [5, 12], [0, 0]],
                  [[8, 15], [6, 8], [-7, 24]]], dtype=float)
    out = g.norm(v)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, [[5, 13, 0], [17, 10, 25]], rtol=1e-12)


def test_norm_nan_in_nan_out():
    with no_warnings():
        out = g.norm(np.array([[3, NAN], [NAN, NAN], [3, 4]]))
    assert np.isnan(out[0]) and np.isnan(out[1])
    assert out[2] == 5.0


def test_norm_large_coordinates():
    # 3-4-5 scaled by 1e6 (pixels of a huge canvas) and by 1e100 (still no overflow: 1e200 < 1.8e308).
    assert g.norm(a(3e6, 4e6)) == pytest.approx(5e6, rel=1e-12)
    assert g.norm(a(3e100, 4e100)) == pytest.approx(5e100, rel=1e-12)


# ----------------------------------------------------------------------------- distance, midpoint


def test_distance_2d_and_3d():
    # (1,1)->(4,5): d = (3,4) -> 5
    assert g.distance(a(1, 1), a(4, 5)) == pytest.approx(5.0)
    # (1,2,3)->(3,5,9): d = (2,3,6) -> sqrt(4+9+36) = 7
    assert g.distance(a(1, 2, 3), a(3, 5, 9)) == pytest.approx(7.0)
    # symmetric
    assert g.distance(a(4, 5), a(1, 1)) == pytest.approx(5.0)
    assert g.distance(a(2, 2), a(2, 2)) == 0.0


def test_distance_accepts_lists_and_broadcasts():
    # (T=3, 2) points against one fixed point (0,0) given as a list.
    pts = np.array([[3, 4], [6, 8], [-5, 12]], dtype=float)
    np.testing.assert_allclose(g.distance([0, 0], pts), [5, 10, 13])
    # (T=2, K=2, 3) against (3,)
    pts3 = np.array([[[1, 2, 2], [2, 3, 6]], [[0, 0, 0], [2, 6, 9]]], dtype=float)
    out = g.distance(pts3, a(0, 0, 0))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[3, 7], [0, 11]])  # sqrt(4+36+81) = 11


def test_distance_nan():
    with no_warnings():
        assert np.isnan(g.distance(a(NAN, 0), a(1, 1)))
        assert np.isnan(g.distance(a(0, 0, 0), a(1, 1, NAN)))


def test_distance_large_coordinates_small_difference():
    # Two points 1e8 px from the origin, 3-4-5 apart: float64 keeps integers exact to 2**53.
    p = a(1e8, 1e8)
    assert g.distance(p, p + a(3, 4)) == pytest.approx(5.0, abs=1e-6)


def test_midpoint():
    np.testing.assert_allclose(g.midpoint(a(0, 0), a(4, 6)), [2, 3])
    np.testing.assert_allclose(g.midpoint(a(-1, 2, 3), a(3, 4, -5)), [1, 3, -1])
    pts = np.array([[0, 0], [2, 2]], dtype=float)
    np.testing.assert_allclose(g.midpoint(pts, a(2, 0)), [[1, 0], [2, 1]])
    out = g.midpoint(a(NAN, 2), a(4, 6))
    assert np.isnan(out[0]) and out[1] == 4.0


# ----------------------------------------------------------------------------- angle_between_deg


@pytest.mark.parametrize(
    ("u", "v", "expected"),
    [
        (a(1, 0), a(0, 1), 90.0),
        (a(1, 0), a(1, 1), 45.0),  # diagonal of a unit square
        (a(1, 0), a(-1, 0), 180.0),
        (a(1, 0), a(5, 0), 0.0),  # same direction, different lengths
        (a(1, 0), a(1, SQRT3), 60.0),  # 30-60-90 triangle: tan(60) = sqrt(3)
        (a(1, 0), a(SQRT3, 1), 30.0),  # tan(30) = 1/sqrt(3)
        (a(1, 0), a(-1, SQRT3), 120.0),  # 180 - 60
        (a(4, 0), a(4, 3), ATAN_3_4),  # 3-4-5 triangle
        (a(0, 3), a(4, 3), ATAN_4_3),
        (a(1, 0, 0), a(0, 0, 1), 90.0),
        (a(1, 0, 0), a(1, 1, 1), 54.7356103172453),  # acos(1/sqrt(3))
        (a(1, 1, 0), a(-1, -1, 0), 180.0),
    ],
)
def test_angle_between_hand_values(u, v, expected):
    # 1e-5 deg: arccos of a cosine rounded to 1 ulp below +-1 (e.g. |(1,1)|^2 = 2.0000000000000004) is
    # ~1.2e-6 deg off at 0 and 180 deg; far below anything a form check resolves.
    assert g.angle_between_deg(u, v) == pytest.approx(expected, abs=1e-5)
    # unsigned and symmetric
    assert g.angle_between_deg(v, u) == pytest.approx(expected, abs=1e-5)


def test_angle_between_is_scale_invariant_at_large_coordinates():
    # 60 deg (30-60-90 triangle) with vectors 1e6 and 1e100 long.
    assert g.angle_between_deg(a(1e6, 0), a(1e6, SQRT3 * 1e6)) == pytest.approx(60.0, abs=1e-9)
    assert g.angle_between_deg(a(1e100, 0), a(1e100, SQRT3 * 1e100)) == pytest.approx(60.0, abs=1e-9)


def test_angle_between_broadcasts():
    # (T=2, K=3, 2) against one reference (1, 0).
    u = np.array([[[1, 0], [0, 1], [-1, 0]],
                  [[1, 1], [0, -2], [1, SQRT3]]], dtype=float)
    out = g.angle_between_deg(u, a(1, 0))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, [[0, 90, 180], [45, 90, 60]], atol=1e-6)


@pytest.mark.parametrize(
    ("u", "v"),
    [
        (a(0, 0), a(1, 0)),
        (a(1, 0), a(0, 0)),
        (a(0, 0), a(0, 0)),
        (a(0, 0, 0), a(1, 2, 3)),
        (a(NAN, 0), a(1, 0)),
        (a(1, 0), a(NAN, NAN)),
        (a(1, 0, NAN), a(1, 0, 0)),
    ],
)
def test_angle_between_zero_or_nan_is_nan_without_warning(u, v):
    with no_warnings():
        out = g.angle_between_deg(u, v)
    assert np.isnan(out)


def test_angle_between_mixed_batch_keeps_good_values():
    # Zero vector in the middle of a batch must not spoil its neighbours.
    u = np.array([[1, 0], [0, 0], [NAN, 1], [0, 1]], dtype=float)
    with no_warnings():
        out = g.angle_between_deg(u, a(1, 0))
    assert out[0] == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(out[1]) and np.isnan(out[2])
    assert out[3] == pytest.approx(90.0)


# ------------------------------------------------------------------------- joint angle, flexion


def test_joint_angle_30_60_90_triangle():
    # P=(0,0), Q=(sqrt3,0), R=(0,1): legs 1 and sqrt3, hypotenuse 2.
    # angle at P = 90, at Q = asin(1/2) = 30, at R = 60.
    p, q, r = a(0, 0), a(SQRT3, 0), a(0, 1)
    assert g.joint_angle_deg(q, p, r) == pytest.approx(90.0)
    assert g.joint_angle_deg(p, q, r) == pytest.approx(30.0)
    assert g.joint_angle_deg(p, r, q) == pytest.approx(60.0)
    # angles of a triangle add to 180
    total = g.joint_angle_deg(q, p, r) + g.joint_angle_deg(p, q, r) + g.joint_angle_deg(p, r, q)
    assert total == pytest.approx(180.0)


def test_joint_angle_3_4_5_triangle_and_order_of_ends():
    # P=(0,0), Q=(4,0), R=(0,3): angle at Q = atan(3/4), at R = atan(4/3).
    p, q, r = a(0, 0), a(4, 0), a(0, 3)
    assert g.joint_angle_deg(p, q, r) == pytest.approx(ATAN_3_4)
    assert g.joint_angle_deg(r, q, p) == pytest.approx(ATAN_3_4)  # a and c swap freely
    assert g.joint_angle_deg(p, r, q) == pytest.approx(ATAN_4_3)


def test_joint_angle_3d():
    # Right angle at the origin between the x and z axes, with a 3-D offset added to all points.
    off = a(10, -20, 30)
    assert g.joint_angle_deg(a(2, 0, 0) + off, off, a(0, 0, 5) + off) == pytest.approx(90.0)
    # Cube: edge (1,0,0) vs diagonal (1,1,1) -> acos(1/sqrt3) = 54.7356 deg
    assert g.joint_angle_deg(a(1, 0, 0), a(0, 0, 0), a(1, 1, 1)) == pytest.approx(54.7356103172453)


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "expected"),
    [
        (a(0, 0), a(0, 1), a(0, 2), 0.0),  # straight leg
        (a(0, 0), a(0, 5), a(0, 7), 0.0),  # straight, unequal segments
        (a(0, 0), a(0, 1), a(1, 1), 90.0),  # right angle
        (a(0, 0), a(0, 1), a(0, 0), 180.0),  # fully folded: ankle back on the hip
        (a(0, 0), a(0, 2), a(SQRT3, 3), 60.0),  # shin (sqrt3, 1) is 60 deg off the thigh line (0, 1)
        (a(0, 0), a(0, 2), a(1, 2 + SQRT3), 30.0),  # shin (1, sqrt3): 30 deg off
        (a(0, 0), a(3, 4), a(0, 8), 2 * ATAN_3_4),  # isosceles 3-4-5 "knee": 180 - acos(-7/25) = 73.74
        (a(0, 0, 0), a(0, 1, 0), a(0, 1, 1), 90.0),  # 3-D: shin along z
    ],
)
def test_flexion_hand_values(hip, knee, ankle, expected):
    assert g.flexion_deg(hip, knee, ankle) == pytest.approx(expected, abs=1e-6)


def test_flexion_broadcasts_over_frames():
    # Frame k: thigh from knee to hip is (0,-2), shin from knee to ankle is 3*(sin phi_k, cos phi_k),
    # so the inner angle is 180 - phi_k and the flexion is phi_k by construction.
    phis = np.array([0.0, 30.0, 45.0, 60.0, 90.0, 120.0])
    knee = np.array([[100.0 + 10 * k, 200.0] for k in range(len(phis))])
    hip = knee + a(0, -2)
    rad = np.radians(phis)
    ankle = knee + 3 * np.stack([np.sin(rad), np.cos(rad)], axis=-1)
    out = g.flexion_deg(hip, knee, ankle)
    assert out.shape == (6,)
    np.testing.assert_allclose(out, phis, atol=1e-6)


def test_flexion_broadcasts_frames_by_landmarks():
    # (T=2, K=2, 2): every landmark "knee" is a right angle, except [1, 1] which is straight.
    hip = np.zeros((2, 2, 2))
    knee = np.broadcast_to(a(0, 1), (2, 2, 2)).copy()
    ankle = np.broadcast_to(a(1, 1), (2, 2, 2)).copy()
    ankle[1, 1] = a(0, 2)
    out = g.flexion_deg(hip, knee, ankle)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[90, 90], [90, 0]], atol=1e-6)


def test_flexion_nan_and_zero_length_segments():
    with no_warnings():
        assert np.isnan(g.flexion_deg(a(NAN, 0), a(0, 1), a(0, 2)))  # missing hip
        assert np.isnan(g.flexion_deg(a(0, 0), a(0, 1), a(0, NAN)))  # missing ankle
        assert np.isnan(g.flexion_deg(a(0, 0), a(0, 0), a(0, 2)))  # hip on the knee
        assert np.isnan(g.flexion_deg(a(0, 0), a(0, 2), a(0, 2)))  # ankle on the knee
        assert np.isnan(g.joint_angle_deg(a(1, 1), a(1, 1), a(1, 1)))


def test_flexion_large_coordinates():
    # Right angle 1e7 px from the origin with 1e6 px segments.
    base = a(1e7, 1e7)
    assert g.flexion_deg(base, base + a(0, 1e6), base + a(1e6, 1e6)) == pytest.approx(90.0, abs=1e-9)


# ------------------------------------------------------------------ flexion from segment lengths


def test_flexion_from_lengths_in_the_picture_is_the_2d_flexion():
    a = np.array
    # both segments as long as standing: nothing points out of the picture
    assert g.flexion_from_lengths_deg(a([0.0, 0.0]), a([0.0, 1.0]), a([1.0, 1.0]), a(1.0), a(1.0)) \
        == pytest.approx(90.0, abs=1e-9)
    # seen longer than standing (landmark noise): taken as in the picture, not as NaN
    assert g.flexion_from_lengths_deg(a([0.0, 0.0]), a([0.0, 1.1]), a([1.0, 1.1]), a(1.0), a(1.0)) \
        == pytest.approx(90.0, abs=1e-9)


def test_flexion_from_lengths_recovers_a_leg_turned_out_of_the_picture():
    """Thigh (0.5, 1) and shin (-0.3, 1) seen; in 3-D each has depth 1.5 x its sideways part
    (a sagittal plane turned 34 deg from the camera): thigh (0.5, 1, 0.75), shin (-0.3, 1,
    -0.45), full lengths sqrt(1.8125) and sqrt(1.2925). Their angle: cos = (-0.15 + 1 - 0.3375)
    / sqrt(1.8125 * 1.2925) = 0.5125 / 1.53056, 70.44 deg; the 2-D angle alone,
    acos(0.85 / sqrt(1.25 * 1.09)), reads 43.26."""
    a = np.array
    hip, knee, ankle = a([0.0, 0.0]), a([0.5, 1.0]), a([0.2, 2.0])
    full_thigh, full_shin = a(math.sqrt(1.8125)), a(math.sqrt(1.2925))
    expected = math.degrees(math.acos(0.5125 / math.sqrt(1.8125 * 1.2925)))
    assert expected == pytest.approx(70.44, abs=0.01)
    assert g.flexion_from_lengths_deg(hip, knee, ankle, full_thigh, full_shin) == pytest.approx(expected, abs=1e-9)
    assert g.flexion_deg(hip, knee, ankle) == pytest.approx(43.26, abs=0.01)
    # vectorised over frames, a missing point gives NaN for that frame only
    pts = np.stack([np.stack([hip, knee, ankle]), np.stack([hip, a([np.nan, 1.0]), ankle])])
    out = g.flexion_from_lengths_deg(pts[:, 0], pts[:, 1], pts[:, 2], full_thigh, full_shin)
    assert out[0] == pytest.approx(expected, abs=1e-9) and np.isnan(out[1])


def test_flexion_from_reach_by_the_law_of_cosines():
    """Thigh 3 and shin 4: hip to ankle 5 is a right angle (3-4-5), 7 a straight leg, 1 the
    limit of a fully bent one (inner angle 0, flexion 180); sqrt(37) = |3 - 4 e^(i 120 deg)|
    is an inner angle of 120 deg, flexion 60."""
    a = np.array
    hip = a([0.0, 0.0])
    ankles = a([[3.0, 4.0], [0.0, 7.0], [1.0, 0.0], [0.0, math.sqrt(37.0)], [0.0, 8.0], [np.nan, 1.0]])
    out = g.flexion_from_reach_deg(hip, ankles, a(3.0), a(4.0))
    assert out[:4] == pytest.approx([90.0, 0.0, 180.0, 60.0], abs=1e-6)
    assert out[4] == pytest.approx(0.0, abs=1e-9)   # a reach past the full lengths: straight, not NaN
    assert np.isnan(out[5])


# ------------------------------------------------------------------------- signed_angle_2d_deg


@pytest.mark.parametrize(
    ("u", "v", "expected"),
    [
        # y is down: from "right" (1,0) to "down the screen" (0,1) turns clockwise on screen -> +90.
        (a(1, 0), a(0, 1), 90.0),
        (a(1, 0), a(0, -1), -90.0),  # to screen-up: counter-clockwise
        (a(0, -1), a(1, 0), 90.0),  # 12 o'clock -> 3 o'clock is clockwise
        (a(1, 0), a(1, SQRT3), 60.0),  # 30-60-90, v below u on screen
        (a(1, 0), a(SQRT3, -1), -30.0),  # v above u on screen
        (a(1, 0), a(4, 3), ATAN_3_4),  # 3-4-5
        (a(1, 0), a(-1, 0), 180.0),
        (a(1, 0), a(2, 0), 0.0),
        (a(0, 1), a(1, 0), -90.0),
        (a(1, 0, 7), a(0, 1, -3), 90.0),  # 3-D input: z is ignored
        (a(1, 0, 0), a(0, 0, 1), NAN),  # v has no image-plane component -> zero length in 2-D
    ],
)
def test_signed_angle_hand_values(u, v, expected):
    with no_warnings():
        out = g.signed_angle_2d_deg(u, v)
    if math.isnan(expected):
        assert np.isnan(out)
    else:
        assert out == pytest.approx(expected, abs=1e-9)


def test_signed_angle_is_antisymmetric_and_matches_unsigned_magnitude():
    u = np.array([[1, 0], [3, 4], [-2, 5], [1, -1]], dtype=float)
    v = np.array([[0, 1], [-4, 3], [1, 1], [-1, -SQRT3]], dtype=float)
    s = g.signed_angle_2d_deg(u, v)
    np.testing.assert_allclose(g.signed_angle_2d_deg(v, u), -s, atol=1e-9)
    np.testing.assert_allclose(np.abs(s), g.angle_between_deg(u, v), atol=1e-6)
    # With y down, a clockwise quarter turn on screen maps (x, y) -> (-y, x): (1,0) -> (0,1) and
    # (3,4) -> (-4,3) are both +90. (-2,5) -> (1,1): cross = -2*1 - 5*1 = -7, dot = 3 -> -atan(7/3).
    np.testing.assert_allclose(s[:3], [90.0, 90.0, -math.degrees(math.atan(7 / 3))], atol=1e-9)


def test_signed_angle_broadcasts():
    # (T=3, K=2, 2) against the single reference (1, 0).
    v = np.array([[[0, 1], [0, -1]],
                  [[1, 1], [1, -1]],
                  [[-1, 1], [2, 0]]], dtype=float)
    out = g.signed_angle_2d_deg(a(1, 0), v)
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out, [[90, -90], [45, -45], [135, 0]], atol=1e-9)


@pytest.mark.parametrize(
    ("u", "v"),
    [(a(0, 0), a(1, 0)), (a(1, 0), a(0, 0)), (a(0, 0), a(0, 0)), (a(NAN, 1), a(1, 0)), (a(1, 0), a(0, NAN))],
)
def test_signed_angle_zero_or_nan_is_nan_without_warning(u, v):
    with no_warnings():
        assert np.isnan(g.signed_angle_2d_deg(u, v))


def test_signed_angle_range_excludes_minus_180_for_the_easy_case():
    # Documented range is (-180, 180]; (1,0) vs (-1,0) lands on +180.
    assert g.signed_angle_2d_deg(a(1, 0), a(-1, 0)) == 180.0
    assert g.signed_angle_2d_deg(a(0, -1), a(0, 1)) == 180.0


@pytest.mark.parametrize(("u", "v"), [(a(0, 1), a(0, -1)), (a(-1, 0), a(1, 0))])
def test_signed_angle_opposite_vectors_are_plus_180(u, v):
    assert g.signed_angle_2d_deg(u, v) == 180.0


# ------------------------------------------------------------------------------ tilts


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (a(0, 0), a(0, -1), 0.0),  # straight up the screen
        (a(0, 0), a(1, -1), 45.0),  # up and toward +x
        (a(0, 0), a(-1, -1), -45.0),  # up and toward -x
        (a(0, 0), a(SQRT3, -1), 60.0),  # 30-60-90: atan(sqrt3 / 1) = 60 from vertical
        (a(0, 0), a(-1, -SQRT3), -30.0),  # atan(1 / sqrt3) = 30 toward -x
        (a(0, 0), a(3, -4), ATAN_3_4),  # 3-4-5: 3 across, 4 up -> atan(3/4)
        (a(0, 0), a(1, 0), 90.0),  # horizontal toward +x
        (a(0, 0), a(-1, 0), -90.0),  # horizontal toward -x
        (a(100, 400), a(103, 396), ATAN_3_4),  # offset origin: d = (3, -4)
        (a(0, 0, 5), a(1, -1, -9), 45.0),  # 3-D: z ignored
    ],
)
def test_tilt_from_vertical_hand_values(lower, upper, expected):
    assert g.tilt_from_vertical_deg(lower, upper) == pytest.approx(expected, abs=1e-9)


def test_tilt_from_vertical_upside_down_is_180_in_magnitude():
    # Segment pointing down the screen is 180 deg from "up".
    assert abs(g.tilt_from_vertical_deg(a(0, 0), a(0, 1))) == pytest.approx(180.0)


def test_tilt_from_vertical_broadcasts():
    # Trunk of T=4 frames: hips fixed at (320, 400), shoulders leaning 0, +45, -30 deg, and missing.
    hips = np.array([[320, 400]] * 4, dtype=float)
    shoulders = np.array([[320, 300], [420, 300], [320 - 50, 400 - 50 * SQRT3], [NAN, NAN]])
    with no_warnings():
        out = g.tilt_from_vertical_deg(hips, shoulders)
    assert out.shape == (4,)
    np.testing.assert_allclose(out[:3], [0, 45, -30], atol=1e-9)
    assert np.isnan(out[3])
    # one fixed lower point against (T, 2) upper points, and (T, 2) lower against one upper point
    np.testing.assert_allclose(g.tilt_from_vertical_deg(a(320, 400), shoulders[:2]), [0, 45], atol=1e-9)
    np.testing.assert_allclose(g.tilt_from_vertical_deg(np.array([[320, 400], [220, 400]]), a(320, 300)),
                               [0, 45], atol=1e-9)


def test_tilt_from_vertical_zero_length_and_nan():
    with no_warnings():
        assert np.isnan(g.tilt_from_vertical_deg(a(5, 5), a(5, 5)))
        assert np.isnan(g.tilt_from_vertical_deg(a(5, 5, 0), a(5, 5, 9)))  # only z differs
        assert np.isnan(g.tilt_from_vertical_deg(a(NAN, 5), a(5, 0)))


@pytest.mark.parametrize(
    ("pa", "pb", "expected"),
    [
        (a(0, 0), a(1, 0), 0.0),
        (a(0, 0), a(1, -1), 45.0),  # b higher on screen (smaller y)
        (a(0, 0), a(1, 1), -45.0),  # b lower
        (a(0, 0), a(SQRT3, -1), 30.0),  # 30-60-90
        (a(0, 0), a(1, -SQRT3), 60.0),
        (a(0, 0), a(4, -3), ATAN_3_4),  # 3-4-5: rise 3 over run 4
        (a(10, 20), a(14, 23), -ATAN_3_4),  # falls 3 over run 4
        (a(0, 0), a(0, -1), 90.0),  # vertical
        (a(0, 0, 3), a(1, -1, -8), 45.0),  # 3-D: z ignored
    ],
)
def test_tilt_from_horizontal_hand_values(pa, pb, expected):
    assert g.tilt_from_horizontal_deg(pa, pb) == pytest.approx(expected, abs=1e-9)


def test_tilt_from_horizontal_is_direction_free():
    # A line, not an arrow: swapping the ends changes nothing.
    pts_a = np.array([[0, 0], [0, 0], [5, 5], [2, 7]], dtype=float)
    pts_b = np.array([[-1, 1], [-1, -1], [1, 5], [6, 4]], dtype=float)
    fwd = g.tilt_from_horizontal_deg(pts_a, pts_b)
    np.testing.assert_allclose(fwd, g.tilt_from_horizontal_deg(pts_b, pts_a), atol=1e-12)
    # (0,0)-(-1,1): the right end (0,0) is higher -> rises to the right -> +45.
    # (0,0)-(-1,-1): the right end (0,0) is lower -> -45.
    # (5,5)-(1,5): horizontal -> 0.  (2,7)-(6,4): rise 3 over run 4 -> +atan(3/4).
    np.testing.assert_allclose(fwd, [45, -45, 0, ATAN_3_4], atol=1e-9)


def test_tilt_from_horizontal_range_for_near_vertical_lines():
    # Lines just off vertical stay inside (-90, 90] whichever way they are drawn.
    eps = 1e-9
    for pb in (a(eps, -1), a(eps, 1), a(-eps, -1), a(-eps, 1)):
        out = g.tilt_from_horizontal_deg(a(0, 0), pb)
        assert -90.0 < out <= 90.0
        assert abs(out) == pytest.approx(90.0, abs=1e-6)


def test_tilt_from_horizontal_vertical_line_drawn_downward():
    assert g.tilt_from_horizontal_deg(a(0, 0), a(0, 1)) == 90.0


def test_tilt_from_horizontal_zero_length_and_nan():
    with no_warnings():
        assert np.isnan(g.tilt_from_horizontal_deg(a(3, 3), a(3, 3)))
        assert np.isnan(g.tilt_from_horizontal_deg(a(3, NAN), a(4, 3)))
        assert np.isnan(g.tilt_from_horizontal_deg(a(NAN, 3), a(4, 3)))
        out = g.tilt_from_horizontal_deg(np.array([[0, 0], [0, 0], [NAN, 0]]), np.array([[1, -1], [0, 0], [1, 1]]))
    assert out[0] == pytest.approx(45.0)
    assert np.isnan(out[1]) and np.isnan(out[2])


def test_tilt_from_horizontal_pelvis_broadcast_frames_by_people():
    # (T=2, P=2, 2) left/right hip pairs; expected: level, 30 deg, -45 deg, rise 4 over run 3 = atan(4/3).
    left = np.array([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], dtype=float)
    right = np.array([[[10, 0], [SQRT3, -1]], [[1, 1], [3, -4]]], dtype=float)
    out = g.tilt_from_horizontal_deg(left, right)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[0, 30], [-45, ATAN_4_3]], atol=1e-9)


# -------------------------------------------------------------------------- scalar_projection


@pytest.mark.parametrize(
    ("v", "axis", "expected"),
    [
        (a(3, 4), a(1, 0), 3.0),
        (a(3, 4), a(10, 0), 3.0),  # axis need not be unit length
        (a(3, 4), a(0, -2), -4.0),  # pointing against the axis is negative
        (a(3, 4), a(1, 1), 7 / SQRT2),  # (3+4)/sqrt2 = 4.94975
        (a(3, 4), a(4, 3), 24 / 5),  # (12+12)/5 = 4.8
        (a(3, 4), a(-4, 3), 0.0),  # perpendicular
        (a(0, 0), a(1, 1), 0.0),  # zero vector projects to 0
        (a(1, 2, 2), a(0, 0, 5), 2.0),  # 3-D
        (a(1, 2, 2), a(1, 2, 2), 3.0),  # onto itself: its own length
    ],
)
def test_scalar_projection_hand_values(v, axis, expected):
    assert g.scalar_projection(v, axis) == pytest.approx(expected, abs=1e-12)


def test_scalar_projection_broadcasts_and_nan():
    v = np.array([[3, 4], [NAN, 1], [-6, 8]], dtype=float)
    with no_warnings():
        out = g.scalar_projection(v, a(0, 2))
    assert out[0] == pytest.approx(4.0) and np.isnan(out[1]) and out[2] == pytest.approx(8.0)


def test_scalar_projection_zero_axis_is_nan_without_warning():
    with no_warnings():
        assert np.isnan(g.scalar_projection(a(3, 4), a(0, 0)))
        out = g.scalar_projection(np.array([[3, 4], [3, 4]]), np.array([[0, 0], [1, 0]]))
    assert np.isnan(out[0]) and out[1] == pytest.approx(3.0)


# ------------------------------------------------------------------------- offset_from_line_x


def test_offset_from_vertical_line():
    # Hip (100, 0), ankle (100, 200): the line is x = 100; a knee at x = 90 sits 10 px toward -x.
    assert g.offset_from_line_x(a(100, 0), a(90, 100), a(100, 200)) == pytest.approx(-10.0)
    assert g.offset_from_line_x(a(100, 0), a(110, 150), a(100, 200)) == pytest.approx(10.0)


def test_offset_from_tilted_line_is_read_at_the_knees_height():
    # Hip (0, 0), ankle (100, 200): at y = 100 the line is at x = 50, so a knee at (40, 100) is -10;
    # at y = 50 the line is at x = 25, so a knee at (60, 50) is +35 (horizontal, not perpendicular).
    assert g.offset_from_line_x(a(0, 0), a(40, 100), a(100, 200)) == pytest.approx(-10.0)
    assert g.offset_from_line_x(a(0, 0), a(60, 50), a(100, 200)) == pytest.approx(35.0)


def test_offset_broadcasts_and_is_nan_without_a_line():
    hip = np.array([[100, 0], [100, 0], [100, 0], [100, 0]], float)
    knee = np.array([[90, 100], [100, 100], [NAN, NAN], [90, 100]], float)
    ankle = np.array([[100, 200], [100, 200], [100, 200], [200, 0]], float)  # last: a horizontal line
    with no_warnings():
        out = g.offset_from_line_x(hip, knee, ankle)
    np.testing.assert_allclose(out[:2], [-10.0, 0.0])
    assert np.isnan(out[2:]).all()


# -------------------------------------------------------------------------- hidden_knee_lead


def test_standing_leg_hides_nothing():
    assert g.hidden_knee_lead(50, 50, 50, 50, 50, 100) == pytest.approx(0.0)


def test_thigh_pointing_at_the_camera_leads_by_its_length():
    # A 90/90 lunge seen level from the front: the thigh (40 standing) is a point, the shin
    # vertical and whole. The knee is 40 ahead of the hip and of the ankle below it; the line
    # at the knee's height (drop 0) passes through the hip: lead 40.
    assert g.hidden_knee_lead(0, 40, 40, 40, 0, 40) == pytest.approx(40.0)


def test_lead_with_both_segments_foreshortened():
    # Thigh seen 30 of 50: 40 hidden (3-4-5), knee 40 ahead of the hip. Shin seen 48 of 50:
    # sqrt(2500 - 2304) = 14 hidden, ankle 40 - 14 = 26 ahead. Knee 30 below the hip, ankle 78:
    # the line is 26 * 30 / 78 = 10 ahead at the knee's height, so the knee leads it by 30.
    assert g.hidden_knee_lead(30, 48, 50, 50, 30, 78) == pytest.approx(30.0)
    # Shin seen 30 of 50 as well: the ankle is 40 - 40 = 0 ahead, under the hip; lead 40.
    assert g.hidden_knee_lead(30, 30, 50, 50, 30, 60) == pytest.approx(40.0)


def test_lead_clips_noise_and_is_nan_without_a_drop():
    # A segment seen longer than it stands (landmark noise) hides nothing, never a NaN from sqrt(<0).
    with no_warnings():
        assert g.hidden_knee_lead(55, 52, 50, 50, 50, 100) == pytest.approx(0.0)
        out = g.hidden_knee_lead(a(0, 0), a(40, 40), a(40, 40), a(40, 40), a(0, 0), a(40, 0))
    assert out[0] == pytest.approx(40.0) and np.isnan(out[1])


# ----------------------------------------------------------------------- fppa_equivalent_deg


def test_fppa_equivalent_of_a_knee_off_the_line():
    # 10 px medial on a 100 px shin: 2 asin(0.1) = 2 * 5.73917 = 11.4783 deg; lateral is negative.
    assert g.fppa_equivalent_deg(10, 100) == pytest.approx(11.478340954533572)
    assert g.fppa_equivalent_deg(-10, 100) == pytest.approx(-11.478340954533572)
    # the 15 deg cut-off is a knee sin(7.5 deg) = 0.1305 shins off the line
    assert g.fppa_equivalent_deg(100 * math.sin(math.radians(7.5)), 100) == pytest.approx(15.0)


def test_fppa_equivalent_limits():
    with no_warnings():
        out = g.fppa_equivalent_deg(a(150, -150, 5, NAN), a(100, 100, 0, 100))
    np.testing.assert_allclose(out[:2], [180.0, -180.0])  # a knee a whole shin off: folded flat
    assert np.isnan(out[2:]).all()  # no shin, or no offset


# --------------------------------------------------------------------------- rolling_quantile
# Percentiles use linear interpolation between order statistics (numpy's default): for n valid values
# sorted s[0..n-1], the q-th percentile sits at position q/100 * (n - 1).


def test_rolling_median_odd_window():
    # window 3 centred, ends clipped: [med(1,2), med(1,2,3), med(2,3,4), med(3,4,5), med(4,5)]
    out = g.rolling_quantile(a(1, 2, 3, 4, 5), 3, 50)
    np.testing.assert_allclose(out, [1.5, 2, 3, 4, 4.5])


def test_rolling_median_even_window():
    # window 4: 2 before, 1 after -> [med(1,2), med(1,2,3), med(1..4), med(2..5), med(3,4,5)]
    out = g.rolling_quantile(a(1, 2, 3, 4, 5), 4, 50)
    np.testing.assert_allclose(out, [1.5, 2, 2.5, 3.5, 4])


def test_rolling_90th_percentile_by_hand():
    # Unsorted input [5, 1, 4, 2, 3], window 3:
    #   i0 {5,1}   -> sorted 1,5:   pos 0.9*1 = 0.9 -> 1 + 0.9*4 = 4.6
    #   i1 {5,1,4} -> sorted 1,4,5: pos 0.9*2 = 1.8 -> 4 + 0.8*1 = 4.8
    #   i2 {1,4,2} -> 1,2,4: 2 + 0.8*2 = 3.6
    #   i3 {4,2,3} -> 2,3,4: 3 + 0.8*1 = 3.8
    #   i4 {2,3}   -> 2,3:   pos 0.9 -> 2.9
    out = g.rolling_quantile(a(5, 1, 4, 2, 3), 3, 90)
    np.testing.assert_allclose(out, [4.6, 4.8, 3.6, 3.8, 2.9], rtol=1e-12)


def test_rolling_quantile_extremes_are_min_and_max():
    vals = a(5, 1, 4, 2, 3)
    np.testing.assert_allclose(g.rolling_quantile(vals, 3, 0), [1, 1, 1, 2, 2])
    np.testing.assert_allclose(g.rolling_quantile(vals, 3, 100), [5, 5, 4, 4, 3])


def test_rolling_ignores_nan_and_rejects_outlier():
    # [1, nan, 3, 100, 5], window 3, median:
    # i0 {1} -> 1; i1 {1,3} -> 2; i2 {3,100} -> 51.5; i3 {3,100,5} -> 5; i4 {100,5} -> 52.5
    with no_warnings():
        out = g.rolling_quantile(a(1, NAN, 3, 100, 5), 3, 50)
    np.testing.assert_allclose(out, [1, 2, 51.5, 5, 52.5])


def test_rolling_all_nan_window_is_nan_without_warning():
    with no_warnings():
        out = g.rolling_quantile(a(NAN, NAN, NAN, NAN, 7), 3, 90)
    assert np.isnan(out[:3]).all()
    np.testing.assert_allclose(out[3:], [7, 7])  # one valid value: every percentile is that value
    with no_warnings():
        assert np.isnan(g.rolling_quantile(np.full((4, 2), np.nan), 5, 50)).all()


def test_rolling_2d_columns_are_independent():
    vals = np.array([[1, 10], [2, 20], [100, 30], [4, NAN]], dtype=float)
    # median per column, window 3:
    # col0: {1,2}->1.5, {1,2,100}->2, {2,100,4}->4, {100,4}->52
    # col1: {10,20}->15, {10,20,30}->20, {20,30}->25, {30}->30
    out = g.rolling_quantile(vals, 3, 50)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(out, [[1.5, 15], [2, 20], [4, 25], [52, 30]])


def test_rolling_3d_frames_by_landmarks_by_coordinates():
    # (T=3, K=2, 2): landmark 0 x = 0, 10, 20; everything else constant 7. Window 3, median:
    # x of landmark 0 -> med(0,10)=5, med(0,10,20)=10, med(10,20)=15
    vals = np.full((3, 2, 2), 7.0)
    vals[:, 0, 0] = [0, 10, 20]
    out = g.rolling_quantile(vals, 3, 50)
    assert out.shape == (3, 2, 2)
    np.testing.assert_allclose(out[:, 0, 0], [5, 10, 15])
    np.testing.assert_allclose(out[:, 0, 1], 7.0)
    np.testing.assert_allclose(out[:, 1], 7.0)


def test_rolling_window_longer_than_series():
    # every window covers the whole series -> the median 2 everywhere
    np.testing.assert_allclose(g.rolling_quantile(a(1, 2, 3), 7, 50), [2, 2, 2])


def test_rolling_trivial_windows_return_a_copy():
    vals = a(3, 1, 2)
    for w in (0, 1):
        out = g.rolling_quantile(vals, w, 90)
        np.testing.assert_array_equal(out, vals)
        assert out is not vals
        out[0] = 99.0
        assert vals[0] == 3.0  # the caller's array is untouched
    assert g.rolling_quantile(np.empty(0), 5, 50).shape == (0,)


def test_rolling_matches_a_plain_loop_over_nanpercentile():
    # Independent reference: clip each centred window by hand and ask numpy for the percentile.
    rng = np.random.default_rng(3)
    for n, window, q in [(1, 5, 50), (7, 3, 90), (20, 6, 10), (33, 11, 99.5), (25, 4, 0), (25, 9, 100)]:
        vals = rng.normal(size=(n, 3))
        vals[rng.random((n, 3)) < 0.3] = np.nan
        half = window // 2
        ref = np.empty_like(vals)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows in the reference only
            for i in range(n):
                ref[i] = np.nanpercentile(vals[max(0, i - half): min(n, i + window - half)], q, axis=0)
        with no_warnings():
            out = g.rolling_quantile(vals, window, q)
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_rolling_accepts_lists_and_integers():
    np.testing.assert_allclose(g.rolling_quantile([1, 2, 3, 4, 5], 3, 50), [1.5, 2, 3, 4, 4.5])


# ------------------------------------------------------------------------ degenerate skeletons


def test_degenerate_skeleton_all_points_equal():
    # (T=3, 33, 2) skeleton with every landmark on the same pixel: every angle is NaN, distances 0.
    pts = np.full((3, 33, 2), 250.0)
    hip, knee, ankle, other_hip = pts[:, 23], pts[:, 25], pts[:, 27], pts[:, 24]
    with no_warnings():
        assert np.isnan(g.flexion_deg(hip, knee, ankle)).all()
        assert np.isnan(g.joint_angle_deg(hip, knee, ankle)).all()
        assert np.isnan(g.tilt_from_vertical_deg(hip, pts[:, 11])).all()
        assert np.isnan(g.tilt_from_horizontal_deg(hip, other_hip)).all()
        assert np.isnan(g.signed_angle_2d_deg(knee - hip, ankle - knee)).all()
        assert np.isnan(g.offset_from_line_x(hip, knee, ankle)).all()
        assert np.isnan(g.scalar_projection(knee - hip, ankle - knee)).all()
        np.testing.assert_array_equal(g.distance(hip, ankle), np.zeros(3))
        np.testing.assert_array_equal(g.midpoint(hip, ankle), np.full((3, 2), 250.0))


def test_all_nan_skeleton_stays_nan():
    pts = np.full((2, 33, 3), np.nan)
    with no_warnings():
        outs = (g.norm(pts), g.distance(pts[:, 0], pts[:, 1]), g.flexion_deg(pts[:, 23], pts[:, 25], pts[:, 27]),
                g.tilt_from_vertical_deg(pts[:, 23], pts[:, 11]), g.tilt_from_horizontal_deg(pts[:, 23], pts[:, 24]),
                g.offset_from_line_x(pts[:, 23], pts[:, 25], pts[:, 27]))
        for out in outs:
            assert np.isnan(out).all()


def test_hold_last_fills_short_gaps_with_the_last_seen_value():
    t = a(0.0, 0.5, 1.0, 1.5, 2.0, 2.5)
    v = a(1.0, NAN, NAN, 4.0, NAN, NAN)
    # gaps of 0.5 and 1.0 s from the last sighting: filled up to 1.0 s
    assert np.array_equal(g.hold_last(v, t, 1.0), a(1.0, 1.0, 1.0, 4.0, 4.0, 4.0))
    # 0.5 s: the second frame after each sighting (1.0 s away) stays unseen
    out = g.hold_last(v, t, 0.5)
    assert np.array_equal(out[[0, 1, 3, 4]], a(1.0, 1.0, 4.0, 4.0)) and np.isnan(out[[2, 5]]).all()


def test_hold_last_keeps_leading_gaps_and_whole_points():
    t = a(0.0, 0.1, 0.2)
    pts = np.array([[NAN, NAN], [3.0, 4.0], [NAN, 5.0]])  # a point with one NaN coordinate is unseen
    out = g.hold_last(pts, t, 1.0)
    assert np.isnan(out[0]).all() and np.array_equal(out[1:], [[3.0, 4.0], [3.0, 4.0]])
    assert g.hold_last(np.empty(0), np.empty(0), 1.0).shape == (0,)


def test_nan_mean_ignores_unseen_values_and_is_silent_without_any():
    # columns: (1 + 3) / 2 = 2; only 4 seen; nothing seen
    values = np.array([[1.0, NAN, NAN], [3.0, 4.0, NAN]])
    with no_warnings():
        out = g.nan_mean(values)
    np.testing.assert_allclose(out[:2], [2.0, 4.0])
    assert np.isnan(out[2])


def test_nan_median_ignores_unseen_values_and_is_silent_without_any():
    assert g.nan_median(a(3.0, NAN, 1.0, 2.0)) == 2.0
    with no_warnings():
        assert math.isnan(g.nan_median(a(NAN, NAN))) and math.isnan(g.nan_median(np.empty(0)))


def test_nan_median_of_an_even_count_is_the_mean_of_the_middle_pair():
    # seen 4, 1, 3, 2 (and a row of NaN): sorted 1, 2, 3, 4 -> (2 + 3) / 2; a 2-D array counts every value
    assert g.nan_median(np.array([[4.0, NAN, 1.0], [3.0, 2.0, NAN]])) == 2.5
    assert g.nan_median(a(7.0)) == 7.0
    with no_warnings():
        assert g.nan_median(a(1.5e308, 1.7e308)) == 1.6e308  # averaged halves: no overflow to inf
        assert math.isnan(g.nan_median(a(-np.inf, np.inf)))  # no middle between -inf and inf
        assert g.nan_median(a(1.0, np.inf, np.inf)) == np.inf


def test_frames_for_a_duration():
    t = np.arange(10) / 30.0  # 30 fps
    assert g.frames_for(0.2, t) == 6  # 0.2 s x 30
    assert g.frames_for(0.01, t) == 1 and g.frames_for(0.01, t, minimum=3) == 3
    assert g.frames_for(0.2, t[:1]) == 1 and g.frames_for(0.2, np.empty(0), minimum=3) == 3  # no interval


def test_facing_away_reads_the_nose_behind_the_shoulders():
    """MediaPipe world z grows away from the camera. Facing it, the nose is nearer than the
    shoulders' midpoint (real clips: -0.19..-0.01 m); from behind it is further (+0.10..+0.17 m).
    The 1 s median ignores a glitch of a few frames, and a clip counts as filmed from behind only
    where MediaPipe holds that belief in most frames (``view.rear_min_share``, 0.8)."""
    from formcheck.profile import load_profile
    from formcheck.series import Landmark as L
    from formcheck.view import facing_away

    profile = load_profile()
    t = np.arange(0.0, 10.0, 1 / 30)
    world = np.zeros((len(t), 33, 3))
    world[:, L.LEFT_SHOULDER, 2], world[:, L.RIGHT_SHOULDER, 2] = 0.02, -0.02
    world[:, L.NOSE, 2] = np.where(t < 1.0, -0.12, 0.14)  # walks in facing the camera, turns its back at 1 s
    world[150:153, L.NOSE, 2] = -0.3  # a 3-frame glitch at 5 s
    away = facing_away(world, t, profile)
    assert not away[t < 0.5].any() and away[t > 1.5].all()
    # a head MediaPipe cannot read: it believes the person faces away in half the frames
    world[:, L.NOSE, 2] = np.where((t // 1.0) % 2 == 0, -0.12, 0.14)
    assert not facing_away(world, t, profile).any()


# --- knee_front_past_toes ---------------------------------------------------------------------------
# A shin from the ankle (0, 0) to the knee (3, -4): 5 long, tilted forward (+x) along a 3-4-5 triangle.


def test_knee_front_past_toes_hand_values():
    """Knee centre at x 3, toe tip at x 4: the centre is 1 behind the toes = -0.2 shin lengths; the
    front of the knee, 0.13 shin lengths ahead of the centre, is -0.07 past the toes."""
    knee, ankle, toe = a(3.0, -4.0), a(0.0, 0.0), a(4.0, 0.0)
    assert g.knee_front_past_toes(knee, ankle, toe, a(1.0, 0.0), 0.13) == pytest.approx(-0.07)
    assert g.knee_front_past_toes(knee, ankle, a(2.0, 0.0), a(2.0, 0.0), 0.13) == pytest.approx(0.33)  # 1/5 + 0.13


def test_knee_front_past_toes_reads_along_the_floor_not_the_foot():
    """Only the floor's direction counts: a toe landmark placed higher or lower (a foot MediaPipe
    tilts) leaves the value alone, where projecting on heel->toe would move it."""
    knee, ankle = a(3.0, -4.0), a(0.0, 0.0)
    flat = g.knee_front_past_toes(knee, ankle, a(4.0, 0.0), a(1.0, 0.0), 0.0)
    lifted = g.knee_front_past_toes(knee, ankle, a(4.0, -1.0), a(1.0, 0.0), 0.0)
    assert flat == pytest.approx(lifted) == pytest.approx(-0.2)


def test_knee_front_past_toes_facing_left_and_per_frame():
    """Facing image-left (forward = -x), mirrored points give the same value; frames broadcast."""
    knee = np.array([[3.0, -4.0], [-3.0, -4.0]])
    ankle = np.zeros((2, 2))
    toe = np.array([[4.0, 0.0], [-4.0, 0.0]])
    forward = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert np.allclose(g.knee_front_past_toes(knee, ankle, toe, forward, 0.13), [-0.07, -0.07])


def test_knee_front_past_toes_nan_and_zero_shin():
    with no_warnings():
        assert np.isnan(g.knee_front_past_toes(a(NAN, 0.0), a(0.0, 0.0), a(1.0, 0.0), a(1.0, 0.0), 0.13))
        assert np.isnan(g.knee_front_past_toes(a(0.0, 0.0), a(0.0, 0.0), a(1.0, 0.0), a(1.0, 0.0), 0.13))


def test_the_feet_split_keeps_the_view_most_frames_around_it_show():
    """MediaPipe's yaw near the front/oblique boundary flickers across it for a second at a time;
    the feet split keeps the front view's units through such a flicker (``feet.split_view``),
    and changes them where the view changed for longer than half the window."""
    from formcheck.feet import split_view

    t = np.arange(0.0, 10.0, 0.1)
    front = np.ones(len(t), bool)
    front[(t >= 4.0) & (t < 5.0)] = False  # a one-second flicker
    assert split_view(front, t, 2.0).all()
    front[(t >= 4.0) & (t < 7.0)] = False  # three seconds seen obliquely
    view = split_view(front, t, 2.0)
    assert not view[(t >= 5.0) & (t < 6.0)].any() and view[t < 3.0].all() and view[t >= 8.0].all()


def test_runs_lasting_keeps_the_runs_of_true_frames_spanning_long_enough():
    t = np.arange(10) * 0.1
    mask = np.array([1, 1, 1, 0, 1, 1, 0, 0, 1, 1], bool)
    assert [r.tolist() for r in g.runs_lasting(mask, t, 0.05)] == [[0, 1, 2], [4, 5], [8, 9]]
    assert [r.tolist() for r in g.runs_lasting(mask, t, 0.15)] == [[0, 1, 2]]
    assert g.runs_lasting(np.zeros(0, bool), np.zeros(0), 0.1) == []


# --------------------------------------------------------------------------- interpolate_between


def test_interpolate_between_is_linear_in_time_and_exact_at_measurements():
    # measured at 0, 0.1 and 0.3 s: 0, 3 and 9 (and a second column 10, 10, NaN). Read at 0.05 s:
    # halfway, 1.5 / 10; at 0.2: halfway from 3 to 9, 6; at 0.25: three quarters, 7.5;
    # at 0.1 exactly 3 (and 10, although the next is NaN); before 0 and after 0.3: nothing
    values = np.array([[0.0, 10.0], [3.0, 10.0], [9.0, NAN]])
    out = g.interpolate_between(values, a(0.0, 0.1, 0.3), a(-0.1, 0.0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4))
    np.testing.assert_allclose(out[:, 0], [NAN, 0.0, 1.5, 3.0, 6.0, 7.5, 9.0, NAN])
    np.testing.assert_allclose(out[:, 1], [NAN, 10.0, 10.0, 10.0, NAN, NAN, NAN, NAN])


def test_interpolate_between_keeps_float32_and_trailing_axes():
    values = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    out = g.interpolate_between(values, a(1.0, 2.0), a(1.0, 1.25, 2.0))
    assert out.dtype == np.float32 and out.shape == (3, 3, 4)
    np.testing.assert_allclose(out[1], 0.75 * values[0] + 0.25 * values[1])
    assert np.isnan(g.interpolate_between(values[:0], a(), a(0.5))).all()
