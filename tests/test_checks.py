"""Which views let a check be judged on a rep (``checks.RepViews``, ``run_checks``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.checks import Check, RepViews, run_checks
from formcheck.confidence import Evidence, rep_confidence, rep_evidence
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
    values = {"front_knee_past_toe_ratio": 0.5}
    judged, = run_checks((PAST_TOES,), values, {}, RepViews("oblique", "side", "side"), times, profile)
    assert judged.status == "flagged" and math.isclose(judged.value, 0.5)
    unjudged, = run_checks((PAST_TOES,), values, {}, RepViews("oblique", "oblique", "side"), times, profile)
    assert unjudged.status == "not_assessed"
    assert unjudged.reason == "not visible from an oblique or side view (needs side)"


TRUNK_SIDE = Check("trunk_lean_side", "posture", "trunk_lean_side_deg", "above", "checks.posture.trunk_side_deg",
                   FRONT)


def test_a_flag_within_the_noise_of_its_threshold_is_uncertain():
    """The front stance demo's correct rep read 10.175 deg of side lean against 10: 0.175 deg past
    it is 0.0875 of the 2 deg angle noise, so the flag is uncertain (not cued); 3 deg past is sure."""
    profile = load_profile()
    times = {"bottom": 1.0, "start": 0.0}
    views = RepViews("front", "front", "front")
    limit = profile["checks.posture.trunk_side_deg"]
    near, = run_checks((TRUNK_SIDE,), {"trunk_lean_side_deg": limit + 0.175}, {}, views, times, profile)
    assert near.status == "uncertain" and not near.flagged
    assert near.confidence == pytest.approx(0.175 / profile["confidence.noise_deg"], abs=0.001)
    assert "confidence 0.09" in near.reason
    far, = run_checks((TRUNK_SIDE,), {"trunk_lean_side_deg": limit + 3.0}, {}, views, times, profile)
    assert far.status == "flagged" and far.confidence == 1.0
    fine, = run_checks((TRUNK_SIDE,), {"trunk_lean_side_deg": limit - 3.0}, {}, views, times, profile)
    assert fine.status == "ok"


def test_poorly_seen_joints_make_a_clear_flag_uncertain_a_disagreeing_mirror_does_not():
    profile = load_profile()
    times = {"bottom": 1.0, "start": 0.0}
    views = RepViews("front", "front", "front")
    value = {"trunk_lean_side_deg": profile["checks.posture.trunk_side_deg"] + 5.0}
    # visibility factor: (0.35 - 0.3) / (0.5 - 0.3) = 0.25 for the posture joints
    dim = Evidence({"posture": 0.25, "knee_placement": 1.0, "foot_placement": 1.0}, 1.0)
    f, = run_checks((TRUNK_SIDE,), value, {}, views, times, profile, dim)
    assert f.status == "uncertain" and f.confidence == 0.25
    # the mirror pass disagreed on 60% of the bottom: the rep's values already leave those frames out
    split = Evidence(Evidence.full().visibility, 0.4)
    f, = run_checks((TRUNK_SIDE,), value, {}, views, times, profile, split)
    assert f.status == "flagged" and f.confidence == 1.0
    assert rep_confidence(1.0, split) == 0.4


def test_evidence_from_landmark_visibility_and_the_mirror_pass():
    profile = load_profile()
    image = np.zeros((4, 33, 4))
    image[..., 3] = 0.45  # half seen: (0.45 - 0.3) / (0.5 - 0.3) = 0.75 ...
    image[:, [11, 12, 23, 24], 3] = 0.4  # ... the shoulders and hips less: (0.4 - 0.3) / 0.2 = 0.5 for posture
    image[2:, ..., 3] = 1.0  # frames outside the bottom do not count
    disagree = np.array([False, True, False, False])
    ev = rep_evidence(image, disagree, np.array([0, 1]), profile)
    assert ev.visibility["posture"] == pytest.approx(0.5)
    # knee placement reads the hips (0.4), knees and ankles (0.45): mean 2.6 / 6 -> (0.4333 - 0.3) / 0.2
    assert ev.visibility["knee_placement"] == pytest.approx((2.6 / 6 - 0.3) / 0.2)
    assert ev.visibility["foot_placement"] == pytest.approx(0.75) and ev.agreement == 0.5
    assert rep_confidence(0.9, ev) == 0.5


def test_from_behind_no_check_is_judged():
    profile = load_profile()
    times = {"bottom": 1.0, "start": 0.0}
    f, = run_checks((PAST_TOES,), {"front_knee_past_toe_ratio": 0.5}, {}, RepViews("side", "side", "side", True),
                    times, profile)
    assert f.status == "not_assessed" and "from behind" in f.reason and f.confidence == 0.0


def test_a_classified_check_reports_the_rep_stages_decision_from_any_view():
    """``stepped_forward`` checks a decision the rep stage made (the variant): flagged and major
    when the rep stepped forward, from behind too; ok otherwise where the view shows it, not
    assessed from behind; no threshold, no noise margin."""
    from formcheck.exercises.reverse_lunge import CHECKS

    stepped, = (c for c in CHECKS if c.code == "stepped_forward")
    profile = load_profile()
    times = {"bottom": 1.5, "start": 0.0}
    behind = RepViews("side", "side", "side", from_behind=True)
    forward, = run_checks((stepped,), {"stepped_forward": 1.0}, {"leg": "left"}, behind, times, profile)
    assert (forward.status, forward.severity, forward.side, forward.t, forward.value) == \
        ("flagged", "major", "left", 1.5, None)
    assert forward.reason == "the stepping foot went forward: this rep was a forward lunge"
    back, = run_checks((stepped,), {"stepped_forward": 0.0}, {"leg": "left"}, behind, times, profile)
    assert back.status == "not_assessed" and "from behind" in back.reason  # never passed unseen
    seen, = run_checks((stepped,), {"stepped_forward": 0.0}, {"leg": "left"}, RepViews("side", "side", "side"),
                       times, profile)
    assert seen.status == "ok" and seen.severity == ""
