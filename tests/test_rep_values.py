"""Which frames a rep's values are read from (``reverse_lunge._agreed``), hand-computed."""

from __future__ import annotations

import numpy as np

from formcheck.exercises.reverse_lunge import _agreed


def test_frames_where_the_two_pose_runs_disagree_are_left_out():
    disagree = np.zeros(30, bool)
    disagree[[12, 13, 17]] = True
    assert _agreed(slice(10, 20), disagree).tolist() == [10, 11, 14, 15, 16, 18, 19]


def test_without_a_mirror_pass_or_with_no_agreeing_frame_the_whole_window_is_read():
    """No second opinion: nothing to doubt. Disagreement everywhere: nothing better to go on,
    so the bottom is read as a single run would read it."""
    assert _agreed(slice(3, 7), None).tolist() == [3, 4, 5, 6]
    assert _agreed(slice(3, 7), np.ones(10, bool)).tolist() == [3, 4, 5, 6]


def test_the_back_foot_is_read_only_where_the_feet_split_in_the_image():
    """From the front the back foot is the higher one in the image; with the toes level (a split
    under ``reps.min_front_split_ratio``) which one is behind is a coin's toss, and MediaPipe puts
    a hidden back foot onto the front one: those frames say nothing about a crossing."""
    from types import SimpleNamespace

    from formcheck.exercises.reverse_lunge import _back_foot_known
    from formcheck.profile import load_profile

    level = load_profile()["reps.min_front_split_ratio"]
    metrics = SimpleNamespace(view=np.array(["front"] * 4 + ["side"] * 2, dtype=object),
                              feet=SimpleNamespace(feet_split=np.array([0.2, level, level / 2, np.nan, 0.2, 0.2])))
    assert _back_foot_known(metrics, slice(0, 6), load_profile()).tolist() == [True, True, False, False, False, False]


def _feet(start_left_x: float, start_right_x: float, back_x: float, front_x: float) -> np.ndarray:
    """(2, 33, 2) front-view pixels: frame 0 the start (feet level), frame 1 the bottom of a left
    reverse lunge (the left foot back, higher in the image); hips at x 90 and 110 (one hip width
    = 20 px, the midline at 100)."""
    from formcheck.series import Landmark as L

    px = np.full((2, 33, 2), np.nan)
    px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP] = (90.0, 100.0), (110.0, 100.0)
    px[0, L.LEFT_ANKLE], px[0, L.RIGHT_ANKLE] = (start_left_x, 200.0), (start_right_x, 200.0)
    px[1, L.LEFT_ANKLE], px[1, L.RIGHT_ANKLE] = (back_x, 180.0), (front_x, 200.0)
    return px


def test_the_back_foots_own_lane_comes_from_the_start_or_else_from_the_front_foot():
    """The back foot's own lane is where it stood at the start, where the start's ankles lie
    ``checks.step.lane_hip_widths`` apart; from the front MediaPipe can put the ankles of feet
    standing a hip width apart on one spot (dev seeds 4084, 4115), and then the own lane is the
    other side of the midline from the front foot. Neither known: no reading."""
    from formcheck.exercises.reverse_lunge import _across_midline

    lane = 0.5
    # feet a hip width apart at the start; the left (back) foot lands in its own lane, 0.5 hip
    # widths left of the midline; then across it, 0.5 to the right
    assert _across_midline(_feet(90, 110, 90, 110), 0, slice(1, 2), False, lane) == [-0.5]
    assert _across_midline(_feet(90, 110, 110, 110), 0, slice(1, 2), False, lane) == [0.5]
    # the start's ankles 1 px apart, mislabelled as crossed: the start cannot say; the front foot can
    assert _across_midline(_feet(101, 100, 90, 110), 0, slice(1, 2), False, lane) == [-0.5]
    assert _across_midline(_feet(101, 100, 110, 120), 0, slice(1, 2), False, lane) == [0.5]
    # ... unless the hips stand over the front foot as well
    assert np.isnan(_across_midline(_feet(101, 100, 90, 102), 0, slice(1, 2), False, lane)).all()


def test_hips_on_one_spot_give_no_midline_reading_never_an_infinite_one():
    """Degenerate landmarks (both hip points on one pixel: found by the fuzz test) have no hip
    width to measure in: the reading is NaN (not assessed), not +-inf (a flag with no value)."""
    from formcheck.exercises.reverse_lunge import _across_midline
    from formcheck.series import Landmark as L

    px = _feet(90, 110, 90, 110)
    px[:, L.LEFT_HIP] = px[:, L.RIGHT_HIP] = (100.0, 100.0)
    assert np.isnan(_across_midline(px, 0, slice(1, 2), False, 0.5)).all()
