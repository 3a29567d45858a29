"""Which views let a check be judged on a rep (``checks.RepViews``, ``run_checks``)."""

from __future__ import annotations

import math

from formcheck.checks import Check, RepViews, run_checks
from formcheck.profile import load_profile

SIDE, FRONT, LATERAL = ("side",), ("front",), ("side", "oblique")
PAST_TOES = Check("knee_past_toes", "knee_placement", "front_knee_past_toe_ratio", "above",
                  "checks.knee.past_toes_ratio", SIDE)


def test_the_clip_and_the_bottom_showing_a_check_judge_it():
    assert RepViews("side", "side", "side").show(SIDE)
    assert RepViews("oblique", "front", "oblique").show(LATERAL)


def test_a_rep_near_a_view_boundary_gets_no_verdict():
    """The clip must show the check, whatever the rep's readings say; and from the front the
    bottom's values are measured another way (world landmarks), so a lateral stand cannot
    vouch for them."""
    assert not RepViews("side", "side", "oblique").show(SIDE)
    assert not RepViews("front", "oblique", "oblique").show(LATERAL)
    assert not RepViews("oblique", "front", "front").show(FRONT)


def test_the_stand_vouches_for_a_bottom_whose_shoulders_turned():
    """Seed 14: a side view whose yaw read 63 deg (oblique) at one rep's deep bottom. The stand
    and the clip read side, and the bottom was measured in the image as a side view's is."""
    assert RepViews("oblique", "side", "side").show(SIDE)
    assert not RepViews("oblique", "oblique", "side").show(SIDE)


def test_run_checks_reports_the_views_that_kept_a_check_unjudged():
    profile = load_profile()
    times = {"bottom": 1.0, "start": 0.0}
    values = {"front_knee_past_toe_ratio": 0.3}
    judged, = run_checks((PAST_TOES,), values, {}, RepViews("oblique", "side", "side"), times, profile)
    assert judged.status == "flagged" and math.isclose(judged.value, 0.3)
    unjudged, = run_checks((PAST_TOES,), values, {}, RepViews("oblique", "oblique", "side"), times, profile)
    assert unjudged.status == "not_assessed"
    assert unjudged.reason == "not visible from an oblique or side view (needs side)"
