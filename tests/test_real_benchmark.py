"""``formcheck bench real``: the scoring on hand-made analyses (fast), and today's real-footage
numbers held as floors on the real model (slow): they may only rise."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import SHARED_VIDEOS, shared_labels
from formcheck.bench.real import families, score_clip, summarise, table_rows
from formcheck.checks import Finding


def _finding(code: str, family: str) -> Finding:
    return Finding(code, family, "flagged", "left", "minor", 1.0, 0.0, "above", 0.0)


def _rep(bottom_frame: int, leg: str, variant: str, *mistakes: Finding, front: str = "", complete: bool = True,
         fps: float = 30.0):
    other = {"left": "right", "right": "left"}[leg]
    rep = SimpleNamespace(bottom_s=bottom_frame / fps, leg=leg, front_leg=front or other, variant=variant,
                          complete=complete)
    return SimpleNamespace(rep=rep, mistakes=list(mistakes))


def _analysis(*reps, view: str = "side"):
    return SimpleNamespace(reps=list(reps), view=view, warnings=[])


LABEL = {"fps": 30, "complete_reps": [3, 3], "not_reps": ["frames 0-60: walks out of the rack"],
         "reps": [{"bottom_frame": 100, "leg": "left", "variant": "reverse", "form": "clean"},
                  {"bottom_frame": 200, "leg": "right", "variant": "forward", "form": "clean: textbook"},
                  {"bottom_frame": 300, "leg": "left", "variant": "split_squat",
                   "form": ["posture: leans forward", "knee_placement: knee caves in"]}],
         "incomplete": [{"bottom_frame": 390, "why": "cut off"}]}


def test_form_labels_read_as_clean_or_families():
    assert families("clean: good depth") == (True, [])
    assert families(["posture: a", "foot_placement: b", "posture: c"]) == (False, ["foot_placement", "posture"])
    assert families(None) == (None, [])


def test_a_perfect_analysis_is_all_right():
    result = _analysis(_rep(104, "left", "reverse"),
                       _rep(195, "right", "forward", _finding("stepped_forward", "foot_placement")),
                       # a split squat's label names its FRONT leg; formcheck's leg is its back leg
                       _rep(302, "right", "split_squat", _finding("trunk_lean_forward", "posture"),
                            _finding("knee_caving_in", "knee_placement"), front="left"),
                       _rep(390, "left", "reverse", complete=False))
    clip = score_clip("x.mp4", LABEL, result)
    t = clip.tallies()
    assert clip.all_right, clip
    assert t["leg_right"] == t["leg_judged"] == 3 and t["variant_right"] == 3
    assert t["mistakes_found"] == t["mistakes_labelled"] == 2
    assert t["clean_reps"] == 2 and t["clean_reps_cued"] == 0  # stepped_forward on a forward rep is no false cue


def test_each_kind_of_error_is_counted():
    result = _analysis(_rep(30, "left", "reverse"),  # walking out of the rack: a listed not-rep
                       _rep(104, "right", "forward", _finding("stepped_forward", "foot_placement")),
                       _rep(200, "right", "forward", _finding("trunk_lean_side", "posture")),
                       _rep(300, "left", "split_squat", _finding("trunk_lean_forward", "posture"), front="right"),
                       _rep(395, "left", "reverse"))  # the labelled incomplete rep called complete
    clip = score_clip("x.mp4", LABEL, result)
    t = clip.tallies()
    assert clip.complete_reps == 5 and not clip.count_ok and not clip.all_right
    assert clip.phantoms == [30] and clip.not_reps_counted == [30]
    assert t["leg_right"] == 1 and t["leg_judged"] == 3  # rep 1 on the wrong leg, rep 3's front leg wrong
    assert t["variant_right"] == 2  # rep 1 called forward
    assert t["mistakes_found"] == 1 and t["mistakes_labelled"] == 2  # knee_placement missed
    assert t["clean_reps_cued"] == 2  # stepped_forward on a labelled reverse rep, trunk_lean_side on a clean one


def test_a_missed_rep_and_a_leg_pattern():
    label = {"fps": 30, "complete_reps": [3, 3],
             "reps": [{"bottom_frame": f, "leg": "alternating", "variant": "forward", "form": None}
                      for f in (100, 200, 300)]}
    alternating = score_clip("x.mp4", label, _analysis(_rep(100, "left", "forward"), _rep(200, "right", "forward"),
                                                       _rep(300, "left", "forward")))
    assert alternating.leg_pattern_ok is True and alternating.all_right
    one_leg = score_clip("x.mp4", label, _analysis(_rep(100, "left", "forward"), _rep(300, "left", "forward")))
    assert one_leg.leg_pattern_ok is False and not one_leg.count_ok
    assert one_leg.tallies()["matched_reps"] == 2 and not one_leg.all_right
    rows = table_rows({"clips": [one_leg.to_dict()], "summary": summarise([one_leg])})[1]
    assert rows[-1][0] == "all" and rows[0][2] == "2 (3)"


LABELS = shared_labels()

# Today's numbers on the real clips (full model): the floors may only rise.
FLOORS = {"count_in_range": 6, "clips_all_right": 6, "leg_right": 12, "variant_right": 29, "mistakes_found": 12}
CEILINGS = {"clean_reps_cued": 0, "phantoms": 0, "not_reps_counted": 0}


@pytest.mark.slow
@pytest.mark.skipif(not LABELS, reason=f"no real-labels.json clips in {SHARED_VIDEOS}")
def test_real_footage_numbers_never_fall(analyses):
    clips = [score_clip(name, entry, analyses(SHARED_VIDEOS / name)) for name, entry in LABELS.items()]
    s = summarise(clips)
    assert s["clips"] == len(LABELS)
    for key, floor in FLOORS.items():
        assert s[key] >= floor, (key, s)
    for key, ceiling in CEILINGS.items():
        assert s[key] <= ceiling, (key, s)
