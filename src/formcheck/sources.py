"""Frame sources: a video file read on its own thread, with container timestamps.

OpenCV applies the rotation tag of phone videos itself (``CAP_PROP_ORIENTATION_AUTO``), so the
frames and the frame size we report are upright. Timestamps are the container's presentation
times, not ``index / fps``, so variable-frame-rate phone clips keep their real timing. Each frame
carries its brightness and contrast, measured on a sparse grid of pixels while it is decoded, so
footage too dark or too washed out for the pose model can be named as the reason for a poor
analysis instead of leaving the user to guess.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# FFmpeg and OpenCV print decoder complaints to stderr; formcheck reports problems itself. ERROR
# is not quiet enough: a damaged file made OpenCV print "[ERROR:0@0.5] ... Could not find decoder"
# above formcheck's own one line (found by tests/test_decoder_fuzz.py).
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from .errors import InputError  # noqa: E402
from .profile import Profile  # noqa: E402

# The variable is read once, when cv2 is first imported: set the level again in case it was first
# imported elsewhere (mediapipe, a caller's script) before this module.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

_END = object()


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int  # the container's estimate; may be 0 or wrong for some files

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class Frame:
    index: int
    t: float  # seconds
    image: np.ndarray  # BGR, possibly downscaled for inference
    luma: float = float("nan")  # mean brightness, 0-255 (``frame_exposure``)
    luma_std: float = float("nan")  # contrast: standard deviation of the brightness


_LUMA_WEIGHTS = np.array([0.114, 0.587, 0.299], np.float32)  # BT.601, in OpenCV's BGR order
EXPOSURE_STRIDE = 8  # every 8th pixel each way: 1/64 of the frame, <1 ms for 1080p (decoding it: ~10 ms)


def frame_exposure(image: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of the brightness (luma, 0-255) on a sparse pixel grid.

    Cheap enough to run on every decoded frame; a grid of every 8th pixel estimates a frame's
    mean to well under one grey level.
    """
    grid = image[::EXPOSURE_STRIDE, ::EXPOSURE_STRIDE].astype(np.float32)
    grey = grid @ _LUMA_WEIGHTS if grid.ndim == 3 and grid.shape[2] == 3 else grid
    return float(grey.mean()), float(grey.std())


def exposure_problem(luma: np.ndarray, luma_std: np.ndarray, profile: Profile) -> str | None:
    """Why the pose model cannot see the person well, from per-frame brightness and contrast: a
    phrase starting "very dark" or "washed out" (with the measured numbers, to follow "the video
    is ..."), or None when the exposure is usable.

    Uses the median over frames, so a few black frames (a fade, a hand over the lens) do not
    count. Overexposure needs a low contrast too: a bright white-walled room is bright on
    average but its person still stands out (a real clip on a white backdrop: mean 243, contrast
    46); a blown-out one does not.
    """
    luma, luma_std = np.asarray(luma, float), np.asarray(luma_std, float)
    seen = np.isfinite(luma) & np.isfinite(luma_std)
    if not seen.any():
        return None
    mean, contrast = float(np.median(luma[seen])), float(np.median(luma_std[seen]))
    if mean < profile["video.dark_mean_luma"]:
        return f"very dark (mean brightness {mean:.0f} of 255)"
    if mean > profile["video.bright_mean_luma"] and contrast < profile["video.washed_out_luma_std"]:
        return f"washed out (overexposed: mean brightness {mean:.0f} of 255, contrast {contrast:.0f})"
    return None


