"""The command line as a user meets it: one clear line and an exit code for bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import SHARED_VIDEOS, assert_valid_report

CLIP = SHARED_VIDEOS / "reverse_lunge_band_34side.mp4"


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True,
                          text=True, timeout=300, **kw)


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert words in lines[0].lower()


def test_missing_file(tmp_path):
    assert_one_line_error(run("analyze", str(tmp_path / "nope.mp4")), 2, "no such file")


def test_not_a_video(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 50)
    assert_one_line_error(run("analyze", str(fake)), 2, "not a readable video")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert_one_line_error(run("analyze", str(empty)), 2, "empty")


def test_directory(tmp_path):
    assert_one_line_error(run("analyze", str(tmp_path)), 2, "directory")


def empty_room(tmp_path):
    """A short real video with nobody in it."""
    import cv2
    import numpy as np

    path = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(20):
        writer.write(np.full((240, 320, 3), 40 + i, np.uint8))
    writer.release()
    return path


def test_missing_model_file(tmp_path):
    proc = run("analyze", str(empty_room(tmp_path)), "--model", str(tmp_path / "x.task"))
    assert_one_line_error(proc, 3, "model file not found")


def test_bad_profile(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text("[checks.knee]\nvalgus_degs = 3\n")
    proc = run("analyze", str(empty_room(tmp_path)), "--profile", str(profile))
    assert_one_line_error(proc, 4, "unknown setting")


def test_no_person(tmp_path):
    assert_one_line_error(run("analyze", str(empty_room(tmp_path))), 5, "no person")


@pytest.mark.skipif(not CLIP.is_file(), reason="shared clips not available")
@pytest.mark.slow
def test_json_and_csv_reports(tmp_path):
    proc = run("analyze", str(CLIP), "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv"),
               "--explain", "-v")
    assert proc.returncode == 0, proc.stderr
    assert "2 complete reps" in proc.stdout
    # --explain: every dip, here the three reps, with the gates they met; -v logs the same decisions
    assert "hip dips and the gates they met" in proc.stdout and "rep 3" in proc.stdout
    assert "ok duration" in proc.stdout
    assert proc.stderr.count("formcheck.reps: dip") == 3
    report = json.loads((tmp_path / "r.json").read_text())
    assert [d["outcome"] for d in report["explain"]] == ["rep 1", "rep 2", "rep 3"]
    assert report["schema_version"] == "formcheck-analysis/1"
    assert report["summary"]["reps_per_leg"]["left"] == 2
    frames = report["frames"]
    assert len(frames["t"]) == 191 and len(frames["left_knee_flexion_deg"]) == 191
    assert set(frames["phase"]) >= {"standing", "descending", "bottom", "ascending"}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert [r["complete"] for r in rows] == ["True", "True", "False"]
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temp files


@pytest.mark.skipif(not CLIP.is_file(), reason="shared clips not available")
@pytest.mark.slow
def test_json_to_stdout_is_pure_json():
    proc = run("analyze", str(CLIP), "--model", "lite", "--json", "-")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert_valid_report(report, "the report on stdout")
    assert report["model"] == "pose_landmarker_lite.task" and isinstance(report["mirror_pass"], bool)


@pytest.mark.skipif(not CLIP.is_file(), reason="shared clips not available")
@pytest.mark.slow
def test_feet_out_of_frame(tmp_path):
    import cv2

    cap = cv2.VideoCapture(str(CLIP))
    path = tmp_path / "cropped.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (640, 220))
    for _ in range(45):
        ok, frame = cap.read()
        writer.write(cv2.resize(frame, (640, 360))[:220])  # hips and up only
    writer.release()
    assert_one_line_error(run("analyze", str(path), "--model", "lite"), 6, "feet are out of frame")


@pytest.mark.slow
def test_truncated_video_keeps_the_partial_analysis_and_says_so(tmp_path):
    # an MJPEG AVI cut in the middle still decodes up to the cut; its header promises all frames
    import cv2

    from conftest import SAMPLES

    cap = cv2.VideoCapture(str(SAMPLES / "lunge_side_knee.mp4"))
    full = tmp_path / "full.avi"
    writer = None
    for _ in range(240):  # 8 s: the first two reps
        ok, img = cap.read()
        if writer is None:
            writer = cv2.VideoWriter(str(full), cv2.VideoWriter_fourcc(*"MJPG"), 30, img.shape[1::-1])
        writer.write(img)
    writer.release()
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) * 6 // 10])
    proc = run("analyze", str(cut), "--json", str(tmp_path / "r.json"), "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert 100 < report["summary"]["frames"] < 0.9 * 240
    assert any("truncated?" in w for w in report["warnings"]) and "truncated?" in proc.stderr
    assert report["summary"]["complete_reps"] >= 1  # the part that was read is analysed, not thrown away


def _still_image(path):
    import cv2
    import numpy as np

    cv2.imwrite(str(path.with_suffix(".jpg")), np.full((480, 640, 3), 128, np.uint8))
    path.write_bytes(path.with_suffix(".jpg").read_bytes())


def _audio_only(path):
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 8000)


@pytest.mark.parametrize("name, make, words", [
    ("photo.jpg", _still_image, "still image"),
    ("photo_named.mp4", _still_image, "still image"),  # an image with a video's name
    ("sound.wav", _audio_only, "not a readable video"),
    ("noise.mp4", lambda p: p.write_bytes(bytes(range(256)) * 800), "not a readable video"),
])
def test_files_that_are_not_videos(tmp_path, name, make, words):
    path = tmp_path / name
    make(path)
    assert_one_line_error(run("analyze", str(path)), 2, words)


def test_bench_real_without_labelled_clips_says_so(tmp_path):
    import os

    env = dict(os.environ, FORMCHECK_SHARED_VIDEOS=str(tmp_path))
    proc = run("bench", "real", "--json", str(tmp_path / "r.json"), env=env)
    assert_one_line_error(proc, 2, "no real-labels.json")
