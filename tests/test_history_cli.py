"""``formcheck history`` and the recording ``analyze`` does, as a user meets them.

The history commands run over sessions recorded from exact landmarks (fast lane); the analyses
that record run the real pose model (``--model lite``) on sample clips (slow lane): two at once, a
damaged, read-only or locked database, ``--no-history``, a batch, and the progress page in Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import SAMPLES
from formcheck.history import HistoryStore, Recorder, history_file
from test_history import CLIP, dump, exact_report, hand_session
from test_html_report import browser, open_page  # noqa: F401  (browser: a fixture, used here)

FEET = SAMPLES / "lunge_front_feet.mp4"


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True,
                          timeout=600, **kw)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture
def two_sessions(own_history) -> Path:
    """The history of two exact-landmark analyses: lunge_side_knee (id 1) and lunge_front_feet (id 2)."""
    with Recorder() as rec:
        rec.record(exact_report(), video=CLIP)
        rec.record(exact_report("lunge_front_feet"), video=FEET)
    return own_history


# --- the history commands (no pose model) --------------------------------------------------------

def test_the_table_of_sessions_and_the_trends(two_sessions):
    proc = cli("history", "--since", "all")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    text = proc.stdout
    assert "2 sessions, all sessions" in text
    assert "lunge_side_knee.mp4" in text and "lunge_front_feet.mp4" in text and "3 / 3" in text
    assert "83%" in text and "did not lower to about 90 degrees" in text  # lunge_side_knee's score and top mistake
    assert "reverse-lunge, week by week" in text and str(history_file()) in text


def test_an_empty_history_says_so(own_history):
    proc = cli("history")
    assert proc.returncode == 0 and "No sessions since" in proc.stdout and not history_file().exists()


@pytest.mark.parametrize("args, words", [(("--since", "soon"), "give days or weeks"),
                                         (("--since", "2099-01-01"), "in the future"),
                                         (("--exercise", "jumping-jacks"), "unknown exercise")])
def test_bad_options_are_one_line(own_history, args, words):
    proc = cli("history", *args)
    assert proc.returncode == 2 and len(lines(proc.stderr)) == 1 and words in proc.stderr, proc.stderr


def test_csv_to_stdout_has_every_rep(two_sessions):
    proc = cli("history", "--since", "all", "--csv", "-")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    reports = [exact_report(), exact_report("lunge_front_feet")]
    assert len(rows) == sum(len(r["reps"]) for r in reports)
    assert [float(r["depth_deg"]) for r in rows if r["session"] == "1"] == [
        r["values"]["front_knee_flexion_deg"] for r in reports[0]["reps"]]
    assert {r["source"] for r in rows} == {str(CLIP), str(FEET)}


def test_html_and_csv_files(two_sessions, tmp_path):
    proc = cli("history", "--since", "all", "--html", str(tmp_path / "p.html"), "--csv", str(tmp_path / "h.csv"))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp_path / 'p.html'}" in proc.stdout and f"wrote {tmp_path / 'h.csv'}" in proc.stdout
    assert (tmp_path / "p.html").read_text().count('<svg class="plot"') == 4
    assert len((tmp_path / "h.csv").read_text().splitlines()) == 1 + 12


def test_import_adds_reports_and_says_what_it_skipped(own_history, tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(exact_report()))
    (tmp_path / "notes.json").write_text("not a report")
    proc = cli("history", "import", str(tmp_path / "r.json"), str(tmp_path / "notes.json"))
    assert proc.returncode == 0, proc.stderr
    assert f"added {tmp_path / 'r.json'} as session 1" in proc.stdout
    assert lines(proc.stderr) == [f"warning: skipped {tmp_path / 'notes.json'}: not JSON"]
    again = cli("history", "import", str(tmp_path / "r.json"))
    assert again.returncode == 0 and "updated" in again.stdout
    nothing = cli("history", "import", str(tmp_path / "notes.json"))
    assert nothing.returncode == 2 and "skipped" in nothing.stderr


def test_forget(two_sessions):
    proc = cli("history", "forget", "1")
    assert proc.returncode == 0, proc.stderr
    assert "forgot session 1" in proc.stdout and "lunge_side_knee.mp4" in proc.stdout
    assert [r[0] for r in dump(history_file())["sessions"]] == [2]
    proc = cli("history", "forget", "1")
    assert proc.returncode == 2 and len(lines(proc.stderr)) == 1 and "no session 1" in proc.stderr


# --- recording from analyze (the real pose model) ------------------------------------------------

def short_clip(folder: Path, src: Path = CLIP, frames: int = 150) -> Path:
    """The first ``frames`` of a sample (5 s: the first rep): an analysis of a few seconds."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    dst = folder / f"short_{src.stem}.mp4"
    writer = None
    for _ in range(frames):
        ok, img = cap.read()
        assert ok
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), 30, img.shape[1::-1])
        writer.write(img)
    writer.release()
    cap.release()
    return dst


