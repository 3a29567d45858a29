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
