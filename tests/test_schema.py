"""The JSON report's schema (formcheck/report/schemas/): valid draft 2020-12, matched by real
reports of both exercises (and a live session's and a batch index's), failed by broken ones, and
in step with the closed sets the code defines."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from functools import cache

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from conftest import SAMPLES, assert_valid_report
from formcheck.analysis import SCHEMA_VERSION, analyze_series
from formcheck.batch import INDEX_SCHEMA
from formcheck.report.json_report import to_json
from formcheck.report.schema import SCHEMA_FILES, load_schema, schema_text
from formcheck.series import PoseSeries


@cache
def lunge_report() -> dict:
    """The report of a bundled sample's exact landmarks: reverse and forward lunges, a split
    squat and an incomplete rep, over two sets."""
    meta = json.loads((SAMPLES / "lunge_side_variants.json").read_text())
    npz = np.load(SAMPLES / "lunge_side_variants.truth.npz")
    size = tuple(meta["size"])
    result = analyze_series(PoseSeries.from_landmarks(npz["joints_px"] / np.array(size), npz["t"], size))
    return json.loads(to_json(result))


@cache
def walk_report() -> dict:
    """The report of a generated backward walk's exact landmarks (no render, no pose model)."""
    from formcheck.synth.clips import _clip_points
    from formcheck.synth.kinematics import sample_motion
    from formcheck.synth.render import place_camera
    from formcheck.synth.walking import WalkSpec, plan_walk

    spec = WalkSpec("schema_walk", steps=8)
    timeline, _ = plan_walk(spec)
    motion = sample_motion(timeline, spec.fps, spec.body, spec.arms)
    px, _ = place_camera(spec.camera, _clip_points(motion, spec.body), spec.size).project(motion.landmarks_m())
    series = PoseSeries.from_landmarks(px / np.array(spec.size), motion.t, spec.size)
    return json.loads(to_json(analyze_series(series, "reverse-walk")))


def short(report: dict, frames: int = 40) -> dict:
    """A copy of ``report`` with its per-frame columns cut to their first ``frames`` (the schema
    does not tie their length to anything): quick to copy and to validate."""
    out = copy.deepcopy({k: v for k, v in report.items() if k != "frames"})
    out["frames"] = {k: v[:frames] for k, v in report["frames"].items()}
    return out


@cache
def validator(name: str = SCHEMA_VERSION) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(doc: dict, name: str = SCHEMA_VERSION) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator(name).iter_errors(doc)]