def analyze(video: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return cli("analyze", str(video), "--model", "lite", "-q", *args, **kw)


def warnings_of(proc: subprocess.CompletedProcess, alone: bool = True) -> list[str]:
    """The warning lines on stderr. ``alone``: failing unless stderr holds nothing else (``analyze -q``);
    else no other line may speak of the history (a batch's and a live session's own lines)."""
    found = [line for line in lines(proc.stderr) if line.startswith("warning:")]
    others = [line for line in lines(proc.stderr) if line not in found]
    assert not (others if alone else [line for line in others if "histor" in line]), proc.stderr
    return found


@pytest.mark.slow
def test_two_analyses_at_once_are_both_recorded_and_the_same_video_again_is_one_session(own_history):
    clips = [SAMPLES / "lunge_oblique_clean.mp4", SAMPLES / "walk_back_side.mp4"]
    procs = [subprocess.Popen([sys.executable, "-m", "formcheck.cli", "analyze", str(clip), "--model", "lite", "-q",
                               *(["--exercise", "reverse-walk"] if "walk" in clip.name else [])],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for clip in clips]
    outcomes = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outcomes]
    assert all("warning" not in err for _, err in outcomes), outcomes
    sessions = {s.session.source: s for s in HistoryStore.open().sessions()}
    assert set(sessions) == {str(c) for c in clips}
    lunge, walk = sessions[str(clips[0])], sessions[str(clips[1])]
    assert lunge.session.unit == "reps" and lunge.session.left_count + lunge.session.right_count >= 4 and lunge.reps
    assert walk.session.unit == "steps" and walk.session.left_count > 0 and not walk.reps and walk.findings
    proc = analyze(clips[0])  # the same video again: its session updated, not a third
    assert proc.returncode == 0, proc.stderr
    again = {s.session.source: s.id for s in HistoryStore.open().sessions()}
    assert again == {str(clips[0]): lunge.id, str(clips[1]): walk.id}


@pytest.mark.slow
def test_a_damaged_history_is_kept_aside_and_the_analysis_goes_on(own_history, tmp_path):
    clip = short_clip(tmp_path)
    own_history.mkdir()
    garbage = os.urandom(5000)
    history_file().write_bytes(garbage)
    proc = analyze(clip, "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["source"] == str(clip)
    [warning] = warnings_of(proc)
    [aside] = [p for p in own_history.glob("history.sqlite.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == garbage and aside.name in warning
    assert [s.session.source for s in HistoryStore.open().sessions()] == [str(clip)]


def _immutable(paths: list[Path], on: bool) -> bool:
    """chattr +i / -i: a file even root cannot write (ext4 and most local file systems)."""
    import shutil

    if shutil.which("chattr") is None:
        return False
    flag = "+i" if on else "-i"
    return all(subprocess.run(["chattr", flag, str(p)], capture_output=True).returncode == 0 for p in paths)


@pytest.mark.slow
def test_a_read_only_history_costs_one_warning(tmp_path, monkeypatch):
    """As root, whom permissions do not stop, the analysis runs as the unprivileged user (as in
    test_hard_scenes) or, where that user cannot run this checkout (a fresh clone in a private
    temp folder), the history and its folder are made immutable; otherwise they are made
    read-only."""
    import shutil

    from test_hard_scenes import _as_nobody, _folder_for_nobody

    def history_in(folder: Path) -> Path:
        monkeypatch.setenv("FORMCHECK_HOME", str(folder / "home"))
        with Recorder() as rec:
            rec.record(exact_report(), video=CLIP)
        return history_file()

    as_nobody = False
    if os.geteuid() == 0:
        try:
            folder = _folder_for_nobody()  # root's, open to all: the history in it is read-only to the user
            as_nobody = True
        except pytest.skip.Exception:
            pass
    if as_nobody:
        try:
            clip = short_clip(folder)
            path = history_in(folder)
            before = dump(path)
            (folder / "out").mkdir()
            (folder / "out").chmod(0o777)
            proc = _as_nobody("-m", "formcheck.cli", "analyze", str(clip), "--model", "lite", "-q", "--json",
                              str(folder / "out" / "r.json"), cwd=folder)
            written, after = (folder / "out" / "r.json").is_file(), dump(path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        clip = short_clip(tmp_path)
        path = history_in(tmp_path)
        before = dump(path)
        locked = [path, path.parent]
        if os.geteuid() == 0 and not _immutable(locked, True):
            pytest.skip("root, and neither the unprivileged user nor chattr +i can make the history read-only")
        if os.geteuid() != 0:
            path.chmod(0o444)
            path.parent.chmod(0o555)
        try:
            proc = analyze(clip, "--json", str(tmp_path / "r.json"))
        finally:
            if os.geteuid() == 0:
                _immutable(locked, False)
            path.parent.chmod(0o755)
        written, after = (tmp_path / "r.json").is_file(), dump(path)
    assert proc.returncode == 0 and written, proc.stderr
    [warning] = warnings_of(proc, alone=not as_nobody)  # as the other user, matplotlib warns of its cache
    assert "cannot be written" in warning and "--no-history" in warning
    assert after == before


@pytest.mark.slow
def test_a_locked_history_costs_one_warning(own_history, tmp_path):
    clip = short_clip(tmp_path)
    with Recorder() as rec:
        rec.record(exact_report(), video=CLIP)
    holder = sqlite3.connect(history_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock for the whole analysis
    try:
        proc = analyze(clip, "--json", str(tmp_path / "r.json"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 0 and (tmp_path / "r.json").is_file(), proc.stderr
    [warning] = warnings_of(proc)
    assert "busy" in warning
    assert len(dump(history_file())["sessions"]) == 1


@pytest.mark.slow
def test_no_history_records_nothing_and_a_batch_records_each_video(own_history, tmp_path):
    clips = [short_clip(tmp_path), short_clip(tmp_path, FEET)]
    assert analyze(clips[0], "--no-history").returncode == 0
    assert analyze(clips[0], env={**os.environ, "FORMCHECK_HISTORY": "0"}).returncode == 0
    assert not history_file().exists()
    proc = cli("analyze", *map(str, clips), "--model", "lite", "--out-dir", str(tmp_path / "out"), "--jobs", "2")
    assert proc.returncode == 0 and not warnings_of(proc, alone=False), proc.stderr
    assert sorted(s.session.source for s in HistoryStore.open().sessions()) == sorted(map(str, clips))


@pytest.mark.slow
def test_the_progress_page_in_a_browser(own_history, tmp_path, browser):  # noqa: F811
    now = datetime.now().astimezone()
    sessions = [hand_session(k, now - timedelta(days=days), reps) for k, (days, reps) in enumerate([
        (20, [("left", 80.0, None), ("right", 70.0, "posture")]),
        (15, [("left", 85.0, "knee_placement"), ("right", 75.0, None), ("right", 76.0, None)]),
        (6, [("left", 88.0, None), ("right", 84.0, "foot_placement")]),
        (1, [("left", 90.0, None), ("right", 88.0, None)])], 1)]
    with HistoryStore.open() as store:
        for s in sessions:
            store.save(s)
    proc = cli("history", "--html", str(tmp_path / "p.html"))
    assert proc.returncode == 0, proc.stderr
    page, problems, requests = open_page(browser, tmp_path / "p.html")
    assert problems == [] and requests == [(tmp_path / "p.html").as_uri()]  # the page itself, nothing else
    plots = page.locator("svg.plot")
    assert plots.count() == 4
    dots = [plots.nth(i).locator("circle.dot").count() for i in range(4)]
    assert dots == [2 * 4, 2 * 4, 4, 3 * 4]  # a dot per session: per leg, per leg, the gap, per family
    assert plots.nth(1).locator(".threshold").count() == 1 and plots.nth(2).locator(".threshold").count() == 2
    assert page.locator("#sessions tr").count() == 1 + 4
    assert "4 sessions" in page.inner_text("h2")
    box = plots.nth(0).bounding_box()
    assert box and box["width"] > 500
    page.close()


@pytest.mark.slow
def test_a_live_session_is_recorded_and_importing_its_file_finds_the_same_session(own_history, tmp_path):
    clip = short_clip(tmp_path, SAMPLES / "lunge_live_side.mp4", frames=240)  # the stand and the first rep
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = cli("live", "--source", str(clip), "--no-window", "--no-voice", "--model", "lite", "--save",
               str(tmp_path / "s.json"), env=env)
    assert proc.returncode == 0 and not warnings_of(proc, alone=False), proc.stderr
    saved = json.loads((tmp_path / "s.json").read_text())
    started = datetime.fromisoformat(saved["live"]["started_at"])
    assert abs((datetime.now().astimezone() - started).total_seconds()) < 120
    [s] = HistoryStore.open().sessions()
    assert s.session.kind == "live" and s.session.key == f"live:{saved['live']['started_at']}:{saved['source']}"
    assert s.session.started == started and len(s.reps) == len(saved["reps"])
    before = dump(history_file())
    proc = cli("history", "import", str(tmp_path / "s.json"))
    assert proc.returncode == 0 and f"updated {tmp_path / 's.json'} as session {s.id}" in proc.stdout
    assert dump(history_file()) == before  # the saved file makes exactly the rows the session recorded
