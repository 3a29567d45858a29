"""`formcheck live` replaying a sample as if it were a camera: headless, in a window, interrupted.

The real pose model runs on the rendered sample `lunge_live_side` (3 s stand to calibrate, then
six reverse lunges: rep 2 too shallow, rep 4 with a forward lean).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.live.voice import Voice

CLIP = SAMPLES / "lunge_live_side.mp4"
ENV = {k: v for k, v in os.environ.items() if k != "DISPLAY"}


def _ctrl_c_as_in_a_terminal() -> None:
    """A suite started in the background (``.ci/run &``) ignores SIGINT, and a Python child started
    that way keeps ignoring it: the session would then play to its end however often it is
    interrupted. A person at a terminal has Ctrl-C; so has this test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def live(*args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "formcheck.cli", "live", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or ENV,
                            preexec_fn=_ctrl_c_as_in_a_terminal, **kw)


def mistakes_per_rep(reps: list[dict]) -> list[tuple[str, set[str]]]:
    return [(r["leg"], {m["code"] for m in r["mistakes"]}) for r in reps if r["complete"]]


@pytest.fixture(scope="module")
def headless_session(tmp_path_factory):
    out = tmp_path_factory.mktemp("live") / "session.json"
    proc = live("--source", str(CLIP), "--no-window", "--no-voice", "--save", str(out))
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr
    return json.loads(out.read_text()), stdout, stderr


def test_replay_matches_analyze(headless_session, analyses):
    report, stdout, _ = headless_session
    offline = analyses(CLIP)
    expected = [(r.rep.leg, {f.code for f in r.mistakes}) for r in offline.complete_reps]
    assert len(expected) == 6
    assert mistakes_per_rep(report["reps"]) == expected  # the saved session
    counted = [(r["leg"], set(r["mistakes"])) for r in report["live"]["reps_counted_live"]]
    assert counted == expected  # what the window showed, rep by rep, as it happened
    assert report["summary"]["reps_per_leg"] == offline.summary()["reps_per_leg"]
    assert "6 complete reps (left 3, right 3)" in stdout


def test_cues_said_during_the_session(headless_session):
    report = headless_session[0]
    live_part = report["live"]
    assert live_part["calibration"]["t_end"] < 3.5  # the 3 s stand before rep 1
    cues = live_part["cues"]
    codes = [c["code"] for c in cues]
    # rep 2 (shallow) and rep 4 (lean) carry their mistakes; nothing is said about clean reps but praise
    assert codes.count("depth_short") == 1 and codes.count("trunk_lean_forward") == 1
    assert set(codes) <= {"depth_short", "trunk_lean_forward", "praise"}
    depth = next(c for c in cues if c["code"] == "depth_short")
    rep2 = [r for r in report["reps"] if r["complete"]][1]
    assert rep2["bottom_s"] < depth["t"] < rep2["end_s"]  # said at the bottom, while it can still help
    assert all(c["latency_ms"] is None or c["latency_ms"] < 1000 for c in cues)
    assert live_part["frames_processed"] > 0.8 * report["summary"]["frames"]


@pytest.mark.parametrize("stops", [[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT] * 20],
                         ids=["ctrl-c", "kill", "ctrl-c-repeated"])
@pytest.mark.slow
def test_ctrl_c_or_kill_saves_a_complete_session(tmp_path, stops):
    """An impatient user's further Ctrl-Cs land while the session is being wound up and saved."""
    out = tmp_path / "stopped.json"
    proc = live("--source", str(CLIP), "--no-window", "--no-voice", "--save", str(out))
    time.sleep(13)  # model load + three reps (rep 3 ends at ~12 s of video)
    for stop in stops:
        proc.send_signal(stop)
        time.sleep(0.01)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "session ended (interrupted)" in stderr
    report = json.loads(out.read_text())
    assert report["schema_version"] == "formcheck-analysis/1" and report["live"]["ended"] == "interrupted"
    assert 2 <= report["summary"]["complete_reps"] < 6
    assert len(report["frames"]["t"]) == report["summary"]["frames"]


