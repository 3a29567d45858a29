"""The library face: analyse a video file or an array of landmarks.

Both return the same ``Analysis`` that the JSON report serialises.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from .analysis import Analysis, analyze_series
from .errors import NoPersonError, NotAnalyzableError
from .models import resolve_model
from .pose import ProgressCallback, estimate_video
from .profile import Profile, load_profile
from .series import PoseSeries
from .sources import exposure_problem


def analyze_video(path: str | os.PathLike, exercise: str = "reverse-lunge", model: str = "full",
                  profile: str | os.PathLike | None = None,
                  progress: ProgressCallback | None = None, streams: int = 1,
                  mirror_pass: bool | None = None) -> Analysis:
    """Run pose estimation and the form analysis over a video file.

    ``streams`` > 1 runs the pose stage as that many processes over chunks of the video
    (``parallel.py``): sooner on a multi-core machine, the same reps and findings within landmark
    noise (each chunk's tracker starts afresh, so the landmarks are not bit-identical).

    ``mirror_pass`` also runs the pose model on the mirrored frames, a second opinion on which leg
    is left (``pose.MirrorPass``), on one frame per ``pose.mirror_every_s`` (a third more inference at
    30 fps). None (the default) starts it once the person is seen from the side or at an angle
    (``view_watch``; with ``streams`` > 1, in each chunk as its own frames show it); True runs it
    from the first frame, False never.

    >>> result = analyze_video("sample_videos/lunge_side_clean.mp4")   # doctest: +SKIP
    >>> len(result.complete_reps)
    6

    Raises InputError for a missing or unreadable file, ModelError for a missing model,
    NoPersonError when nobody is found in any frame.
    """
    prof = load_profile(profile)  # a bad profile or model fails before minutes of inference
    resolve_model(model)
    # the pose series goes straight into the analysis, which frees it once smoothed: no name here
    # keeps a long video's raw landmarks alive (memory stays flat with video length)
    result = analyze_series(_with_exposure(_pose_series(path, model, progress, streams, mirror_pass, prof), prof),
                            exercise, prof)
    series = result.series
    exposure = series.capture.exposure_problem
    because = f" (the video is {exposure})" if exposure else ""
    if len(series) and not series.detected.any():
        raise NoPersonError(f"no person was found in {path}{because}")
    expected = series.capture.expected_frames
    if expected and len(series) < prof["video.truncated_share"] * expected:
        result.warnings.append(f"the video ended after {len(series)} of the {expected} frames its header announces "
                               "(truncated?): the analysis covers the part that could be read")
    if result.feet_visible_share < prof["pose.min_feet_visible_share"]:
        raise NotAnalyzableError(
            f"the feet are out of frame in {100 * (1 - result.feet_visible_share):.0f}% of the frames with a "
            f"person in {Path(path).name}: film the whole body, head to feet{because}")
    return result


def _pose_series(path: str | os.PathLike, model: str, progress: ProgressCallback | None, streams: int,
                 mirror_pass: bool | None, profile: Profile) -> PoseSeries:
    if streams > 1:
        from .parallel import estimate_video_parallel

        return estimate_video_parallel(str(Path(path)), model=model, progress=progress, streams=streams,
                                       mirror_pass=mirror_pass)
    return estimate_video(str(Path(path)), model=model, progress=progress, mirror_pass=mirror_pass,
                          profile=profile)


def _with_exposure(series: PoseSeries, profile: Profile) -> PoseSeries:
    """Name footage too dark or washed out for the pose model (``capture.exposure_problem``):
    the analysis then judges no check, and every message says why."""
    problem = exposure_problem(series.capture.luma, series.capture.luma_std, profile)
    return replace(series, capture=replace(series.capture, exposure_problem=problem or ""))


def analyze_landmarks(landmarks: np.ndarray, timestamps: np.ndarray, image_size: tuple[int, int],
                      exercise: str = "reverse-lunge", world: np.ndarray | None = None,
                      profile: str | os.PathLike | None = None) -> Analysis:
    """Analyse landmarks you already have, shaped like MediaPipe's normalized image landmarks.

    ``landmarks``: (T, 33, 4) x, y in [0, 1], z, visibility (or (T, 33, 2|3)); NaN where no
    person was found. ``timestamps``: (T,) seconds, increasing. ``image_size``: (width, height).

    >>> import numpy as np
    >>> lm = np.full((10, 33, 4), np.nan); t = np.arange(10) / 30
    >>> analyze_landmarks(lm, t, (640, 480)).reps
    []
    """
    series = PoseSeries.from_landmarks(landmarks, timestamps, image_size, world=world)
    return analyze_series(series, exercise, load_profile(profile))