def best_error(doc: dict, name: str = SCHEMA_VERSION) -> str:
    error = best_match(validator(name).iter_errors(doc))
    return "" if error is None else f"{error.json_path}: {error.message}"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_the_shipped_schemas_are_valid_draft_2020_12(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:formcheck:schema:" + SCHEMA_FILES[name].removesuffix(".schema.json")
    assert schema["properties"]["schema_version"]["const"] == name
    assert json.loads(schema_text(name)) == schema


def test_every_property_says_what_it_means():
    """Each property of the report's schema carries a description (its meaning and unit)."""
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, sub in node.items():
                if key in ("if", "then", "else", "allOf"):
                    continue  # conditions only narrow properties described where they are declared
                if key == "properties":
                    missing.extend(f"{where}/properties/{k}" for k, v in sub.items()
                                   if isinstance(v, dict) and "description" not in v)
                walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    for name in SCHEMA_FILES:
        schema = load_schema(name)
        assert schema["title"] and schema["description"]
        walk(schema, name)
    assert missing == []


def test_the_versions_are_the_codes():
    assert set(SCHEMA_FILES) == {SCHEMA_VERSION, INDEX_SCHEMA}


def test_a_lunge_report_matches_the_schema():
    report = lunge_report()
    assert errors(report) == []
    assert {r["variant"] for r in report["reps"]} == {"reverse", "forward", "split_squat"}
    assert not all(r["complete"] for r in report["reps"])  # an incomplete rep is in the sample too
    assert "walk" not in report and len(report["frames"]["t"]) == report["summary"]["frames"]


def test_a_walk_report_matches_the_schema():
    report = walk_report()
    assert errors(report) == []
    assert report["walk"]["direction"] == "backward" and report["walk"]["steps"] and report["walk"]["findings"]
    assert set(report["frames"]["phase"]) == {None}  # a walk has no rep phases


def test_a_short_report_and_one_without_its_frames_match_the_schema():
    """What the mutation tests below start from."""
    assert errors(short(lunge_report())) == [] and errors(short(walk_report())) == []
    report = short(lunge_report())
    del report["frames"]
    assert errors(report) == []


def test_a_live_session_matches_the_schema():
    report = short(lunge_report())
    report["live"] = {
        "ended": "interrupted",
        "calibration": {"first": 0, "last": 56, "t_start": 0.0, "t_end": 1.9, "leg_length_px": 188.129,
                        "hip_width_px": 8.805, "stance_width_ratio": 1.426, "trunk_lean_deg": -2.72},
        "reps_counted_live": [{"leg": "left", "set": 1, "bottom_s": 4.43, "end_s": 5.57, "mistakes": ["depth_short"]}],
        "steps_counted_live": [],
        "set_breaks_s": [12.5],
        "cues": [{"t": 5.6, "code": "depth_short", "text": "Go lower", "latency_ms": 80.2},
                 {"t": 9.1, "code": "praise", "text": "Good rep, keep it up", "latency_ms": None}],
        "frames_processed": 226, "frames_dropped": 2, "fps": 29.64, "frame_latency_ms_p50_p95": [28.3, 47.3],
    }
    assert errors(report) == []
    report["live"]["calibration"], report["live"]["frame_latency_ms_p50_p95"] = None, None
    assert errors(report) == []
    report["live"]["cues"][0]["code"] = "shout"
    assert "cues[0].code" in best_error(report)


def test_the_live_block_the_loop_writes_matches_the_schema():
    """``live.loop.session_extra`` of a session fed the live sample's exact landmarks, on top of
    the report ``finish`` makes of it: what ``formcheck live --save`` writes."""
    from formcheck.live.loop import LiveOutcome, LiveStats, session_extra
    from formcheck.live.session import LiveRep, LiveSession
    from formcheck.profile import load_profile

    meta = json.loads((SAMPLES / "lunge_live_side.json").read_text())
    npz = np.load(SAMPLES / "lunge_live_side.truth.npz")
    size = tuple(meta["size"])
    series = PoseSeries.from_landmarks(npz["joints_px"] / np.array(size), npz["t"], size)
    session = LiveSession(size, load_profile(), model="pose_landmarker_full.task", source="test")
    for k in range(len(series)):
        session.add(float(series.t[k]), series.image[k], series.world[k], captured_at=0.0)
    session.reps.append(LiveRep("left", 1, 2.1, 3.4, ("depth_short", "knee_past_toes")))  # a tuple, as counted
    stats = LiveStats(frames_processed=len(series), frames_captured=len(series), wall_s=4.0,
                      frame_latencies_s=[0.03, 0.05])
    outcome = LiveOutcome(session.finish(), session, stats, "end of video", False)
    assert outcome.session.calibration is not None
    assert_valid_report(to_json(outcome.analysis, extra=session_extra(outcome)), "the live session")


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["reps"][0].__setitem__("leg", "middle"), "$.reps[0].leg"),
    (lambda d: d["reps"][0].pop("bottom_pose"), "$.reps[0]"),
    (lambda d: d["reps"][0]["bottom_pose"].pop(), "$.reps[0].bottom_pose"),
    (lambda d: d["reps"][0]["bottom_pose"][3].append(0.5), "$.reps[0].bottom_pose[3]"),
    (lambda d: d.pop("summary"), "$"),
    (lambda d: d["summary"].__setitem__("complete_reps", "6"), "$.summary.complete_reps"),
    (lambda d: d["reps"][0]["values"].__setitem__("front_knee_flexion_deg", "92"),
     "$.reps[0].values.front_knee_flexion_deg"),
    (lambda d: d["frames"]["left_knee_flexion_deg"].__setitem__(5, "nan"), "$.frames.left_knee_flexion_deg[5]"),
    (lambda d: d["frames"]["phase"].__setitem__(5, "jumping"), "$.frames.phase[5]"),
    (lambda d: d.__setitem__("extra_key", 1), "$"),
    (lambda d: d["summary"].__setitem__("score", 1), "$.summary"),
    (lambda d: d["reps"][0]["values"].__setitem__("new_value_deg", 1.0), "$.reps[0].values"),
    (lambda d: d["reps"][0]["checks"][0].__setitem__("status", "bad"), "$.reps[0].checks[0].status"),
    (lambda d: d["reps"][0]["checks"][0].__setitem__("code", "walk_slouching"), "$.reps[0].checks[0].code"),
    (lambda d: d["reps"][0]["mistakes"].append(dict(d["reps"][0]["checks"][1], status="ok")),
     "$.reps[0].mistakes[0].status"),
    (lambda d: d["summary"]["mistake_counts"].__setitem__("not_a_code", 1), "$.summary.mistake_counts"),
    (lambda d: d.__setitem__("schema_version", "formcheck-analysis/2"), "$.schema_version"),
    (lambda d: d.__setitem__("exercise", "squat"), "$.exercise"),
    (lambda d: d.__setitem__("walk", walk_report()["walk"]), "$"),
])
def test_a_broken_lunge_report_fails(mutate, where):
    report = short(lunge_report())
    mutate(report)
    error = best_error(report)
    assert error.startswith(where + ":"), error


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d.pop("walk"), "$"),
    (lambda d: d["summary"].pop("cadence_spm"), "$.summary"),
    (lambda d: d["walk"]["steps"][0].__setitem__("foot", "unknown"), "$.walk.steps[0].foot"),
    (lambda d: d["walk"]["findings"][0].__setitem__("code", "depth_short"), "$.walk.findings[0].code"),
    (lambda d: d["walk"]["values"].pop("sway_ratio"), "$.walk.values"),
    (lambda d: d["walk"].__setitem__("direction", "sideways"), "$.walk.direction"),
])
def test_a_broken_walk_report_fails(mutate, where):
    report = short(walk_report())
    mutate(report)
    error = best_error(report)
    assert error.startswith(where + ":"), error


