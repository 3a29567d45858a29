"""The progress history: keys, rows, migrations, a damaged / locked database, trends, CSV, the page.

Reports come from the generator's exact landmarks (``analyze_landmarks``), so nothing here runs
the pose model; the command line over real clips is in ``test_history_cli.py``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import math
import os
import shutil
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from conftest import HISTORY_HOME, SAMPLES
from formcheck.errors import InputError
from formcheck.history import HistoryError, HistoryStore, Recorder, history_file, import_reports
from formcheck.history.record import FindingRow, Origin, RepRow, SessionRecord, SessionRow
from formcheck.history.schema import VERSION
from formcheck.history.trends import first_and_last, leg_stats, parse_since, per_session, stats, weekly

UTC = timezone.utc
CLIP = SAMPLES / "lunge_side_knee.mp4"


@functools.cache
def _exact(name: str) -> dict:
    from formcheck import analyze_landmarks

    meta = json.loads((SAMPLES / f"{name}.json").read_text())
    npz = np.load(SAMPLES / f"{name}.truth.npz")
    analysis = analyze_landmarks(npz["joints_px"] / np.array(meta["size"], float), npz["t"], tuple(meta["size"]))
    # what analyze_video reports for the clip, with a perfect pose model: its source is the video
    return dataclasses.replace(analysis, source=str(SAMPLES / f"{name}.mp4")).to_dict(include_frames=False)


def exact_report(name: str = "lunge_side_knee") -> dict:
    """The report of a sample clip, from its exact landmarks (a fresh copy each time)."""
    return copy.deepcopy(_exact(name))


def dump(path: Path) -> dict[str, list]:
    """Every row of every table, in a stable order."""
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in ("sessions", "reps", "findings")}
    finally:
        conn.close()


def stored(path: Path | None = None) -> list[SessionRecord]:
    with HistoryStore.open(path) as store:
        return store.sessions()


# --- where it lives -------------------------------------------------------------------------------

def test_the_suite_never_writes_to_the_users_history():
    from platformdirs import user_data_dir

    assert os.environ["FORMCHECK_HOME"] == str(HISTORY_HOME)
    assert history_file() == HISTORY_HOME / "history.sqlite"
    assert not history_file().is_relative_to(Path(user_data_dir("formcheck", appauthor=False)))


def test_without_formcheck_home_it_is_the_users_data_folder(monkeypatch):
    from platformdirs import user_data_dir

    monkeypatch.delenv("FORMCHECK_HOME")
    assert history_file() == Path(user_data_dir("formcheck", appauthor=False)) / "history.sqlite"


# --- keys and rows --------------------------------------------------------------------------------

def test_the_rows_are_the_reports(own_history):
    from formcheck.profile import load_profile
    from formcheck.report.insights import form_score, top_fixes

    report = exact_report()
    with Recorder() as rec:
        session_id = rec.record(report, video=CLIP)
    assert rec.warnings == [] and session_id == 1
    [s] = stored()
    assert s.session.kind == "video" and s.session.source == str(CLIP) and s.session.exercise == "reverse-lunge"
    assert s.session.started == datetime.fromtimestamp(CLIP.stat().st_mtime, UTC).replace(microsecond=0)
    assert (s.session.left_count, s.session.right_count, s.session.sets) == (3, 3, 1)
    assert s.session.form_score == form_score(report)
    assert s.session.top_mistake == top_fixes(report, load_profile().section("cues.priority"))[0].code
    assert [(r.rep, r.leg, r.depth_deg, r.trunk_lean_deg, r.step_length_ratio, r.confidence) for r in s.reps] == [
        (r["index"], r["leg"], r["values"]["front_knee_flexion_deg"], r["values"]["trunk_lean_forward_deg"],
         r["values"]["step_length_ratio"], r["confidence"]) for r in report["reps"]]
    assert [(f.rep, f.code, f.family, f.status) for f in s.findings] == [
        (r["index"], c["code"], c["family"], c["status"]) for r in report["reps"] for c in r["checks"]]


def test_the_same_video_twice_is_one_session_updated(own_history, tmp_path):
    renamed = shutil.copy(CLIP, tmp_path / "monday.mp4")  # the same content under another name: the same set
    with Recorder() as rec:
        first = rec.record(exact_report(), video=CLIP)
        again = rec.record(exact_report() | {"source": str(renamed)}, video=renamed)
        walked = exact_report()
        walked["exercise"] = "reverse-walk"  # the same video analysed as another exercise: another session
        other = rec.record(walked, video=CLIP)
    assert rec.warnings == []
    assert first == again == 1 and other == 2
    rows = dump(history_file())
    assert len(rows["sessions"]) == 2 and len(rows["reps"]) == 2 * 6  # replaced, not added to
    assert rows["sessions"][0][4] == str(renamed)  # the row says where it was last analysed from


def test_history_import_records_exactly_what_a_fresh_analysis_does(tmp_path, monkeypatch):
    report = exact_report()
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(report, indent=1))
    with Recorder(tmp_path / "direct" / "history.sqlite") as rec:
        assert rec.record(report, video=CLIP) == 1
    results = import_reports([saved], tmp_path / "imported" / "history.sqlite")
    assert [(r.outcome, r.session_id) for r in results] == [("added", 1)]
    direct, imported = dump(tmp_path / "direct" / "history.sqlite"), dump(tmp_path / "imported" / "history.sqlite")
    assert direct == imported and len(direct["findings"]) > 50
    again = import_reports([saved], tmp_path / "imported" / "history.sqlite")
    assert [(r.outcome, r.session_id) for r in again] == [("updated", 1)]
    assert dump(tmp_path / "imported" / "history.sqlite") == direct


def test_import_says_why_it_skips_a_file(own_history, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(exact_report()))
    (tmp_path / "other.json").write_text(json.dumps({"schema_version": "something-else/1"}))
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "notes.json").write_text("not json at all")
    (tmp_path / "half.json").write_text(json.dumps({"schema_version": "formcheck-analysis/2", "reps": []}))
    names = ["good.json", "other.json", "list.json", "notes.json", "half.json", "missing.json"]
    results = {Path(r.path).name: r for r in import_reports([tmp_path / n for n in names])}
    assert results["good.json"].outcome == "added"
    assert "something-else/1 document" in results["other.json"].why
    assert "not a formcheck report" in results["list.json"].why
    assert results["notes.json"].why == "not JSON"
    assert "not a complete formcheck report" in results["half.json"].why
    assert results["missing.json"].why == "no such file"
    assert [r.outcome for r in results.values()].count("skipped") == 5 and len(stored()) == 1


def test_a_report_without_its_video_is_keyed_by_its_content(own_history, tmp_path):
    report = exact_report()
    report["source"] = "landmarks"
    for name in ("a.json", "b.json"):  # the same report saved twice: one session
        (tmp_path / name).write_text(json.dumps(report))
    assert [r.session_id for r in import_reports([tmp_path / "a.json", tmp_path / "b.json"])] == [1, 1]
    [s] = stored()
    assert s.session.kind == "report" and s.session.key.startswith("report:")


def test_a_live_session_is_keyed_by_its_start_and_source(own_history):
    report = exact_report("lunge_live_side")
    report["source"] = "camera 0"
    with Recorder() as rec:
        for start in ("2026-05-03T18:30:05+02:00", "2026-05-03T18:30:05+02:00", "2026-05-04T07:00:00+02:00"):
            rec.record(report | {"live": {"started_at": start}})
    sessions = stored()
    assert [s.session.kind for s in sessions] == ["live", "live"]
    assert [s.session.started_at for s in sessions] == ["2026-05-03T16:30:05+00:00", "2026-05-04T05:00:00+00:00"]


def test_forget_deletes_one_session_with_its_rows(own_history):
    with Recorder() as rec:
        a = rec.record(exact_report(), video=CLIP)
        b = rec.record(exact_report("lunge_front_feet"), video=SAMPLES / "lunge_front_feet.mp4")
    with HistoryStore.open() as store:
        gone = store.forget(a)
        assert gone is not None and gone.id == a and gone.session.source == str(CLIP)
        assert store.forget(a) is None and store.forget(999) is None
    rows = dump(history_file())
    assert [r[0] for r in rows["sessions"]] == [b]
    assert {r[0] for r in rows["reps"]} == {b} and {r[0] for r in rows["findings"]} == {b}


# --- the file: migrations, damage, locks ----------------------------------------------------------

V1 = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, started_at TEXT NOT NULL,
    source TEXT NOT NULL, exercise TEXT NOT NULL, view TEXT NOT NULL, model TEXT NOT NULL, profile_hash TEXT,
    formcheck_version TEXT NOT NULL, duration_s REAL NOT NULL, unit TEXT NOT NULL, left_count INTEGER NOT NULL,
    right_count INTEGER NOT NULL, unknown_count INTEGER NOT NULL, sets INTEGER NOT NULL);
CREATE TABLE reps (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, rep INTEGER NOT NULL,
    set_no INTEGER NOT NULL, leg TEXT NOT NULL, variant TEXT NOT NULL, complete INTEGER NOT NULL,
    bottom_s REAL NOT NULL, depth_deg REAL, trunk_lean_deg REAL, step_length_ratio REAL, confidence REAL NOT NULL,
    PRIMARY KEY (session_id, rep));
CREATE TABLE findings (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, rep INTEGER,
    code TEXT NOT NULL, family TEXT NOT NULL, status TEXT NOT NULL, side TEXT NOT NULL);
CREATE INDEX findings_by_session ON findings(session_id, rep);
INSERT INTO sessions VALUES (7, 'video:abc:reverse-lunge', 'video', '2026-05-02T17:00:00+00:00', 'old.mp4',
    'reverse-lunge', 'side', 'pose_landmarker_full.task', NULL, '0.1.0', 30.0, 'reps', 2, 1, 0, 1);
INSERT INTO reps VALUES (7, 1, 1, 'left', 'reverse', 1, 2.0, 85.0, 4.0, 1.0, 0.9),
    (7, 2, 1, 'right', 'reverse', 1, 5.0, 70.0, 12.0, 1.1, 0.8),
    (7, 3, 1, 'left', 'reverse', 1, 8.0, 88.0, 3.0, 1.0, 0.9),
    (7, 4, 1, 'left', 'reverse', 0, 11.0, NULL, NULL, NULL, 0.5);
INSERT INTO findings VALUES (7, 1, 'depth_short', 'knee_placement', 'ok', 'right'),
    (7, 1, 'depth_short', 'knee_placement', 'ok', 'left'), (7, 1, 'trunk_lean_forward', 'posture', 'ok', 'none'),
    (7, 2, 'depth_short', 'knee_placement', 'flagged', 'left'), (7, 2, 'depth_short', 'knee_placement', 'ok', 'right'),
    (7, 2, 'trunk_lean_forward', 'posture', 'flagged', 'none'), (7, 2, 'hip_drop', 'posture', 'not_assessed', 'none'),
    (7, 3, 'depth_short', 'knee_placement', 'ok', 'right'),
    (7, 3, 'trunk_lean_forward', 'posture', 'uncertain', 'none'),
    (7, 4, 'trunk_lean_forward', 'posture', 'flagged', 'none');
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_migrated_and_keeps_its_data(own_history):
    own_history.mkdir()
    conn = sqlite3.connect(history_file())
    conn.executescript(V1)
    conn.close()
    before = dump(history_file())
    with HistoryStore.open() as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == VERSION == 2
        [s] = store.sessions()
    after = dump(history_file())
    assert [row[:-2] for row in after["sessions"]] == before["sessions"]  # v2 adds two columns at the end
    assert after["reps"] == before["reps"] and after["findings"] == before["findings"]
    # filled in from the findings: complete reps 1-3 judged on (rep, code): (1, depth) ok, (1, trunk) ok,
    # (2, depth) flagged, (2, trunk) flagged, (3, depth) ok; hip_drop not assessed, rep 3's trunk uncertain
    # and rep 4 incomplete count neither way: 3 of 5 passed
    assert s.id == 7 and s.session.form_score == 60.0
    assert s.session.top_mistake == "depth_short"  # 1 rep each: depth_short comes first in the cue order
    with Recorder() as rec:  # and it takes new sessions
        assert rec.record(exact_report(), video=CLIP) == 8 and rec.warnings == []


def test_the_migration_fills_in_what_recording_writes(own_history, tmp_path):
    """v1 rows of a real report, migrated, hold the form score and top mistake a v2 recording does."""
    with Recorder(tmp_path / "v2" / "history.sqlite") as rec:
        rec.record(exact_report(), video=CLIP)
    [fresh] = stored(tmp_path / "v2" / "history.sqlite")
    own_history.mkdir()
    conn = sqlite3.connect(history_file())
    conn.executescript(V1.split("INSERT")[0])
    src = sqlite3.connect(tmp_path / "v2" / "history.sqlite")
    conn.execute("INSERT INTO sessions VALUES (" + ", ".join("?" * 16) + ")",
                 src.execute("SELECT * FROM sessions").fetchone()[:16])
    conn.executemany("INSERT INTO reps VALUES (" + ", ".join("?" * 11) + ")", src.execute("SELECT * FROM reps"))
    conn.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?)", src.execute("SELECT * FROM findings"))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    [migrated] = stored()
    assert migrated == fresh and migrated.session.form_score is not None and migrated.session.top_mistake


def test_a_database_from_a_newer_formcheck_is_left_alone(own_history):
    own_history.mkdir()
    conn = sqlite3.connect(history_file())
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(HistoryError, match="newer formcheck"):
        HistoryStore.open()
    with Recorder() as rec:
        assert rec.record(exact_report(), video=CLIP) is None
    assert len(rec.warnings) == 1 and "newer formcheck" in rec.warnings[0]
    assert sqlite3.connect(history_file()).execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_damaged_file_is_kept_aside_and_a_fresh_one_started(own_history):
    own_history.mkdir()
    garbage = os.urandom(3000)
    history_file().write_bytes(garbage)
    with Recorder() as rec:
        assert rec.record(exact_report(), video=CLIP) == 1
    [aside] = own_history.glob("history.sqlite.corrupt-*")
    assert aside.read_bytes() == garbage  # moved, never overwritten
    assert len(rec.warnings) == 1 and aside.name in rec.warnings[0] and "damaged" in rec.warnings[0]
    assert len(stored()) == 1


def test_a_damaged_page_found_while_writing_is_handled_the_same_way(own_history):
    """A file that opens (a sound header) but fails when written: moved aside, the session kept."""
    with Recorder() as rec:
        rec.record(exact_report(), video=CLIP)
    data = bytearray(history_file().read_bytes())
    size = len(data)
    for page in range(1, size // 4096):  # keep page 1 (the header and the schema): damage every other one
        data[page * 4096:(page + 1) * 4096] = b"\xff" * 4096
    history_file().write_bytes(bytes(data))
    for extra in own_history.glob("history.sqlite-*"):
        extra.unlink()
    with Recorder() as rec:
        session_id = rec.record(exact_report("lunge_front_feet"), video=SAMPLES / "lunge_front_feet.mp4")
    kept = [p for p in own_history.glob("history.sqlite.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(data)  # the damaged file, as it was
    assert session_id is not None and len(rec.warnings) == 1 and "damaged" in rec.warnings[0]


def test_a_locked_database_costs_one_warning_and_no_wait_beyond_the_timeout(own_history, monkeypatch):
    from formcheck.history import store

    with Recorder() as rec:
        rec.record(exact_report(), video=CLIP)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)
    holder = sqlite3.connect(history_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holding the write lock
    try:
        start = time.monotonic()
        with Recorder() as rec:
            assert rec.record(exact_report("lunge_front_feet"), video=SAMPLES / "lunge_front_feet.mp4") is None
            assert rec.record(exact_report("lunge_front_feet"), video=SAMPLES / "lunge_front_feet.mp4") is None
        assert time.monotonic() - start < 2.0  # the second gave up at once: recording was off after the first
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(rec.warnings) == 1 and "busy" in rec.warnings[0] and "--no-history" in rec.warnings[0]
    assert len(stored()) == 1


WRITER = """
import json, sys
from pathlib import Path
from formcheck.history import Recorder
report = json.loads(Path(sys.argv[1]).read_text())
with Recorder(Path(sys.argv[2])) as rec:
    for k in range(int(sys.argv[4])):
        report["source"] = f"landmarks-{sys.argv[3]}-{k}"  # each a session of its own (keyed by its content)
        assert rec.record(report) is not None, rec.warnings
