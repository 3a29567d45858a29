"""A rep's front knee from its four readings (``knee_readings.front_knee_deg``) and its back knee
from two (``knee_readings.back_knee_deg``), hand-computed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.knee_readings import KneeReadings, back_knee_deg, front_knee_deg
from formcheck.profile import load_profile

NAN = math.nan


def front_knee(image: float, world: float, lengths: float, reach: float) -> float:
    """The left leg is the front one; each reading is one frame's value."""
    readings = KneeReadings(*({"left": np.array([v]), "right": np.array([NAN])} for v in (world, lengths, reach, NAN)))
    return front_knee_deg(image, lambda reading: float(reading["left"][0]), readings, load_profile())


def test_the_reach_replaces_a_knee_misplaced_by_over_the_margin():
    assert load_profile()["checks.knee.misplaced_knee_deg"] == 20.0
    # side view: only the image angle and the reach apply
    assert front_knee(45.0, NAN, NAN, 88.0) == pytest.approx(88.0)   # 43 deg more bent: the knee is off the leg
    assert front_knee(80.0, NAN, NAN, 95.0) == pytest.approx(80.0)   # 15 deg: within the margin, the angle stays
    assert front_knee(70.0, NAN, NAN, 90.0) == pytest.approx(70.0)   # exactly 20: not over it


def test_obliquely_the_largest_of_the_low_reading_angles_then_the_reach():
    assert front_knee(60.0, 72.0, 65.0, 85.0) == pytest.approx(72.0)   # world largest; reach 13 above it
    assert front_knee(50.0, 55.0, NAN, 90.0) == pytest.approx(90.0)    # reach 35 above the largest
    assert front_knee(60.0, 58.0, 81.0, 95.0) == pytest.approx(81.0)   # lengths largest


def test_readings_that_do_not_apply_change_nothing():
    assert front_knee(70.0, NAN, NAN, NAN) == pytest.approx(70.0)      # front view: no other reading
    assert math.isnan(front_knee(NAN, NAN, NAN, NAN))


def test_a_back_knee_takes_the_larger_of_the_main_and_the_mirror_pass_reading():
    """bench_1003 rep 2: the main run put the back knee halfway up the thigh (56.4 deg), the
    mirror pass read 99.5 (truth 95). A missing reading (no mirror pass, not a side frame, or
    the knee unseen in one run) leaves the other."""
    assert back_knee_deg(56.4, 99.5) == pytest.approx(99.5)
    assert back_knee_deg(95.0, 88.0) == pytest.approx(95.0)
    assert back_knee_deg(56.4, NAN) == pytest.approx(56.4)
    assert back_knee_deg(NAN, 80.0) == pytest.approx(80.0)
    assert math.isnan(back_knee_deg(NAN, NAN))
