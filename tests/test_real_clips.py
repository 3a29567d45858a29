"""The real model on real third-party footage (../shared/videos, per-rep labels in real-labels.json).

These pin behaviour the benchmark's tallies could hide; ``test_real_benchmark.py`` holds the
benchmark's floors.
"""

from __future__ import annotations

import pytest

from conftest import SHARED_VIDEOS, shared_labels

LABELS = shared_labels()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not LABELS, reason=f"no labelled clips in {SHARED_VIDEOS}")]


def _bottoms(clip: str) -> list[int]:
    return [r["bottom_frame"] for r in LABELS[clip]["reps"]]


def test_stepping_leg_is_known_where_labelled(analyses):
    result = analyses(SHARED_VIDEOS / "reverse_lunge_band_34side.mp4")
    assert result.reps_per_leg() == {"left": 2, "right": 0, "unknown": 0}
    assert [r.rep.variant for r in result.reps] == ["reverse"] * 3


def test_truncated_final_rep_is_incomplete_not_counted(analyses):
    clip = "reverse_lunge_band_34side.mp4"
    result = analyses(SHARED_VIDEOS / clip)
    last = result.reps[-1].rep
    assert not last.complete and "ended" in last.incomplete_reason
    assert abs(last.bottom_s * LABELS[clip]["fps"] - LABELS[clip]["incomplete"][0]["bottom_frame"]) < 15


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
    assert len(result.reps) - len(result.complete_reps) == len(LABELS["forward_lunge_side.mp4"]["incomplete"])


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
        for expected in _bottoms(clip):
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


def test_every_dip_is_explained(analyses):
    """Every rep is one explained dip, and every other dip names the gate that turned it away."""
    result = analyses(SHARED_VIDEOS / "split_squat_gym_rear_oblique.mp4")
    reps = [d for d in result.dips if d.rep is not None]
    assert [d.rep for d in reps] == [r.rep.index for r in result.reps]
    for d in result.dips:
        assert d.start_s <= d.bottom_s <= d.end_s and d.verdicts
        failed = {v.gate for v in d.verdicts if not v.passed}
        if d.rep is None:
            assert d.gate in failed
        else:
            kept = any(v.gate == "kept_split_stance" and v.passed for v in d.verdicts)
            assert "duration" not in failed and (not failed or kept)


def test_filmed_from_behind_the_split_squat_stays_a_split_squat_and_nothing_is_judged(analyses):
    """The gym clip: filmed from behind at an angle, a barbell split squat whose feet never move.
    It is a rear view (said in the summary), every rep a split squat on the labelled front leg,
    and no check is judged from behind (the back knee reads 19-31 deg there: depth_short was false)."""
    clip = "split_squat_gym_rear_oblique.mp4"
    result = analyses(SHARED_VIDEOS / clip)
    assert result.view == "rear-oblique"
    fronts = {r["leg"] for r in LABELS[clip]["reps"]}
    assert all(r.rep.variant == "split_squat" and r.rep.front_leg in fronts for r in result.complete_reps)
    for r in result.complete_reps:
        assert all(f.status == "not_assessed" for f in r.findings)
        # (hip_drop and hips_rotated keep their own reason: never judged from any view)
        assert sum("from behind" in f.reason for f in r.findings) >= len(r.findings) - 2
    # walking out of the rack (frames 0-66) is turned away: a step, not a rep
    walk_out = [d for d in result.dips if d.start_s * LABELS[clip]["fps"] < 66]
    assert walk_out and all(d.rep is None and d.gate == "ends_where_it_started" for d in walk_out)


def test_the_front_demos_correct_rep_stands_upright(analyses):
    """The front stance demo's correct rep: its trunk reads 1.5 deg off vertical. Read along the
    hip line, which tilts as the back knee drops, it read 10.2 deg against the 10 deg limit (then
    reported uncertain). The wrong rep (the feet land in one line) keeps its crossing cue. Its
    stance is read on the clip's first frames, where the person is still walking onto the mat
    (feet 0.52 hip-point widths apart mid-stride): 0.62 hip-joint widths since the stance is read
    in those, no longer under the 0.6 limit; the labelled fault is the landing, not that stance."""
    result = analyses(SHARED_VIDEOS / "forward_lunge_front_stance_demo.mp4")
    wrong, right = result.complete_reps
    assert "step_crosses_midline" in {f.code for f in wrong.mistakes}
    assert [f.code for f in right.mistakes] == ["stepped_forward"] and not right.uncertain
    assert abs(right.values["trunk_lean_side_deg"]) < 5.0


def test_gym_split_squat_count_is_in_the_labelled_range(analyses):
    """The step into the split stance (frames 114-145: the right foot brought in and stepped back)
    passes every gate of a lone dip; inside the set it has neither the set's stance (feet split
    0.13 of the set's) nor its depth (0.26), so it is turned away (``in_the_sets_stance``)."""
    clip = "split_squat_gym_rear_oblique.mp4"
    lo, hi = LABELS[clip]["complete_reps"]
    result = analyses(SHARED_VIDEOS / clip)
    assert lo <= len(result.complete_reps) <= hi
    step_in = [d for d in result.dips if 3.5 < d.bottom_s < 5.0]
    assert [d.gate for d in step_in] == ["in_the_sets_stance"]