def check_readable(path: str | os.PathLike) -> Path:
    """Fail early with one clear line for the common ways a path is not a video."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"no such file: {p}")
    if p.is_dir():
        raise InputError(f"{p} is a directory, not a video file")
    if not os.access(p, os.R_OK):
        raise InputError(f"permission denied: {p}")
    if p.stat().st_size == 0:
        raise InputError(f"{p} is empty (0 bytes)")
    return p


def open_video(path: str | os.PathLike) -> tuple[cv2.VideoCapture, VideoInfo]:
    p = check_readable(path)
    # one decoder thread: decoding already runs on its own thread, far ahead of inference (a 1080p
    # frame: 3.7 ms against ~25 ms), and FFmpeg's frame threads cost 0.5 ms of CPU per frame more
    # than they give, CPU that --jobs streams need
    cap = cv2.VideoCapture(str(p), cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
    if not cap.isOpened():
        raise InputError(f"{p} is not a readable video")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if width <= 0 or height <= 0:
        cap.release()
        raise InputError(f"{p} has no video stream")
    info = VideoInfo(str(p), width, height, float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
                     int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
    return cap, info


def probe(path: str | os.PathLike) -> VideoInfo:
    """Open a video, read its first frame to prove it decodes, and describe it."""
    cap, info = open_video(path)
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise InputError(f"{info.path} has no decodable video frames")
        if not cap.read()[0]:
            raise InputError(f"{info.path} holds a single frame: a still image, not a video")
        h, w = frame.shape[:2]  # after auto-rotation: the upright size
        return VideoInfo(info.path, w, h, info.fps, max(info.frame_count, 0))
    finally:
        cap.release()


def scale_to(frame: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale so the longer side is at most ``max_side`` (never upscale).

    Area averaging (INTER_AREA), not bilinear: bilinear is 4 ms cheaper per 1080p frame, but a 3x
    reduction that samples 4 of every 9 pixels aliases, and on the real 1080p forward-lunge clip it
    turned one forward rep into a reverse one (5 + 3 counted instead of 4 + 4). It runs on the decode
    thread, beside inference, so one stream does not wait for it.
    """
    h, w = frame.shape[:2]
    scale = max_side / max(h, w)
    if max_side <= 0 or scale >= 1.0:
        return frame
    return cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def iter_frames(cap: cv2.VideoCapture, fps: float, max_side: int, start: int = 0,
                stop: int | None = None) -> Iterator[Frame]:
    """Decode ``cap`` in the calling thread, with monotonic timestamps and frames downscaled.

    ``start``/``stop``: decode frames [start, stop) only (one chunk of a video, see parallel.py).
    The seek lands on the frame OpenCV counts as ``start``; callers that need frame-exact chunks
    check the timestamps where chunks meet (``parallel.stitch``), since a seek can be inexact.
    """
    nominal = 1.0 / fps if fps > 0 else 1.0 / 30.0
    last_t = -np.inf
    index = start
    if start > 0:
        cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    while stop is None or index < stop:
        ok, image = cap.read()
        if not ok or image is None:
            return
        t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if not np.isfinite(t) or t <= last_t:  # missing or repeated pts: step nominally
            t = (last_t + nominal) if np.isfinite(last_t) else 0.0
        last_t = t
        yield Frame(index, t, scale_to(image, max_side), *frame_exposure(image))
        index += 1


def read_frames(path: str | os.PathLike, max_side: int = 0, prefetch: int = 8, start: int = 0,
                stop: int | None = None) -> Iterator[Frame]:
    """Yield decoded frames, decoding on a background thread so inference never waits on it.

    ``start``/``stop``: only frames [start, stop), as in ``iter_frames``.
    """
    cap, info = open_video(path)
    buffer: queue.Queue = queue.Queue(maxsize=prefetch)
    cancel = threading.Event()
    failure: list[BaseException] = []

    def decode() -> None:
        try:
            for frame in iter_frames(cap, info.fps, max_side, start, stop):
                while not cancel.is_set():
                    try:
                        buffer.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if cancel.is_set():
                    return
        except BaseException as exc:  # surfaced in the consumer's thread
            failure.append(exc)
        finally:
            while not cancel.is_set():
                try:
                    buffer.put(_END, timeout=0.1)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=decode, name="formcheck-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                break
            yield item
        if failure:
            raise InputError(f"{info.path}: decoding failed: {failure[0]}")
    finally:
        cancel.set()
        worker.join(timeout=5)
        cap.release()
