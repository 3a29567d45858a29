"""The benchmark's scoring and truth rules on hand-built cases (no video, no model)."""

from __future__ import annotations

import pytest

from formcheck.bench.accuracy import by_view, merge_reports
from formcheck.bench.scoring import FLAGGED, NOT_ASSESSED, OK, ClipScore, CodeTally, match_reps, summarise, tally
from formcheck.bench.table import table_rows
from formcheck.bench.truth import (
    BORDER,
    NEG,
    POS,
    RULES,
    UNKNOWN,
    assessable_codes,
    combine,
    real_truth,
    rendered_rep_labels,
    rule_label,
    view_class,
)
from formcheck.profile import load_profile

PROFILE = load_profile()
TRUNK = next(r for r in RULES if r.code == "trunk_lean_forward")  # threshold 20 deg, band 5


@pytest.mark.parametrize(("value", "label"), [(26.0, POS), (24.0, BORDER), (15.5, BORDER), (14.0, NEG),
                                              (None, UNKNOWN), (float("nan"), UNKNOWN)])
def test_rule_label_uses_the_profile_threshold_and_band(value, label):
    assert rule_label(TRUNK, value, PROFILE) == label


def test_combine_prefers_present_then_borderline():
    assert combine([NEG, POS]) == POS
    assert combine([NEG, BORDER]) == BORDER
    assert combine([NEG, NEG]) == NEG
    assert combine([UNKNOWN]) == UNKNOWN


def test_depth_short_is_present_when_either_knee_is_short():
    # front 90 (fine), back 40 (60 - 40 = 20 past the threshold, band 8): present
    rep = {"variant": "reverse", "true_values": {"front_knee_flexion_deg": 90.0, "back_knee_flexion_deg": 40.0}}
    labels = rendered_rep_labels(rep, PROFILE)
    assert labels["depth_short"] == POS
    assert labels["stepped_forward"] == NEG
    assert labels["stance_too_wide"] == UNKNOWN  # no stance value in this rep's truth


def test_forward_lunge_must_be_flagged_stepped_forward():
    assert rendered_rep_labels({"variant": "forward", "true_values": {}}, PROFILE)["stepped_forward"] == POS


def test_assessable_codes_follow_the_checks_views():
    assert "knee_caving_in" in assessable_codes("front")
    assert "knee_caving_in" not in assessable_codes("side")
    assert "hip_drop" not in assessable_codes("front")  # unavailable with this pose model
    assert "stepped_forward" in assessable_codes("oblique")


@pytest.mark.parametrize(("label", "pred", "assessable", "field"), [
    (POS, FLAGGED, True, "tp"), (POS, OK, True, "fn"), (POS, NOT_ASSESSED, True, "fn"),
    (POS, OK, False, "unseen_pos"), (NEG, FLAGGED, False, "fp"), (NEG, OK, True, "tn"),
    (BORDER, FLAGGED, True, "border_flagged")])
def test_tally_outcomes(label, pred, assessable, field):
    assert getattr(tally(label, pred, assessable), field) == 1


def test_precision_recall_f1_by_hand():
    t = CodeTally(tp=8, fp=2, fn=4)
    assert t.precision == pytest.approx(0.8)
    assert t.recall == pytest.approx(8 / 12)
    assert t.f1 == pytest.approx(2 * 0.8 * (8 / 12) / (0.8 + 8 / 12))
    assert CodeTally().f1 is None


def test_match_reps_pairs_closest_bottoms_once():
    # found 2.1 is closest to true 2.0; true 2.4 then takes nothing within 1 s but 2.1 (used): unmatched
    assert match_reps([2.0, 6.0, 2.4], [2.1, 5.5, 9.0]) == {0: 0, 1: 1}


def _score(true_counts, found_counts, same_leg=False):
    return ClipScore("c", "rendered", "side", true_counts, found_counts, same_leg, 0, 0, 0, 0)


def test_count_errors_exact_and_off_by_one():
    assert _score({"left": 3, "right": 2}, {"left": 3, "right": 2}).exact
    s = _score({"left": 3, "right": 2}, {"left": 4, "right": 2})
    assert s.count_errors == {"left": 1, "right": 0} and not s.exact
    # same leg, which one unsaid: the tool's main leg carries the count
    assert _score({"left": 5, "right": 0}, {"left": 0, "right": 5}, same_leg=True).exact


def test_summary_mae_normalised_as_repcount():
    a = _score({"left": 4, "right": 2}, {"left": 3, "right": 2})   # |1|/4 and 0/2
    b = _score({"left": 2, "right": 2}, {"left": 2, "right": 5})   # 0 and |3|/2
    s = summarise([a, b])
    assert s.mae_norm == pytest.approx((0.25 + 0 + 0 + 1.5) / 4)
    assert s.mae_abs == pytest.approx(4 / 4)
    assert s.obo_share == pytest.approx(3 / 4)
    assert s.exact_share == 0.0