def test_camera_that_cannot_be_opened(tmp_path):
    proc = live("--camera", "9", "--no-window", "--no-voice", "--save", str(tmp_path / "s.json"))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 7
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "camera 9 is not available" in lines[0]


@pytest.mark.slow
def test_camera_failing_mid_session_still_saves(tmp_path):
    # a "camera" given as a stream path: it delivers the clip's first 300 frames, then nothing more
    short = tmp_path / "short.mp4"
    _cut(CLIP, short, 300)
    out = tmp_path / "s.json"
    proc = live("--camera", str(short), "--no-window", "--no-voice", "--save", str(out))
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 7, stderr
    assert "stopped delivering frames" in stderr and "Traceback" not in stderr
    report = json.loads(out.read_text())
    assert report["live"]["ended"].endswith("stopped delivering frames") and report["summary"]["frames"] > 0


def _cut(src: Path, dst: Path, frames: int) -> None:
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer = None
    for _ in range(frames):
        ok, img = cap.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, img.shape[1::-1])
        writer.write(img)
    writer.release()
    cap.release()


def test_no_display_for_the_window(tmp_path):
    proc = live("--source", str(CLIP), "--no-voice", "--save", str(tmp_path / "s.json"))
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "use --no-window" in stderr


# --- the window, under Xvfb ----------------------------------------------------------------------
@pytest.fixture
def xvfb():
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is not installed (.ci/run installs it: apt-get install xvfb xdotool)")
    display = f":{90 + os.getpid() % 9}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    yield display
    server.terminate()
    server.wait(timeout=10)


def test_window_draws_the_overlay_and_q_quits(xvfb, tmp_path):
    from PIL import ImageGrab

    from formcheck.overlay import BONE

    out = tmp_path / "s.json"
    proc = live("--source", str(CLIP), "--no-voice", "--save", str(out), env=ENV | {"DISPLAY": xvfb})
    time.sleep(9)  # calibrated (3 s stand) and into rep 2
    shot = np.asarray(ImageGrab.grab(xdisplay=xvfb).convert("RGB"))
    subprocess.run(["xdotool", "search", "--name", "formcheck live", "windowfocus", "--sync", "key", "q"],
                   env=ENV | {"DISPLAY": xvfb}, timeout=20, check=False)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    report = json.loads(out.read_text())
    assert report["live"]["ended"] == "quit"
    # the skeleton is drawn in its own colour: many pixels of it, on a window of the video's shape
    bone_rgb = np.array(BONE[::-1])
    bone = np.all(np.abs(shot.astype(int) - bone_rgb) <= 12, axis=-1)
    assert bone.sum() > 400
    ys, xs = np.nonzero(bone)
    assert xs.max() - xs.min() > 40 and ys.max() - ys.min() > 200  # a whole body's height of bones
    # the rep counter box: white text on a dark box, top left
    top_left = shot[: shot.shape[0] // 4, : shot.shape[1] // 2]
    assert np.all(top_left >= 245, axis=-1).sum() > 300


# --- voice ---------------------------------------------------------------------------------------
def test_voice_never_blocks_and_the_newest_cue_wins():
    slow = [sys.executable, "-c", "import time; time.sleep(0.6)"]  # an 'engine' taking 0.6 s per cue
    with Voice(command=slow) as voice:
        voice.say("first")
        time.sleep(0.2)  # "first" is being spoken
        t0 = time.monotonic()
        voice.say("second")
        voice.say("third")
        assert time.monotonic() - t0 < 0.05
        time.sleep(2.0)
    assert voice.spoken == ["first", "third"]  # "second" was replaced before it began


def test_espeak_speaks_a_cue(tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is not installed (.ci/run installs it)")
    wav = tmp_path / "cue.wav"
    with Voice(command=["espeak-ng", "-s", "160", "-w", str(wav)]) as voice:
        voice.say("Chest up, keep your trunk upright")
        time.sleep(2.0)
    assert voice.spoken and wav.stat().st_size > 20000  # about 1.5 s of 22 kHz speech
