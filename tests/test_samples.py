"""The real pose model on the rendered sample videos, scored against their exact ground truth."""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLES
from formcheck.profile import load_profile

CLIPS = sorted(p.stem for p in SAMPLES.glob("*.json") if json.loads(p.read_text())["exercise"] == "reverse-lunge")


def truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


BORDER_DEG = 8.0  # a true knee angle this close to its threshold may go either way


def expected_mistakes(rep: dict) -> tuple[set[str], set[str]]:
    """(must be flagged, may be flagged) for one true rep.

    Must: the injected mistakes, and stepped_forward on a forward lunge. May: depth_short when an
    injected mistake changed the true knee angles near or past the depth thresholds (a step too
    long really does keep the back knee from bending), so the tool is scored on what happened.
    """
    profile = load_profile()
    must = set(rep["mistakes"]) | ({"stepped_forward"} if rep["variant"] == "forward" else set())
    values = rep["true_values"]
    margins = [values["front_knee_flexion_deg"] - profile["checks.knee.depth_front_min_flexion_deg"],
               values["back_knee_flexion_deg"] - profile["checks.knee.depth_back_min_flexion_deg"]]
    may = set()
    if min(margins) < -BORDER_DEG:
        must.add("depth_short")
    elif min(margins) < BORDER_DEG:
        may.add("depth_short")
    return must, may


def match(result, gt: dict) -> list[tuple]:
    """Pair detected reps with true reps by their bottom times (within 1 s)."""
    pairs = []
    for rep in gt["reps"]:
        found = [r for r in result.reps if abs(r.rep.bottom_s - rep["bottom_s"]) < 1.0]
        pairs.append((rep, found[0] if found else None))
    return pairs


def test_samples_exist():
    assert len(CLIPS) >= 8


@pytest.mark.parametrize("name", CLIPS)
def test_complete_reps_per_leg_exact(analyses, name):
    gt = truth(name)
    result = analyses(SAMPLES / f"{name}.mp4")
    got = result.reps_per_leg()
    assert (got["left"], got["right"]) == (gt["complete_reps_per_leg"]["left"], gt["complete_reps_per_leg"]["right"])
    assert len(result.reps) == len(gt["reps"])


@pytest.mark.parametrize("name", CLIPS)
def test_each_rep_leg_variant_and_completeness(analyses, name):
    result = analyses(SAMPLES / f"{name}.mp4")
    for rep, found in match(result, truth(name)):
        assert found is not None, f"rep {rep['index']} not found"
        got = (found.rep.leg, found.rep.variant, found.rep.complete)
        assert got == (rep["leg"], rep["variant"], rep["complete"]), f"rep {rep['index']}"


@pytest.mark.parametrize("name", CLIPS)
def test_injected_mistakes_flagged_on_the_right_rep_and_nothing_else(analyses, name):
    result = analyses(SAMPLES / f"{name}.mp4")
    for rep, found in match(result, truth(name)):
        assert found is not None
        got = {f.code for f in found.mistakes}
        must, may = expected_mistakes(rep)
        # A fault the view hides on this rep (valgus while the front thigh points at the camera)
        # may be "not assessed", and one read within the measurement's noise of its threshold
        # "uncertain" (shown, not cued); never passed.
        unseen = {f.code for f in found.findings if f.status in ("not_assessed", "uncertain")}
        assert must - unseen <= got <= must | may, f"rep {rep['index']}: got {sorted(got)}, expected {sorted(must)}"
        passed = {f.code for f in found.findings if f.status == "ok"} - got
        assert not passed & must, f"rep {rep['index']} passed a fault: {sorted(passed & must)}"


@pytest.mark.parametrize("name", [c for c in CLIPS if "clean" in c])
def test_clean_samples_get_no_mistake(analyses, name):
    result = analyses(SAMPLES / f"{name}.mp4")
    assert result.summary()["mistake_counts"] == {}


def test_view_is_recognised(analyses):
    for name in CLIPS:
        assert analyses(SAMPLES / f"{name}.mp4").view == truth(name)["view"], name


def test_sets_follow_the_pause(analyses):
    gt = truth("lunge_side_clean")
    result = analyses(SAMPLES / "lunge_side_clean.mp4")
    assert result.sets == gt["sets"]
    assert [r.rep.set for r in result.reps] == [rep["set"] for rep in gt["reps"]]


def test_knee_angles_match_ground_truth_in_side_view(analyses):
    """Front knee flexion at each rep's bottom, from the real model, vs the renderer's 3-D truth."""
    result = analyses(SAMPLES / "lunge_side_clean.mp4")
    for rep, found in match(result, truth("lunge_side_clean")):
        assert found.values["front_knee_flexion_deg"] == pytest.approx(rep["true_values"]["front_knee_flexion_deg"],
                                                                     abs=10)
