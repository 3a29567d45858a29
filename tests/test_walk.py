"""Walking backwards: the step detector by hand, then the real model on the rendered walk samples."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.exercises.reverse_walk import Step, _asymmetry, _cadence, _cadence_increase, _extremes
from formcheck.profile import load_profile

WALKS = sorted(p.stem for p in SAMPLES.glob("walk_*.json"))


def truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


# --- by hand ---------------------------------------------------------------------------------
PLATEAU = 0.25  # walk.plateau_share


def test_extremes_of_a_zigzag():
    # feet together for 1 s, then the split swings -0.2, +0.4, -0.4, +0.4 (a landing at each turn)
    t = np.arange(0, 5.0, 0.1)
    d = np.interp(t, [0, 1, 1.5, 2.5, 3.5, 4.5, 5], [0, 0, -0.2, 0.4, -0.4, 0.4, 0.4])
    # a landing is the first frame within a quarter swing (0.045) of the extreme: on the first ramp
    # (0.4/s) that is 0.1 s early, 1.4 s; on the others (1.2/s), the turn itself
    assert [round(float(t[i]), 1) for i in _extremes(d, 0.18, PLATEAU)] == [1.4, 2.5, 3.5, 4.5]
    # the same with noise of +-0.05 on every other frame: still four landings
    noisy = d + np.where(np.arange(len(t)) % 2, 0.05, -0.05)
    assert len(_extremes(noisy, 0.18, PLATEAU)) == 4
    # a wobble smaller than the prominence is no step
    assert _extremes(0.08 * np.sin(t * 6), 0.18, PLATEAU) == []  # swings 0.16 peak to peak


def steps_at(times: list[float], feet: str = "lr") -> list[Step]:
    return [Step(i + 1, {"l": "left", "r": "right"}[feet[i % len(feet)]], "backward", i, t, 0.4)
            for i, t in enumerate(times)]


def test_cadence_from_the_median_interval_without_stops():
    # landings every 0.75 s (80 steps/min) with a 3 s stop in the middle
    times = [0.0, 0.75, 1.5, 2.25, 5.25, 6.0, 6.75]
    cadence, gaps = _cadence(steps_at(times), stop_gap_s=2.0)
    assert cadence == pytest.approx(80.0) and max(gaps) == pytest.approx(3.0)


def test_cadence_jump_early_in_the_session():
    prof = load_profile()
    # 4 steps at 1.0 s (60/min), then 0.6 s (100/min): the pace rose by 2/3
    times = list(np.cumsum([0.0] + [1.0] * 4 + [0.6] * 8))
    rise, when = _cadence_increase(steps_at(times), prof)
    assert rise == pytest.approx(1.0 / 0.6 - 1.0) and when == pytest.approx(times[8])
    steady = list(np.arange(13) * 0.75)
    assert _cadence_increase(steps_at(steady), prof)[0] == pytest.approx(0.0)


def test_asymmetry_of_medians():
    # left steps 0.4, right 0.6: |0.4 - 0.6| / 0.5 = 0.4, the left is the shorter
    assert _asymmetry({"left": [0.4, 0.4, 0.5, 0.3], "right": [0.6, 0.6]}) == (pytest.approx(0.4), "left")
    assert math.isnan(_asymmetry({"left": [], "right": [0.6]})[0])


# --- the real model on the samples -------------------------------------------------------------
def test_walk_samples_exist():
    assert {"walk_back_side", "walk_back_front", "walk_forward_side"} <= set(WALKS) and len(WALKS) >= 6


@pytest.mark.parametrize("name", WALKS)
def test_steps_within_one_and_the_right_checks(analyses_walk, name):
    gt = truth(name)
    result = analyses_walk(SAMPLES / f"{name}.mp4")
    w = result.walk
    if gt["direction"] == "forward":
        assert w.direction == "forward" and not w.backward_steps  # said, and nothing counted as backward
        assert not w.mistakes
        return
    assert w.direction == "backward"
    assert abs(len(w.backward_steps) - gt["step_count"]) <= 1
    true_feet = {f: sum(1 for s in gt["steps"] if s["foot"] == f) for f in ("left", "right")}
    assert all(abs(w.steps_per_foot()[f] - true_feet[f]) <= 1 for f in true_feet)
    assert w.values["cadence_spm"] == pytest.approx(gt["cadence_spm"], rel=0.15) or gt.get("mistakes")
    flagged = {f.code for f in w.mistakes}
    unseen = {f.code for f in w.findings if f.status == "not_assessed"}
    assert flagged == set(gt["mistakes"]) - unseen, (flagged, gt["mistakes"])
    assert not set(gt["mistakes"]) & unseen  # every sample is filmed from a view that shows its mistakes


def test_side_step_lengths_match_the_truth(analyses_walk):
    gt = truth("walk_back_side")
    w = analyses_walk(SAMPLES / "walk_back_side.mp4").walk
    assert w.values["step_length_ratio"] == pytest.approx(gt["step_length_ratio_median"], abs=0.08)
    landings = np.array([s["land_s"] for s in gt["steps"]])
    for s in w.backward_steps:  # each detected landing is within 0.2 s of a true one, same foot
        k = int(np.argmin(np.abs(landings - s.t)))
        assert abs(landings[k] - s.t) < 0.2 and gt["steps"][k]["foot"] == s.foot


@pytest.mark.slow
def test_cli_walk_summary_json_and_csv(tmp_path):
    clip = SAMPLES / "walk_back_side.mp4"
    proc = subprocess.run([sys.executable, "-m", "formcheck.cli", "analyze", str(clip), "--exercise", "reverse-walk",
                           "--json", str(tmp_path / "w.json"), "--csv", str(tmp_path / "w.csv"),
                           "--html", str(tmp_path / "w.html")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "backward steps" in proc.stdout and "cadence" in proc.stdout
    report = json.loads((tmp_path / "w.json").read_text())
    assert report["walk"]["direction"] == "backward" and report["summary"]["backward_steps"] >= 11
    rows = (tmp_path / "w.csv").read_text().splitlines()
    assert rows[0] == "step,foot,direction,t_s,length_ratio" and len(rows) == 1 + len(report["walk"]["steps"])
    html = (tmp_path / "w.html").read_text()
    assert "Walking backwards report" in html and html.count('<svg class="plot"') == 3


def test_live_counts_the_same_steps(analyses_walk):
    """The live session (same analysis on a rolling window) counts what analyze counts."""
    from formcheck.live.session import LiveSession

    result = analyses_walk(SAMPLES / "walk_back_side.mp4")
    s = result.series  # feed the smoothed landmarks frame by frame, as the live loop would
    session = LiveSession(s.image_size, load_profile(), exercise="reverse-walk")
    start = time.monotonic()
    for i in range(len(s)):  # at the video's own pace, as a camera delivers it
        time.sleep(max(0.0, start + float(s.t[i] - s.t[0]) - time.monotonic()))
        session.add(float(s.t[i]), s.image[i], s.world[i], time.monotonic())
    final = session.finish()
    assert session.calibration is not None and session.calibration.t_end < 2.6
    live = [(x.foot, round(x.t, 1)) for x in session.steps]
    offline = [(x.foot, round(x.t, 1)) for x in final.walk.backward_steps]
    assert len(live) >= len(offline) - 1  # the last landing may come too close to the end to settle
    assert [f for f, _ in live] == [f for f, _ in offline][: len(live)]
    assert all(abs(a - b) <= 0.15 for (_, a), (_, b) in zip(live, offline, strict=False))


@pytest.fixture(scope="module")
def analyses_walk():
    from formcheck import analyze_video

    cache: dict = {}

    def get(path):
        if path not in cache:
            cache[path] = analyze_video(path, exercise="reverse-walk")
        return cache[path]

    return get


def test_walk_benchmark_scoring_by_hand():
    from formcheck.bench.walking import FAULTS, summarise_walks

    def clip(direction, error, true=(), flagged=(), unseen=()):
        return {"direction": direction, "direction_ok": True, "step_error": error,
                "codes": {c: {"true": c in true, "flagged": c in flagged, "assessed": c not in unseen}
                          for c in FAULTS}}

    scores = [clip("backward", 0, true=("walk_slouching",), flagged=("walk_slouching",)),
              clip("backward", 1, true=("walk_unsteady",), unseen=("walk_unsteady",)),  # side: cannot see sway
              clip("backward", -2, flagged=("walk_uneven_steps",)),  # a clean walk with a false flag
              clip("forward", 0)]
    s = summarise_walks(scores)
    assert (s["steps_exact"], s["steps_within_one"], s["step_mae"]) == (2, 3, 0.75)
    assert s["codes"]["walk_slouching"] == {"tp": 1, "fp": 0, "fn": 0, "f1": 1.0, "not_assessed_positives": 0}
    assert s["codes"]["walk_unsteady"]["not_assessed_positives"] == 1 and s["codes"]["walk_unsteady"]["f1"] is None
    assert s["codes"]["walk_uneven_steps"]["fp"] == 1 and s["codes"]["walk_uneven_steps"]["f1"] == 0.0
    assert (s["clean_walks"], s["clean_walks_flagged"]) == (1, 1)


def test_walk_benchmark_specs_are_reproducible_and_varied():
    from formcheck.bench.walking import walk_spec

    specs = [walk_spec(s) for s in range(40)]
    assert repr(walk_spec(3)) == repr(walk_spec(3))
    assert {s.view for s in specs} == {"side", "front"}
    assert {s.direction for s in specs} == {"backward", "forward", "stand"}
    assert sum(bool(s.mistakes) for s in specs) >= 8


def test_a_person_found_in_few_frames_is_said(analyses_walk):
    from dataclasses import replace as dc_replace

    from formcheck.analysis import analyze_series

    s = analyses_walk(SAMPLES / "walk_back_side.mp4").series
    image = s.image.copy()
    image[len(s) // 3:] = np.nan  # found in the first third only: as a person too small for the detector
    result = analyze_series(dc_replace(s, image=image), "reverse-walk")
    assert any("found in only 33% of the frames" in w for w in result.warnings)
    assert not any("found in only" in w for w in analyses_walk(SAMPLES / "walk_back_side.mp4").warnings)
