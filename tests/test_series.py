"""Unit tests for formcheck.series.PoseSeries with hand-computed expected values."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.series import NUM_LANDMARKS, SKELETON_EDGES, Landmark, PoseSeries

NAN = float("nan")


def landmarks(t_frames: int, channels: int, fill: float = 0.5) -> np.ndarray:
    return np.full((t_frames, NUM_LANDMARKS, channels), fill)


# ------------------------------------------------------------------------------ landmark table


def test_landmark_indices_match_blazepose():
    # MediaPipe BlazePose topology: 33 points, hips 23/24, knees 25/26, ankles 27/28, feet 31/32.
    assert NUM_LANDMARKS == 33 == len(Landmark)
    assert (Landmark.NOSE, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER) == (0, 11, 12)
    assert (Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE) == (23, 24, 25, 26)
    assert (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL) == (27, 28, 29, 30)
    assert (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX) == (31, 32)
    assert [int(m) for m in Landmark] == list(range(33))


def test_skeleton_edges_are_valid_bones():
    assert all(0 <= i < 33 and 0 <= j < 33 and i != j for i, j in SKELETON_EDGES)
    assert len(set(SKELETON_EDGES)) == len(SKELETON_EDGES)
    # the legs are drawn: hip-knee and knee-ankle on both sides
    for bone in ((23, 25), (25, 27), (24, 26), (26, 28)):
        assert bone in SKELETON_EDGES


# ---------------------------------------------------------------------------- from_landmarks


def test_from_landmarks_xy_only():
    lm = landmarks(3, 2)
    lm[1, 5] = [0.25, 0.75]
    s = PoseSeries.from_landmarks(lm, [0.0, 0.1, 0.2], (640, 480))
    assert len(s) == 3
    assert s.image.shape == (3, 33, 4) and s.world.shape == (3, 33, 3)
    np.testing.assert_array_equal(s.image[1, 5], [0.25, 0.75, 0.0, 1.0])  # z = 0, visibility = 1
    np.testing.assert_array_equal(s.image[:, :, 2], 0.0)
    np.testing.assert_array_equal(s.image[:, :, 3], 1.0)
    assert np.isnan(s.world).all()  # no world landmarks given
    assert s.image_size == (640, 480) and s.source == "landmarks"
    assert s.t.dtype == float
    np.testing.assert_array_equal(s.t, [0.0, 0.1, 0.2])


def test_from_landmarks_xyz():
    lm = landmarks(2, 3)
    lm[0, 0] = [0.1, 0.2, -0.3]
    s = PoseSeries.from_landmarks(lm, np.array([1.0, 2.0]), (100, 200), source="clip.mp4")
    np.testing.assert_array_equal(s.image[0, 0], [0.1, 0.2, -0.3, 1.0])
    np.testing.assert_array_equal(s.image[1, 32], [0.5, 0.5, 0.5, 1.0])
    assert s.source == "clip.mp4"


def test_from_landmarks_xyz_visibility_is_passed_through():
    lm = landmarks(2, 4)
    lm[0, 0] = [0.1, 0.2, -0.3, 0.25]
    lm[1, :, 3] = 0.0
    s = PoseSeries.from_landmarks(lm, [0.0, 0.5], (100, 200))
    np.testing.assert_array_equal(s.image[0, 0], [0.1, 0.2, -0.3, 0.25])
    assert s.visibility[0, 0] == 0.25 and s.visibility[0, 1] == 0.5
    np.testing.assert_array_equal(s.visibility[1], np.zeros(33))


def test_from_landmarks_copies_its_input():
    lm = landmarks(2, 4)
    s = PoseSeries.from_landmarks(lm, [0.0, 0.5], (100, 200))
    lm[0, 0, 0] = 0.9
    assert s.image[0, 0, 0] == 0.5


def test_from_landmarks_with_world():
    world = np.zeros((2, 33, 3))
    world[1, 23] = [0.1, -0.2, 0.3]
    s = PoseSeries.from_landmarks(landmarks(2, 2), [0.0, 1 / 30], (640, 480), world=world)
    np.testing.assert_array_equal(s.world[1, 23], [0.1, -0.2, 0.3])


def test_from_landmarks_missing_landmarks_get_nan_visibility_and_zero_visibility_property():
    lm = landmarks(3, 3)
    lm[1] = np.nan  # nobody in frame 1
    lm[2, 7] = np.nan  # left ear lost in frame 2
    s = PoseSeries.from_landmarks(lm, [0, 1, 2], (640, 480))
    assert np.isnan(s.image[1, :, :2]).all() and np.isnan(s.image[1, :, 3]).all()
    assert np.isnan(s.image[2, 7]).all()
    assert s.visibility[1].sum() == 0.0 and s.visibility[2, 7] == 0.0 and s.visibility[2, 8] == 1.0
    np.testing.assert_array_equal(s.detected, [True, False, True])


def test_from_landmarks_xy_missing_frame_is_an_all_nan_row():
    lm = landmarks(2, 2)
    lm[1] = np.nan
    s = PoseSeries.from_landmarks(lm, [0.0, 1.0], (640, 480))
    assert np.isnan(s.image[1]).all()


def test_from_landmarks_image_size_is_int():
    s = PoseSeries.from_landmarks(landmarks(1, 2), [0.0], (640.0, 480.0))
    assert s.image_size == (640, 480)
    assert all(type(v) is int for v in s.image_size)


def test_from_landmarks_empty():
    s = PoseSeries.from_landmarks(np.empty((0, 33, 2)), np.empty(0), (640, 480))
    assert len(s) == 0 and s.fps == 0.0 and s.detected.shape == (0,) and s.pixels.shape == (0, 33, 2)


@pytest.mark.parametrize(
    "shape",
    [(33, 2), (2, 32, 2), (2, 34, 3), (2, 33, 1), (2, 33, 5), (2, 33, 2, 1), (2, 33)],
)
def test_from_landmarks_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match=r"\(T, 33, 2\|3\|4\)"):
        PoseSeries.from_landmarks(np.zeros(shape), np.arange(shape[0], dtype=float), (640, 480))


@pytest.mark.parametrize("timestamps", [[0.0, 1.0], [0.0, 1.0, 2.0, 3.0], [[0.0, 1.0, 2.0]], 0.0])
def test_from_landmarks_rejects_timestamps_of_the_wrong_length(timestamps):
    with pytest.raises(ValueError, match="timestamps must be"):
        PoseSeries.from_landmarks(landmarks(3, 2), timestamps, (640, 480))


@pytest.mark.parametrize(
    "timestamps",
    [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [2.0, 1.0, 3.0], [3.0, 2.0, 1.0], [0.0, NAN, 1.0]],
)
def test_from_landmarks_rejects_non_increasing_timestamps(timestamps):
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseSeries.from_landmarks(landmarks(3, 2), timestamps, (640, 480))


def test_from_landmarks_accepts_single_frame_and_irregular_increasing_timestamps():
    assert len(PoseSeries.from_landmarks(landmarks(1, 2), [5.0], (640, 480))) == 1
    s = PoseSeries.from_landmarks(landmarks(3, 2), [0.0, 1e-6, 10.0], (640, 480))
    assert len(s) == 3


def test_from_landmarks_rejects_world_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"world landmarks must be \(T, 33, 3\)"):
        PoseSeries.from_landmarks(landmarks(2, 2), [0.0, 1.0], (640, 480), world=np.zeros((2, 33, 4)))
    with pytest.raises(ValueError, match="world landmarks"):
        PoseSeries.from_landmarks(landmarks(2, 2), [0.0, 1.0], (640, 480), world=np.zeros((3, 33, 3)))


# --------------------------------------------------------------------------- direct construction


def test_constructor_validates_shapes():
    t = np.array([0.0, 1.0])
    good_image, good_world = np.zeros((2, 33, 4)), np.zeros((2, 33, 3))
    PoseSeries(good_image, good_world, t, (640, 480))  # fine
    with pytest.raises(ValueError, match=r"image landmarks must be \(T, 33, 4\)"):
        PoseSeries(np.zeros((2, 33, 3)), good_world, t, (640, 480))
    with pytest.raises(ValueError, match="T=2"):
        PoseSeries(np.zeros((3, 33, 4)), good_world, t, (640, 480))
    with pytest.raises(ValueError, match=r"world landmarks must be \(T, 33, 3\)"):
        PoseSeries(good_image, np.zeros((2, 33, 2)), t, (640, 480))


def test_empty():
    s = PoseSeries.empty((1920, 1080), source="camera:0")
    assert len(s) == 0 and s.image.shape == (0, 33, 4) and s.world.shape == (0, 33, 3)
    assert s.image_size == (1920, 1080) and s.source == "camera:0" and s.fps == 0.0


# ---------------------------------------------------------------------------------- properties


def test_detected():
    lm = landmarks(4, 2)
    lm[1] = np.nan  # nobody
    lm[2, :32] = np.nan  # only one landmark left: still a person
    lm[3, :, 0] = np.nan  # x missing everywhere: nobody (x decides)
    s = PoseSeries.from_landmarks(lm, [0, 1, 2, 3], (640, 480))
    assert s.detected.dtype == bool
    np.testing.assert_array_equal(s.detected, [True, False, True, False])


def test_pixels_scale_x_by_width_and_y_by_height():
    lm = landmarks(2, 3)
    lm[0, 0] = [0.5, 0.25, 0.9]  # -> (0.5*640, 0.25*480) = (320, 120); z is not part of pixels
    lm[0, 1] = [1.0, 1.0, 0.0]  # -> (640, 480): the bottom-right corner
    lm[1, 2] = [0.1, 0.9, 0.0]  # -> (64, 432)
    lm[1, 3] = [NAN, NAN, NAN]
    s = PoseSeries.from_landmarks(lm, [0.0, 0.04], (640, 480))
    px = s.pixels
    assert px.shape == (2, 33, 2)
    np.testing.assert_allclose(px[0, 0], [320.0, 120.0])
    np.testing.assert_allclose(px[0, 1], [640.0, 480.0])
    np.testing.assert_allclose(px[1, 2], [64.0, 432.0])
    assert np.isnan(px[1, 3]).all()


def test_pixels_portrait_frame():
    # a rotated phone clip: 1080 wide, 1920 tall; (0.5, 0.5) is the centre (540, 960)
    s = PoseSeries.from_landmarks(landmarks(1, 2), [0.0], (1080, 1920))
    np.testing.assert_allclose(s.pixels[0, 0], [540.0, 960.0])


@pytest.mark.parametrize(
    ("timestamps", "expected"),
    [
        (np.arange(10) / 30.0, 30.0),  # every step 1/30 s
        ([0.0, 0.04, 0.08, 0.12], 25.0),  # 1 / 0.04
        ([0.0, 0.04, 0.08, 0.20, 0.24], 25.0),  # steps 0.04, 0.04, 0.12, 0.04: median 0.04 (a dropped frame)
        ([0.0, 0.5], 2.0),
        ([3.0], 0.0),  # a single frame has no rate
    ],
)
def test_fps_from_timestamps(timestamps, expected):
    s = PoseSeries.from_landmarks(landmarks(len(timestamps), 2), timestamps, (640, 480))
    assert isinstance(s.fps, float)
    assert s.fps == pytest.approx(expected, rel=1e-9)


def test_slice():
    lm = np.arange(5 * 33 * 2, dtype=float).reshape(5, 33, 2)
    world = np.arange(5 * 33 * 3, dtype=float).reshape(5, 33, 3)
    t = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    s = PoseSeries.from_landmarks(lm, t, (640, 480), world=world, source="clip.mp4")
    sub = s.slice(1, 4)
    assert len(sub) == 3
    np.testing.assert_array_equal(sub.t, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(sub.image[:, :, :2], lm[1:4])
    np.testing.assert_array_equal(sub.world, world[1:4])
    assert sub.image_size == (640, 480) and sub.source == "clip.mp4"
    assert sub.fps == pytest.approx(10.0)
    # the original is untouched
    assert len(s) == 5
    # out-of-range and empty slices follow Python slicing
    assert len(s.slice(3, 100)) == 2
    assert len(s.slice(2, 2)) == 0


def test_with_landmarks_keeps_or_replaces_world():
    world = np.ones((2, 33, 3))
    s = PoseSeries.from_landmarks(landmarks(2, 4), [0.0, 1.0], (640, 480), world=world)
    new_image = np.zeros((2, 33, 4))
    out = s.with_landmarks(new_image)
    np.testing.assert_array_equal(out.image, 0.0)
    np.testing.assert_array_equal(out.world, 1.0)  # kept
    out2 = s.with_landmarks(new_image, np.full((2, 33, 3), 2.0))
    np.testing.assert_array_equal(out2.world, 2.0)
    np.testing.assert_array_equal(s.image[:, :, 0], 0.5)  # original unchanged
    with pytest.raises(ValueError):
        s.with_landmarks(np.zeros((3, 33, 4)))  # wrong T is still validated


def test_series_is_frozen():
    s = PoseSeries.from_landmarks(landmarks(1, 2), [0.0], (640, 480))
    with pytest.raises(AttributeError):
        s.source = "other"  # type: ignore[misc]
