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