"""


def test_two_processes_writing_at_once_both_land(tmp_path):
    import subprocess
    import sys

    saved, path = tmp_path / "r.json", tmp_path / "history.sqlite"
    saved.write_text(json.dumps(exact_report()))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(saved), str(path), str(w), "15"],
                                stderr=subprocess.PIPE, text=True) for w in range(2)]
    assert [p.wait(120) for p in writers] == [0, 0], [p.stderr.read() for p in writers]
    sources = {s.session.source for s in stored(path)}
    assert sources == {f"landmarks-{w}-{k}" for w in range(2) for k in range(15)}
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- trends, hand computed ------------------------------------------------------------------------

FAMILIES = ("foot_placement", "knee_placement", "posture")


def hand_session(sid: int, when: datetime, reps: list[tuple], not_assessed: tuple[str, ...] = ()) -> SessionRecord:
    """reps: (leg, depth, family with a mistake or None[, complete]); every complete rep is judged on
    each family (ok, or flagged for its mistake), except ``not_assessed`` families."""
    rows, findings = [], []
    for k, (leg, depth, bad, *complete) in enumerate(reps, 1):
        rows.append(RepRow(k, 1, leg, "reverse", complete == [] or complete[0], 2.0 * k, depth, 5.0, 1.0, 1.0))
        for family in FAMILIES:
            status = "not_assessed" if family in not_assessed else "flagged" if family == bad else "ok"
            findings.append(FindingRow(k, f"{family}_check", family, status, leg))
    done = [r for r in rows if r.complete]
    origin = Origin.at(f"video:{sid}:reverse-lunge", "video", when)
    session = SessionRow(origin.key, "video", origin.started_at, f"set{sid}.mp4", "reverse-lunge", "side", "full", None,
                         "0.2.0", 60.0, "reps", sum(r.leg == "left" for r in done),
                         sum(r.leg == "right" for r in done), 0, 1, None, None)
    return SessionRecord(session, tuple(rows), tuple(findings), id=sid)


def may(day: int, hour: int = 18) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


SESSIONS = [
    hand_session(1, datetime(2026, 4, 20, 18, tzinfo=UTC), [("left", 10.0, None)]),  # before the period
    hand_session(2, may(2), [("left", 80.0, None), ("left", 90.0, "knee_placement"), ("right", 70.0, "posture"),
                             ("left", 40.0, "knee_placement", False)]),  # the last one incomplete: left out
    hand_session(3, may(4), [("left", 100.0, None), ("right", 80.0, None), ("right", 90.0, None)],
                 not_assessed=("posture",)),
    hand_session(4, may(10), [("left", 90.0, None), ("left", 90.0, None), ("right", 90.0, "foot_placement")]),
    hand_session(5, may(15, 10), [("left", 95.0, None), ("right", 85.0, None)]),
]


def test_weekly_trends_per_leg():
    since, now = datetime(2026, 5, 1, tzinfo=UTC), may(15, 12)
    weeks = weekly(SESSIONS, since, now)
    assert [(w.start.day, w.end.day, w.stats.sessions) for w in weeks] == [(1, 8, 2), (8, 15, 1), (15, 22, 1)]
    w1, w2, w3 = (w.stats for w in weeks)
    # week 1: left 80, 90, 100 (one with a mistake), right 70 (a mistake), 80, 90
    assert (w1.legs["left"].count, w1.legs["left"].depth_deg, w1.legs["left"].mistake_rate) == (3, 90.0, 1 / 3)
    assert (w1.legs["right"].count, w1.legs["right"].depth_deg, w1.legs["right"].mistake_rate) == (3, 80.0, 1 / 3)
    assert w1.depth_gap_deg == 10.0 and w1.count_gap == 0
    # six complete reps judged on feet and knees; posture not assessed on session 3's three reps
    assert w1.families == {"foot_placement": 0.0, "knee_placement": 1 / 6, "posture": 1 / 3}
    assert (w2.legs["left"].count, w2.legs["left"].mistake_rate, w2.legs["right"].mistake_rate) == (2, 0.0, 1.0)
    assert w2.depth_gap_deg == 0.0 and w2.count_gap == 1
    assert w2.families == {"foot_placement": 1 / 3, "knee_placement": 0.0, "posture": 0.0}
    assert (w3.legs["left"].depth_deg, w3.legs["right"].depth_deg, w3.depth_gap_deg) == (95.0, 85.0, 10.0)
    first, last = first_and_last(weeks)
    assert (first.start.day, last.start.day) == (1, 15)
    assert first_and_last(weeks[:1]) is None


def test_a_leg_without_reps_has_no_depth_or_rate():
    only_left = [hand_session(9, may(3), [("left", 85.0, None)])]
    right = leg_stats(only_left, "right")
    assert right.count == 0 and math.isnan(right.depth_deg) and math.isnan(right.mistake_rate)
    assert math.isnan(stats(only_left).depth_gap_deg)
    assert [p.legs["left"].depth_deg for p in per_session(SESSIONS[1:3])] == [85.0, 100.0]


def test_weeks_start_at_the_first_session_when_the_period_is_all():
    weeks = weekly(SESSIONS, None, may(15, 12))
    assert weeks[0].start == datetime(2026, 4, 20, tzinfo=UTC) and weeks[0].stats.sessions == 1
    assert sum(w.stats.sessions for w in weeks) == 5


@pytest.mark.parametrize("text, expected", [
    ("30d", datetime(2026, 4, 16, tzinfo=UTC)),  # the last 30 days, today (May 15) included
    ("1d", datetime(2026, 5, 15, tzinfo=UTC)),
    ("2w", datetime(2026, 5, 2, tzinfo=UTC)),
    ("3 weeks", datetime(2026, 4, 25, tzinfo=UTC)),
    ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
    ("2026-05-01T06:30", datetime(2026, 5, 1, 6, 30, tzinfo=UTC)),
    ("2026-05-01T06:30+02:00", datetime(2026, 5, 1, 4, 30, tzinfo=UTC)),
    ("all", None),
])
def test_since(text, expected):
    assert parse_since(text, may(15, 18)) == expected


@pytest.mark.parametrize("text, words", [("0d", "at least one day"), ("soon", "give days or weeks"),
                                         ("2027-01-01", "in the future"), ("30x", "give days or weeks")])
def test_since_says_what_is_wrong(text, words):
    with pytest.raises(InputError, match=words):
        parse_since(text, may(15, 18))


def test_since_follows_the_local_day():
    plus2 = timezone(timedelta(hours=2))
    assert parse_since("1d", datetime(2026, 5, 15, 0, 30, tzinfo=plus2)) == datetime(2026, 5, 15, tzinfo=plus2)


# --- exports --------------------------------------------------------------------------------------

def test_csv_has_a_row_per_rep_with_its_sessions_columns():
    import csv
    import io

    from formcheck.history.export import history_csv

    walk = hand_session(6, may(12), [])
    walk = dataclasses.replace(walk, session=dataclasses.replace(walk.session, exercise="reverse-walk", unit="steps",
                                                                 left_count=9, right_count=8),
                               findings=(FindingRow(None, "walk_unsteady", "balance", "flagged", "none"),))
    rows = list(csv.DictReader(io.StringIO(history_csv([SESSIONS[1], walk]))))
    assert len(rows) == 4 + 1  # session 2's four reps (the incomplete one too), and the walk's one row
    assert [r["session"] for r in rows] == ["2"] * 4 + ["6"]
    assert [(r["rep"], r["leg"], r["depth_deg"], r["complete"], r["mistakes"]) for r in rows[:4]] == [
        ("1", "left", "80.0", "True", ""), ("2", "left", "90.0", "True", "knee_placement_check"),
        ("3", "right", "70.0", "True", "posture_check"), ("4", "left", "40.0", "False", "knee_placement_check")]
    assert rows[0]["source"] == "set2.mp4" and rows[0]["left_count"] == "2" and rows[0]["form_score"] == ""
    assert datetime.fromisoformat(rows[0]["started_at"]) == may(2)
    assert (rows[4]["unit"], rows[4]["left_count"], rows[4]["rep"], rows[4]["mistakes"]) == ("steps", "9", "",
                                                                                              "walk_unsteady")


def test_the_progress_page_is_self_contained():
    from formcheck.history.page import render_page

    page = render_page(SESSIONS[1:], datetime(2026, 5, 1, tzinfo=UTC), may(15, 12))
    assert page.count('<svg class="plot"') == 4
    assert page.count('class="dot"') >= 4 * 2 * 4 - 4  # a dot per session and line (the gap plot has one line)
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in page and "set5.mp4" in page and "May 01" in page
