"""Live cue policy and calibration, with hand-worked timelines and hand-built skeletons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.feedback import PRAISE, CuePolicy, cue_for
from formcheck.live.calibration import HOLD_STILL, NO_PERSON, frame_hint, try_calibrate
from formcheck.profile import load_profile
from formcheck.series import Landmark as L


def policy(**kw) -> CuePolicy:
    p = CuePolicy.from_profile(load_profile())
    p.cooldown_s, p.pending_max_age_s, p.repeat_every_reps, p.praise_every_clean_reps = 2.5, 3.0, 2, 3
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def test_profile_priorities_cover_every_cue():
    assert set(load_profile().section("cues.priority")) == set(policy().priority) >= {"depth_short", "knee_caving_in"}


def test_most_important_mistake_is_said_first():
    p = policy()
    cue = p.after_rep({"stance_too_wide", "trunk_lean_forward", "knee_caving_in"}, t=10.0)
    assert cue.code == "knee_caving_in" and cue.text == cue_for("knee_caving_in")


def test_repeats_only_while_the_mistake_persists():
    # reps 3 s apart (past the 2.5 s cooldown); repeat_every_reps = 2: said on rep 1, 3, 5 of a streak
    p = policy()
    said = [p.after_rep({"trunk_lean_forward"}, t=3.0 * i) for i in range(1, 6)]
    assert [c is not None for c in said] == [True, False, True, False, True]
    assert p.after_rep(set(), t=18.0) is None  # clean: streak broken (1st clean rep, no praise yet)
    assert p.after_rep({"trunk_lean_forward"}, t=21.0).code == "trunk_lean_forward"  # a new streak: said at once


def test_cooldown_holds_a_cue_and_the_more_important_one_wins_the_slot():
    p = policy()
    assert p.after_rep({"step_too_short"}, t=10.0).code == "step_too_short"
    assert p.after_rep({"stance_too_wide"}, t=11.0) is None  # 1 s later: held
    assert p.after_rep({"trunk_lean_forward"}, t=11.5) is None  # more important: replaces it in the slot
    assert p.tick(12.0) is None  # 2.0 s < 2.5 s cooldown
    cue = p.tick(12.5)  # cooldown over: the held cue, 1.0 s old
    assert cue.code == "trunk_lean_forward" and cue.t == 11.5
    assert p.tick(20.0) is None  # said once, not again


def test_a_held_cue_grows_stale():
    p = policy(cooldown_s=5.0)
    p.after_rep({"step_too_short"}, t=0.0)
    assert p.after_rep({"trunk_lean_forward"}, t=1.0) is None
    assert p.tick(5.0) is None  # cooldown over at 5.0, but the cue is 4.0 s old > 3.0 s
    assert p.pending is None


def test_praise_every_third_clean_rep_in_a_row():
    p = policy()
    said = [p.after_rep(set(), t=3.0 * i) for i in range(1, 7)]
    assert [c.text if c else None for c in said] == [None, None, PRAISE, None, None, PRAISE]
    p.after_rep({"depth_short"}, t=30.0)
    assert [p.after_rep(set(), t=33.0 + 3 * i) for i in range(2)] == [None, None]  # the count restarted


def test_depth_cue_at_the_bottom_is_not_repeated_at_the_end():
    p = policy()
    bottom = p.at_bottom({"depth_short", "trunk_lean_forward"}, t=5.0)
    assert bottom.code == "depth_short"  # only depth is said at the bottom
    # end of the same rep, 3 s later: depth already said; the lean is said now
    assert p.after_rep({"depth_short", "trunk_lean_forward"}, t=8.0, said_at_bottom={"depth_short"}).code \
        == "trunk_lean_forward"
    # next rep, still shallow: streak 2 of depth is not due (repeat_every_reps = 2), streak 3 is
    assert p.at_bottom({"depth_short"}, t=11.0) is None
    p.after_rep({"depth_short"}, t=12.0)
    assert p.at_bottom({"depth_short"}, t=15.0).code == "depth_short"


# --- calibration -------------------------------------------------------------------------------
SIZE = (1000, 1000)  # square pixels: normalised 0.001 = 1 px


def standing(n: int, jitter: float = 0.0, seed: int = 0) -> np.ndarray:
    """(n, 33, 4) a person facing the camera: hips 0.1 apart at y 0.5, knees at 0.7, ankles at 0.9."""
    rng = np.random.default_rng(seed)
    lm = np.full((n, 33, 4), np.nan)
    pts = {L.NOSE: (0.5, 0.15), L.LEFT_SHOULDER: (0.58, 0.25), L.RIGHT_SHOULDER: (0.42, 0.25),
           L.LEFT_HIP: (0.55, 0.5), L.RIGHT_HIP: (0.45, 0.5), L.LEFT_KNEE: (0.55, 0.7), L.RIGHT_KNEE: (0.45, 0.7),
           L.LEFT_ANKLE: (0.56, 0.9), L.RIGHT_ANKLE: (0.44, 0.9), L.LEFT_FOOT_INDEX: (0.57, 0.93),
           L.RIGHT_FOOT_INDEX: (0.43, 0.93)}
    for j, (x, y) in pts.items():
        lm[:, j, 0] = x + jitter * rng.standard_normal(n)
        lm[:, j, 1] = y + jitter * rng.standard_normal(n)
        lm[:, j, 2:] = (0.0, 0.99)
    return lm


def test_frame_hints():
    lm = standing(1)[0]
    assert frame_hint(lm, 0.3) == ""
    assert frame_hint(np.full((33, 4), np.nan), 0.3) == NO_PERSON
    feet_out = lm.copy()
    feet_out[L.LEFT_ANKLE, 1] = 1.04  # MediaPipe places an out-of-frame landmark past the edge
    assert frame_hint(feet_out, 0.3).startswith("Step back: feet")
    far_foot_hidden = lm.copy()
    far_foot_hidden[[L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX], 3] = 0.1  # side view: one foot behind the other
    assert frame_hint(far_foot_hidden, 0.3) == ""


def test_calibrates_after_two_still_seconds_with_hand_computed_baseline():
    t = np.arange(75) / 30.0  # 2.47 s
    lm = standing(75)
    cal, hint = try_calibrate(lm, t, SIZE, first=100, profile=load_profile())
    assert hint == "" and cal is not None
    # leg: hip (550,500) -> knee (550,700) -> ankle (560,900): 200 + sqrt(10^2 + 200^2)
    assert cal.leg_length_px == pytest.approx(200 + math.hypot(10, 200))
    assert cal.hip_width_px == pytest.approx(100.0)
    # ankles 120 px apart, hip landmarks 100 px: 1.2 landmark widths, 1.2 x 1.18 hip-joint widths
    assert cal.stance_width_ratio == pytest.approx(1.2 * load_profile()["pose.hip_landmark_spread_ratio"])
    assert cal.trunk_lean_deg == pytest.approx(0.0)
    assert cal.t_end == pytest.approx(74 / 30) and cal.last == 174
    assert cal.t_end - cal.t_start == pytest.approx(2.0, abs=1 / 30)


def test_no_calibration_while_moving_short_or_crouched():
    prof = load_profile()
    t = np.arange(75) / 30.0
    assert try_calibrate(standing(30), t[:30], SIZE, 0, prof) == (None, HOLD_STILL)  # only 1 s so far
    walking = standing(75)
    walking[:, :, 0] += np.linspace(0, 0.1, 75)[:, None]  # drifts 100 px = 0.25 leg lengths
    assert try_calibrate(walking, t, SIZE, 0, prof) == (None, HOLD_STILL)
    crouched = standing(75)
    crouched[:, L.LEFT_KNEE, 0] += 0.1  # the left knee bends ~53 deg
    assert try_calibrate(crouched, t, SIZE, 0, prof) == (None, HOLD_STILL)
    jitter = standing(75, jitter=0.002)  # 2 px of landmark noise is still standing
    assert try_calibrate(jitter, t, SIZE, 0, prof)[0] is not None