def test_assert_valid_report_fails_a_broken_report():
    report = short(lunge_report())
    assert_valid_report(report)
    report["reps"][0]["leg"] = "middle"
    with pytest.raises(pytest.fail.Exception, match=r"\$\.reps\[0\]\.leg"):
        assert_valid_report(report)
    with pytest.raises(pytest.fail.Exception, match="strict JSON"):
        assert_valid_report({"schema_version": SCHEMA_VERSION, "x": float("nan")})


def test_a_broken_report_in_tmp_path_is_found(tmp_path):
    """The scan behind the autouse fixture: reports only, and it names the broken one."""
    from conftest import invalid_reports

    good, bad = short(lunge_report()), short(lunge_report())
    bad["summary"]["sets"] = -1
    sub = tmp_path / "scan"
    sub.mkdir()
    (sub / "good.json").write_text(json.dumps(good, indent=1))
    (sub / "bad.json").write_text(json.dumps(bad, indent=1))
    (sub / "other.json").write_text(json.dumps({"schema_version": "something-else/1", "a": 1}))
    (sub / "notes.json").write_text("[1, 2, 3]")
    if hasattr(os, "mkfifo"):
        os.mkfifo(sub / "pipe.json")  # never opened: reading a pipe nobody writes to would block
    problems = invalid_reports(sub)
    assert len(problems) == 1 and "bad.json" in problems[0] and "$.summary.sets" in problems[0]
    (sub / "bad.json").unlink()  # the test's own teardown scans tmp_path: leave it clean


def test_the_schema_enums_are_the_codes_sets():
    """The closed sets the schema enumerates are the code's: a new check, view, phase, variant
    or per-frame series needs the schema (and its version) to change with it."""
    from formcheck.exercises import EXERCISES, reverse_lunge, reverse_walk
    from formcheck.metrics import METRIC_NAMES
    from formcheck.reps import PHASES
    from formcheck.view import VIEWS

    schema = load_schema()
    defs = schema["$defs"]
    assert defs["lunge_code"]["enum"] == list(dict.fromkeys(c.code for c in reverse_lunge.CHECKS))
    assert defs["walk_code"]["enum"] == list(dict.fromkeys(c.code for c in reverse_walk.CHECKS))
    assert set(defs["finding"]["properties"]["family"]["enum"]) == {c.family for e in EXERCISES.values()
                                                                     for c in e.CHECKS}
    assert set(defs["finding"]["properties"]["compare"]["enum"]) == {c.compare for e in EXERCISES.values()
                                                                      for c in e.CHECKS}
    assert schema["properties"]["exercise"]["enum"] == list(EXERCISES)
    assert defs["view"]["enum"] == [*VIEWS, ""]
    frames = schema["properties"]["frames"]["properties"]
    assert list(frames) == ["t", *METRIC_NAMES, "phase", "view"]
    assert frames["phase"]["items"]["enum"] == [*PHASES, None]
    assert frames["view"]["items"]["enum"] == [*VIEWS, None]


