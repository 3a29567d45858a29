"""The mirror pass: the real pose model on the mirrored frames, put back as a second opinion on
which leg is left (``pose.MirrorPass``, read by ``identity.swap_flags``)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import SAMPLES, assert_valid_report
from formcheck.api import analyze_video
from formcheck.pose import estimate_video
from formcheck.profile import load_profile
from formcheck.series import Landmark as L
from formcheck.series import mirrored_back
from formcheck.view_watch import TurnedWatch


def test_mirrored_back_exchanges_every_side_and_mirrors_x():
    image = np.random.default_rng(0).random((2, 33, 4))
    back = mirrored_back(image)
    assert np.allclose(back[:, L.LEFT_ANKLE, 0], 1.0 - image[:, L.RIGHT_ANKLE, 0])
    assert np.allclose(back[:, L.RIGHT_EAR, 1:], image[:, L.LEFT_EAR, 1:])  # y, z and visibility follow
    assert np.allclose(back[:, L.NOSE, 0], 1.0 - image[:, L.NOSE, 0])
    assert np.allclose(mirrored_back(back), image)  # its own inverse


def test_the_mirror_pass_reads_one_frame_per_interval_and_interpolates_the_rest():
    """The real model on 10 frames at 30 fps with ``pose.mirror_every_s`` 0.1: frames 0, 3, 6 and 9
    are read (a third of the inference), each others' landmarks lie on the line between the two
    read around it, and a landmark's own reading stands where it was read."""
    from formcheck.pose import MirrorPass, PoseEstimator
    from formcheck.sources import read_frames

    profile = load_profile()
    assert profile["pose.mirror_every_s"] == 0.1
    frames = [f for _, f in zip(range(10), read_frames(str(SAMPLES / "lunge_side_clean.mp4"), max_side=640),
                                strict=False)]
    with MirrorPass("lite", profile) as mirror:
        for frame in frames:
            mirror.offer(frame)
        rows = mirror.close()
    assert rows.shape == (10, 33, 4) and not np.isnan(rows).any()
    with PoseEstimator("lite", profile) as alone:  # the frames read, tracked as the pass tracks them
        read = [mirrored_back(alone.detect(np.ascontiguousarray(frames[k].image[:, ::-1]), frames[k].t)[0])
                for k in (0, 3, 6, 9)]
    for k, landmarks in zip((0, 3, 6, 9), read, strict=True):
        assert np.array_equal(rows[k], landmarks.astype(np.float32))
    for k in (1, 2, 4, 5, 7, 8):
        before, after = 3 * (k // 3), 3 * (k // 3) + 3
        w = (k - before) / 3
        np.testing.assert_allclose(rows[k], (1 - w) * rows[before] + w * rows[after], atol=1e-6)
    assert not np.allclose(rows[0], rows[9])  # the person moved: the test would see a wrong order


@pytest.fixture(scope="module")
def front_series():
    return estimate_video(str(SAMPLES / "lunge_front_clean.mp4"), mirror_pass=True, count_people=False)


def test_the_mirrored_run_lands_on_the_same_body_with_the_same_sides(front_series):
    """Put back, the mirrored run's landmarks sit on the person as filmed, and its left shoulder
    is the person's left shoulder (from the front the two are ~90 px apart): a wrong mapping would
    put every label on the other side."""
    s = front_series
    assert s.mirrored is not None and s.mirrored.shape == s.image.shape and s.capture.mirror_pass
    size = np.array(s.image_size, float)
    px, mx = s.image[:, :, :2] * size, s.mirrored[:, :, :2] * size
    seen = s.detected & ~np.isnan(mx[:, 0, 0])
    assert seen.mean() > 0.95
    nose_gap = np.linalg.norm(px[seen, L.NOSE] - mx[seen, L.NOSE], axis=-1)
    assert np.median(nose_gap) < 0.01 * size[0]
    own = np.linalg.norm(mx[seen, L.LEFT_SHOULDER] - px[seen, L.LEFT_SHOULDER], axis=-1)
    other = np.linalg.norm(mx[seen, L.LEFT_SHOULDER] - px[seen, L.RIGHT_SHOULDER], axis=-1)
    assert (own < other).mean() > 0.95


@pytest.mark.slow
def test_analyze_with_the_mirror_pass_counts_the_oblique_sample(tmp_path):
    """The CLI option end to end on the oblique sample: the true reps per leg, and the mirror
    pass recorded in the report, with one pose stream and with two (each chunk runs its own)."""
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(SAMPLES / "lunge_oblique_clean.mp4"),
           "--mirror-pass", "--json", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["mirror_pass"] is True
    truth = json.loads((SAMPLES / "lunge_oblique_clean.json").read_text())
    legs = [r["leg"] for r in truth["reps"] if r["complete"]]
    assert report["summary"]["reps_per_leg"]["left"] == legs.count("left")
    assert report["summary"]["reps_per_leg"]["right"] == legs.count("right")
    two = subprocess.run(cmd + ["--jobs", "2"], capture_output=True, text=True, timeout=600)
    assert two.returncode == 0, two.stderr
    report = json.loads(out.read_text())
    assert report["mirror_pass"] is True and report["mirror_pass_from_s"] == 0.0
    assert report["summary"]["reps_per_leg"]["left"] == legs.count("left")
    assert report["summary"]["reps_per_leg"]["right"] == legs.count("right")
    without = subprocess.run([c for c in cmd if c != "--mirror-pass"] + ["--no-mirror-pass"],
                             capture_output=True, text=True, timeout=600)
    assert without.returncode == 0, without.stderr
    assert json.loads(out.read_text())["mirror_pass"] is False


def _turned_frame(yaw_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """One frame's landmarks with the shoulders turned ``yaw_deg`` from the camera in both of the
    yaw's estimates: image shoulder width = cos(yaw) x 0.78 (the facing ratio) x torso length,
    and the world shoulder line (cos(yaw), 0, sin(yaw))."""
    image = np.full((33, 4), np.nan)
    world = np.full((33, 3), np.nan)
    half = 0.5 * np.cos(np.radians(yaw_deg)) * 0.78 * 0.2   # torso length 0.2 (normalised image)
    for lm, x, y in ((L.LEFT_SHOULDER, 0.5 + half, 0.4), (L.RIGHT_SHOULDER, 0.5 - half, 0.4),
                     (L.LEFT_HIP, 0.52, 0.6), (L.RIGHT_HIP, 0.48, 0.6)):
        image[lm] = (x, y, 0.0, 1.0)
    for lm, sign in ((L.LEFT_SHOULDER, 1.0), (L.RIGHT_SHOULDER, -1.0)):
        world[lm] = (sign * 0.2 * np.cos(np.radians(yaw_deg)), -0.5, sign * 0.2 * np.sin(np.radians(yaw_deg)))
    return image, world


def _first_turned_s(yaws: list[float], fps: float = 10.0) -> float | None:
    """Square image (the normalised coordinates are pixels alike in x and y)."""
    watch = TurnedWatch((100, 100), load_profile())
    for i, yaw in enumerate(yaws):
        if watch.seen_turned(*_turned_frame(yaw), i / fps):
            return i / fps
    return None


def test_the_watch_says_turned_once_a_full_window_reads_oblique_or_side():
    """The default window is 2 s and the front view ends at 22 deg: 45 (oblique) or 80 (side)
    from the first frame are turned once 2 s have been seen; a front view (10) never is; after
    3 s of front view, the median of the last 2 s (21 frames at 10 fps) turns when 11 of them are,
    at 3.0 + 1.0 s; 20 deg, just inside the front band, never does."""
    assert load_profile()["pose.mirror_watch_s"] == 2.0
    assert _first_turned_s([45.0] * 40) == pytest.approx(2.0)
    assert _first_turned_s([80.0] * 40) == pytest.approx(2.0)
    assert _first_turned_s([10.0] * 100) is None and _first_turned_s([20.0] * 100) is None
    assert _first_turned_s([10.0] * 30 + [45.0] * 40) == pytest.approx(4.0)
    assert _first_turned_s([10.0] * 30 + [80.0] * 40) == pytest.approx(4.0)
    nobody = np.full((33, 4), np.nan), np.full((33, 3), np.nan)
    watch = TurnedWatch((100, 100), load_profile())
    assert not any(watch.seen_turned(*nobody, i / 10.0) for i in range(50))


@pytest.mark.parametrize("name", ["lunge_oblique_clean", "lunge_side_clean"])
@pytest.mark.slow
def test_by_default_the_mirror_pass_starts_once_the_person_is_seen_turned(name):
    """The oblique and the side sample: the default mirror pass starts after the watch's 2 s
    window (the person stands turned from the first frame), and the reps per leg are right."""
    result = analyze_video(SAMPLES / f"{name}.mp4")
    d = result.to_dict(include_frames=False)
    assert_valid_report(d)
    assert d["mirror_pass"] is True and 2.0 <= d["mirror_pass_from_s"] < 3.0
    assert result.series.capture.mirror_pass is True
    truth = json.loads((SAMPLES / f"{name}.json").read_text())
    legs = [r["leg"] for r in truth["reps"] if r["complete"]]
    counts = result.reps_per_leg()
    assert (counts["left"], counts["right"]) == (legs.count("left"), legs.count("right"))


@pytest.mark.slow
def test_a_front_view_never_starts_the_default_mirror_pass():
    """From the front the mirrored run changed nothing on the benchmark but one split-squat set it
    put on the wrong leg: the front sample pays nothing for it."""
    front = analyze_video(SAMPLES / "lunge_front_clean.mp4").to_dict(include_frames=False)
    assert_valid_report(front)
    assert front["mirror_pass"] is False and front["mirror_pass_from_s"] is None
