"""Key r in live mode starts a new set: the saved session renumbers its sets at each break."""

from __future__ import annotations

import json

import numpy as np

from conftest import SAMPLES
from formcheck import analyze_landmarks
from formcheck.live.session import _with_set_breaks
from formcheck.report.json_report import to_json


def test_a_break_between_reps_starts_a_new_set_and_the_report_keeps_it():
    meta = json.loads((SAMPLES / "lunge_side_clean.json").read_text())
    npz = np.load(SAMPLES / "lunge_side_clean.truth.npz")
    analysis = analyze_landmarks(npz["joints_px"] / np.array(meta["size"], float), npz["t"], tuple(meta["size"]))
    reps = analysis.reps
    before = [1, 1, 1, 2, 2, 2]  # the clip's own pause after rep 3 already starts set 2
    assert [r.rep.set for r in reps] == before
    between = (reps[1].rep.end_s + reps[2].rep.start_s) / 2
    split = _with_set_breaks(analysis, [between, reps[-1].rep.end_s + 1.0])  # a break after the last rep: no set
    assert [r.rep.set for r in split.reps] == [1, 1, 2, 3, 3, 3] and split.sets == 3
    assert [r.rep.set for r in analysis.reps] == before  # the analysis it came from is unchanged
    assert [r["set"] for r in json.loads(to_json(split, include_frames=False))["reps"]] == [1, 1, 2, 3, 3, 3]
    assert _with_set_breaks(analysis, []) is analysis
