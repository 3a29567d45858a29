"""The real model on real third-party footage (../shared/videos, hand-counted labels.json)."""

from __future__ import annotations

import pytest

from conftest import SHARED_VIDEOS, shared_labels

LABELS = shared_labels()
pytestmark = pytest.mark.skipif(not LABELS, reason=f"no labelled clips in {SHARED_VIDEOS}")


@pytest.mark.parametrize("clip", sorted(LABELS))
def test_complete_rep_count_is_exact(analyses, clip):
    result = analyses(SHARED_VIDEOS / clip)
    assert len(result.complete_reps) == LABELS[clip]["complete_reps"]


def test_stepping_leg_is_known_where_labelled(analyses):
    result = analyses(SHARED_VIDEOS / "reverse_lunge_band_34side.mp4")
    assert result.reps_per_leg() == {"left": 2, "right": 0, "unknown": 0}
    assert [r.rep.variant for r in result.reps] == ["reverse"] * 3


def test_truncated_final_rep_is_incomplete_not_counted(analyses):
    result = analyses(SHARED_VIDEOS / "reverse_lunge_band_34side.mp4")
    last = result.reps[-1].rep
    assert not last.complete and "ended" in last.incomplete_reason
    assert abs(last.bottom_s * 30 - LABELS["reverse_lunge_band_34side.mp4"]["bottom_frames_approx"][2]) < 15


def test_good_form_gets_no_mistakes(analyses):
    result = analyses(SHARED_VIDEOS / "reverse_lunge_band_34side.mp4")
    assert [f.code for r in result.complete_reps for f in r.mistakes] == []


def test_forward_lunge_counted_and_said_to_step_forward(analyses):
    result = analyses(SHARED_VIDEOS / "forward_lunge_side.mp4")
    assert result.view == "side"
    for r in result.complete_reps:
        assert r.rep.variant == "forward"
        assert "stepped_forward" in [f.code for f in r.mistakes]
    # the fade-in and fade-out partial reps are reported, not counted
    assert len(result.reps) - len(result.complete_reps) == 2


def test_split_squat_trunk_lean_flagged_on_every_rep(analyses):
    result = analyses(SHARED_VIDEOS / "split_squat_side_trunk_lean.mp4")
    assert all(r.rep.variant == "split_squat" for r in result.complete_reps)
    leans = [r.values["trunk_lean_forward_deg"] for r in result.complete_reps]
    assert all(20 <= x <= 40 for x in leans), leans  # labels: about 23-32 deg at the bottom
    for r in result.complete_reps:
        assert "trunk_lean_forward" in [f.code for f in r.mistakes]


def test_bottoms_match_hand_labels(analyses):
    for clip in ("split_squat_side_trunk_lean.mp4", "forward_lunge_side.mp4"):
        result = analyses(SHARED_VIDEOS / clip)
        fps = LABELS[clip]["fps"]
        found = [r.rep.bottom_s * fps for r in result.complete_reps]
        for expected in LABELS[clip]["bottom_frames_approx"]:
            assert min(abs(f - expected) for f in found) <= 12, (clip, expected, found)


def test_no_lunge_clip_gives_no_reps_and_no_cues(analyses):
    result = analyses(SHARED_VIDEOS / "jumping_jacks_front.mp4")
    assert result.reps == []
    assert result.summary()["mistake_counts"] == {}


def test_side_view_checks_not_assessed_from_the_side(analyses):
    result = analyses(SHARED_VIDEOS / "split_squat_side_trunk_lean.mp4")
    statuses = {f.code: f for f in result.complete_reps[0].findings}
    assert statuses["knee_caving_in"].status == "not_assessed"
    assert "side view" in statuses["knee_caving_in"].reason
    assert statuses["knee_past_toes"].status in ("ok", "flagged")
