"""Shared fixtures: the real clips in ../shared/videos and cached analyses (the real model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.bench.dataset import shared_videos_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = shared_videos_dir()  # $FORMCHECK_SHARED_VIDEOS, else ../shared/videos
SAMPLES = ROOT / "sample_videos"

# Fixtures that run the real pose model, render a clip, drive a browser or a display: a test that
# uses one is in the slow lane (``-m slow``); ``-m "not slow"`` is the fast lane.
SLOW_FIXTURES = frozenset({
    "analyses", "analyses_walk", "report", "heel_clip", "batch", "side_lunges", "away_and_back", "walker",
    "portrait_lunges", "exposed", "outputs", "browser", "crossing_knee", "headless_session", "xvfb", "clip_series",
    "front_series", "rendered", "fuzz_source"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def shared_labels() -> dict:
    """The per-rep labels of the real clips (``real-labels.json``) that are present ({} if none)."""
    from formcheck.bench.real import load_labels

    return load_labels(SHARED_VIDEOS) if SHARED_VIDEOS.is_dir() else {}


@pytest.fixture(scope="session")
def analyses():
    """analyze_video results, computed once per (path, model) for the whole session."""
    from formcheck import analyze_video

    cache: dict = {}

    def get(path: Path, model: str = "full"):
        key = (str(path), model)
        if key not in cache:
            cache[key] = analyze_video(path, model=model)
        return cache[key]

    return get


def exact_series(spec) -> tuple:
    """A perfect pose model's series of a generator clip (``synth.ClipSpec``), and its rep truth:
    the generator's joints projected by the camera, nothing rendered."""
    import numpy as np

    from formcheck.series import PoseSeries
    from formcheck.synth.clips import _clip_points, rep_truth
    from formcheck.synth.kinematics import plan_reps, sample_motion
    from formcheck.synth.render import place_camera

    motion = sample_motion(plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form),
                           spec.fps, spec.body, spec.arms)
    px, _ = place_camera(spec.camera, _clip_points(motion, spec.body), spec.size).project(motion.landmarks_m())
    return PoseSeries.from_landmarks(px / np.array(spec.size), motion.t, spec.size), rep_truth(motion, spec)