def test_real_truth_reads_real_labels():
    """real-labels.json's reps: clean is negative for every code, a named mistake positive for its
    codes and negative for the rest, an unread description or an unjudged rep unknown; a split
    squat's labelled front leg becomes the back leg the tool names; views read as the tool's."""
    entry = {"fps": 30, "view": "three-quarter side, the person faces image-right", "complete_reps": [4, 4], "reps": [
        {"bottom_frame": 30, "leg": "left", "variant": "reverse", "form": "clean: trunk upright"},
        {"bottom_frame": 90, "leg": "left", "variant": "split_squat",
         "form": ["posture: trunk leans forward about 25 deg"]},
        {"bottom_frame": 150, "leg": "right", "variant": "forward", "form": ["knee_placement: something unread"]},
        {"bottom_frame": 210, "leg": "right", "variant": "reverse", "form": None}]}
    truth = real_truth(entry)
    assert truth["view"] == "oblique" and truth["complete_reps"] == 4 and truth["leg"] == "mixed"
    assert [r["bottom_s"] for r in truth["reps"]] == [1.0, 3.0, 5.0, 7.0]
    assert [r["leg"] for r in truth["reps"]] == ["left", "right", "right", "right"]
    clean, lean, unread, unjudged = (r["labels"] for r in truth["reps"])
    assert clean["knee_caving_in"] == NEG and clean["stepped_forward"] == NEG
    assert lean["trunk_lean_forward"] == POS and lean["depth_short"] == NEG
    assert unread["depth_short"] == UNKNOWN and unread["stepped_forward"] == POS
    assert unjudged["trunk_lean_forward"] == UNKNOWN


@pytest.mark.parametrize(("text", "view"), [("rear oblique: filmed from behind", "rear-oblique"),
                                            ("pure side, white studio", "side"), ("front, portrait phone", "front"),
                                            ("side, the person faces image-right", "side")])
def test_label_views_read_as_the_tools(text, view):
    assert view_class(text) == view


def test_clip_score_survives_json_and_pools_the_same():
    a = _score({"left": 3, "right": 2}, {"left": 3, "right": 1})
    a.codes = {"depth_short": CodeTally(tp=2, fp=1, fn=1)}
    a.clean_reps, a.clean_reps_cued = 4, 1
    back = ClipScore.from_dict(a.to_dict())
    assert back.count_errors == a.count_errors and back.exact == a.exact
    pooled, again = summarise([a]), summarise([back])
    assert again.codes["depth_short"].f1 == pooled.codes["depth_short"].f1 == pytest.approx(2 / 3)
    assert again.false_cue_rate == pooled.false_cue_rate == 0.25


def test_scores_pool_per_view_and_the_table_shows_them():
    """Per view, by hand: front 1 of 2 clips exact and 1 of 5 clean reps cued; side 1 of 1, 0 of 3."""
    front_ok = _score({"left": 2, "right": 2}, {"left": 2, "right": 2})
    front_off = _score({"left": 2, "right": 2}, {"left": 1, "right": 2})
    side_ok = _score({"left": 3, "right": 0}, {"left": 3, "right": 0})
    front_ok.view = front_off.view = "front"
    front_ok.clean_reps, front_off.clean_reps, front_off.clean_reps_cued = 2, 3, 1
    side_ok.clean_reps = 3
    views = by_view([front_ok, side_ok, front_off])
    assert list(views) == ["side", "front"]  # side, oblique, front order; views without clips left out
    assert views["front"]["clips"] == 2 and views["front"]["count_exact_share"] == 0.5
    assert views["front"]["clean_reps_cued"] == 1 and views["side"]["count_exact_share"] == 1.0
    report = {"schema": "formcheck-accuracy/1", "rendered_clips": 3, "models": {"full": {
        "clips": [c.to_dict() for c in (front_ok, side_ok, front_off)], "pose_fps": None}}}
    merged = merge_reports([report], first=3)  # pools again from the clips, per view too
    assert merged["models"]["full"]["rendered_by_view"] == views
    rows = {r[0]: r[1] for r in table_rows(merged)[1]}
    assert rows["exact clips by view (side / front)"] == "1/1 / 1/2"
    assert rows["clean reps cued by view (side / front)"] == "0/3 / 1/5"


def test_knee_past_toes_truth_reads_the_front_of_the_knee():
    """The generator stores the knee's joint centre past the toes; the truth adds the profile's
    knee depth (0.13 shin lengths), as the tool does: a centre 0.20 past is a front 0.33 past,
    present against 0.25 with a 0.08 band; a centre level with the toes (front 0.13) is clean."""
    assert PROFILE["checks.knee.knee_front_ratio"] == 0.13 and PROFILE["checks.knee.past_toes_ratio"] == 0.25
    label = lambda centre: rendered_rep_labels(  # noqa: E731
        {"variant": "reverse", "true_values": {"knee_past_toes_ratio": centre}}, PROFILE)["knee_past_toes"]
    assert label(0.20) == POS
    assert label(0.10) == BORDER
    assert label(0.0) == NEG
