"""Live frame sources: a camera, or a video file replayed at its real pace as if it were one.

Both capture on their own thread into a one-frame slot: the consumer always gets the newest
frame, and a frame it was too slow to take is dropped (counted), so no backlog ever builds up
and the latency stays one frame deep.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import CameraError
from ..sources import iter_frames, open_video, scale_to


@dataclass(frozen=True)
class LiveFrame:
    index: int  # capture order (gaps = frames dropped because processing was slower)
    t: float  # stream time, seconds (the video's timestamps, or seconds since the camera opened)
    captured_at: float  # time.monotonic() when the frame became available
    image: np.ndarray  # BGR, downscaled for inference


class _Slot:
    """The newest frame, or the end of the stream (with the reason when it failed)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: LiveFrame | None = None
        self.ended = False
        self.error = ""
        self.captured = 0
        self.dropped = 0

    def put(self, frame: LiveFrame) -> None:
        with self._cond:
            self.dropped += self._frame is not None
            self.captured += 1
            self._frame = frame
            self._cond.notify()

    def end(self, error: str = "") -> None:
        with self._cond:
            self.ended = True
            self.error = self.error or error  # the first reason given stays
            self._cond.notify()

    def take(self, timeout: float) -> LiveFrame | None:
        """The newest frame (waiting up to ``timeout``); None when the stream ended or nothing came."""
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self.ended, timeout)
            frame, self._frame = self._frame, None
            return frame


class LiveSource:
    """Base of the threaded sources: ``start``, then ``take`` newest frames until it returns None."""

    name = "source"

    def __init__(self, max_side: int) -> None:
        self.max_side = max_side
        self.slot = _Slot()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._guarded, name="formcheck-capture", daemon=True)
        self.image_size = (0, 0)

    def start(self) -> LiveSource:
        self._thread.start()
        return self

    def take(self, timeout: float = 2.0) -> LiveFrame | None:
        return self.slot.take(timeout)

    @property
    def ended(self) -> bool:
        return self.slot.ended and self.slot._frame is None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # reported to the consumer, never raised on this thread
            self.slot.end(f"{self.name} failed: {exc}")

    def _run(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ReplaySource(LiveSource):
    """A video file delivered at its own timestamps' pace (``speed`` x real time)."""

    def __init__(self, path: str, max_side: int, speed: float = 1.0) -> None:
        super().__init__(max_side)
        self.cap, self.info = open_video(path)  # raises InputError with one line for a bad file
        self.name = f"replay of {self.info.path}"
        self.speed = speed
        self.image_size = (self.info.width, self.info.height)

    def _run(self) -> None:
        start = None
        try:
            for frame in iter_frames(self.cap, self.info.fps, self.max_side):
                if self._stop.is_set():
                    return
                if start is None:
                    start = time.monotonic() - frame.t / self.speed
                    self.image_size = frame.image.shape[1::-1] if self.max_side else self.image_size
                delay = start + frame.t / self.speed - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
                self.slot.put(LiveFrame(frame.index, frame.t, time.monotonic(), frame.image))
        finally:
            self.cap.release()
            self.slot.end()


class CameraSource(LiveSource):
    """A webcam by index, or a device path or stream URL (``/dev/video2``, ``rtsp://...``).

    Fails with one line if it cannot be opened; a camera that stops delivering frames
    mid-session ends the stream with a reason (the session is still saved).
    """

    def __init__(self, index: int | str, max_side: int, fail_after_s: float = 2.0) -> None:
        super().__init__(max_side)
        self.name = f"camera {index}"
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # probing backends logs errors
        try:
            self.cap = cv2.VideoCapture(index)
        finally:
            cv2.utils.logging.setLogLevel(level)
        if not self.cap.isOpened():
            self.cap.release()
            raise CameraError(f"camera {index} is not available (is it connected, or used by another program?)")
        self.fail_after_s = fail_after_s
        w, h = int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        scale = min(1.0, max_side / max(w, h)) if max_side and max(w, h) > 0 else 1.0
        self.image_size = (round(w * scale), round(h * scale))

    def _run(self) -> None:
        t0 = time.monotonic()
        last_ok = t0
        index = 0
        try:
            while not self._stop.is_set():
                ok, image = self.cap.read()
                now = time.monotonic()
                if not ok or image is None:
                    if now - last_ok > self.fail_after_s:
                        self.slot.end(f"{self.name} stopped delivering frames")
                        return
                    time.sleep(0.01)
                    continue
                last_ok = now
                self.slot.put(LiveFrame(index, now - t0, now, scale_to(image, self.max_side)))
                index += 1
        finally:
            self.cap.release()
            self.slot.end()