def test_the_batch_schema_enums_are_the_batch_modules():
    from formcheck.batch import ENGINES, FORMATS, SUMMARY_KEYS
    from formcheck.exercises import EXERCISES

    schema = load_schema(INDEX_SCHEMA)
    entry = schema["$defs"]["entry"]["properties"]
    assert entry["reports"]["propertyNames"]["enum"] == list(FORMATS)
    assert set(SUMMARY_KEYS) <= set(entry)
    assert schema["properties"]["run"]["properties"]["engine"]["enum"] == list(ENGINES)
    assert schema["properties"]["run"]["properties"]["exercise"]["enum"] == list(EXERCISES)
    summary = load_schema()["properties"]["summary"]["properties"]
    for key in SUMMARY_KEYS:  # an index entry's summary keys mean what the report's do
        assert {k: v for k, v in entry[key].items() if k != "description"} == \
            {k: v for k, v in summary[key].items() if k != "description"}, key


def test_the_values_are_the_exercises_values():
    """A rep's and a walk's values object lists exactly the values the exercises measure."""
    schema = load_schema()
    lunge_values = schema["$defs"]["rep"]["properties"]["values"]
    walk_values = schema["$defs"]["walk"]["properties"]["values"]
    assert list(lunge_values["properties"]) == list(lunge_report()["reps"][0]["values"])
    assert list(walk_values["properties"]) == list(walk_report()["walk"]["values"])


def test_a_batch_index_matches_its_schema():
    entry = {"video": "a.mp4", "name": "a", "status": "ok", "exit_code": 0, "error": None, "warnings": [],
             "view": "side"}
    summary = lunge_report()["summary"]
    from formcheck.batch import SUMMARY_KEYS

    ok = entry | {k: summary[k] for k in SUMMARY_KEYS if k in summary} | {
        "reports": {"json": "a.json", "html": "a.html"}, "seconds": 3.2}
    failed = {"video": "b.mp4", "name": "b", "status": "error", "exit_code": 2, "error": "cannot read b.mp4",
              "reports": {}, "seconds": 0.1}
    index = {"schema_version": INDEX_SCHEMA, "videos": [ok, failed],
             "summary": {"videos": 2, "ok": 1, "failed": 1},
             "run": {"engine": "local", "jobs": 2, "exercise": "reverse-lunge", "model": "lite", "seconds": 3.4}}
    assert errors(index, INDEX_SCHEMA) == []
    assert_valid_report(index, "the index")
    broken = copy.deepcopy(index)
    broken["videos"][1]["warnings"] = []  # an entry that failed has no report to take warnings from
    assert best_error(broken, INDEX_SCHEMA).startswith("$.videos[1]")
    broken = copy.deepcopy(index)
    broken["videos"][0]["exit_code"] = 3
    assert best_error(broken, INDEX_SCHEMA).startswith("$.videos[0].exit_code")
    walked = copy.deepcopy(index)
    walked["run"]["exercise"] = "reverse-walk"
    assert best_error(walked, INDEX_SCHEMA).startswith("$.videos[0]")  # a walk's entry has its steps
    summary = walk_report()["summary"]
    walked["videos"][0] |= {k: summary[k] for k in SUMMARY_KEYS if k in summary}
    assert errors(walked, INDEX_SCHEMA) == []


def test_load_schema_from_the_installed_package(tmp_path):
    """Read through importlib.resources from wherever formcheck is installed, in a fresh
    interpreter away from the checkout; no validator is imported to read it."""
    code = ("import sys, formcheck.report.schema as s; d = s.load_schema(); "
            "assert d['properties']['schema_version']['const'] == 'formcheck-analysis/1'; "
            "assert s.load_schema('formcheck-batch/1')['title'] and s.schema_text().startswith('{'); "
            "assert 'jsonschema' not in sys.modules, 'load_schema imported jsonschema'; print(s.__file__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    with pytest.raises(ValueError, match="unknown schema"):
        load_schema("formcheck-analysis/0")
