"""The live frame loop: newest frame -> pose -> session -> overlay and voice, until told to stop.

Quit (q or Esc), closing the window, Ctrl-C, the end of a replayed file and a failing camera all
end the loop the same way: the session is analysed in one piece and returned, so the caller
can save it. Nothing is lost.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..analysis import Analysis
from ..errors import InputError
from ..exercises import EXERCISES
from ..overlay import HudState, draw_hud
from ..pose import PoseEstimator
from ..profile import Profile
from ..series import NUM_LANDMARKS
from .capture import LiveSource
from .session import LiveSession
from .voice import Voice

WINDOW = "formcheck live"
SYSTEM_FONTS = "/usr/share/fonts/truetype"
READY = "Ready: start your set"
_KEY_QUIT, _KEY_PAUSE, _KEY_NEW_SET = {ord("q"), 27}, ord(" "), ord("r")


@dataclass
class LiveStats:
    frames_processed: int = 0
    frames_captured: int = 0
    frames_dropped: int = 0
    started_at: float | None = None  # wall clock (epoch seconds) when the session started: its key in the history
    wall_s: float = 0.0
    frame_latencies_s: list[float] = field(default_factory=list)  # capture -> overlay drawn (or session updated)

    @property
    def fps(self) -> float:
        return self.frames_processed / self.wall_s if self.wall_s > 0 else 0.0

    def latency_ms(self, q: float) -> float:
        return float(np.percentile(self.frame_latencies_s, q) * 1000) if self.frame_latencies_s else float("nan")


@dataclass
class LiveOutcome:
    analysis: Analysis  # the whole session analysed in one piece: the report to save
    session: LiveSession
    stats: LiveStats
    reason: str  # why the loop ended
    failed: bool  # the source failed (e.g. the camera stopped): the caller exits non-zero after saving


def require_display() -> None:
    """A window needs a display: on Linux without DISPLAY/WAYLAND_DISPLAY, Qt would abort the process."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise InputError("no display to open a window on (DISPLAY is not set): use --no-window")


class _Window:
    """The OpenCV window and its keys; ``closed`` once the user closes it."""

    def __init__(self, size: tuple[int, int]) -> None:
        import cv2

        require_display()
        if "QT_QPA_FONTDIR" not in os.environ and os.path.isdir(SYSTEM_FONTS):
            os.environ["QT_QPA_FONTDIR"] = SYSTEM_FONTS  # OpenCV's Qt ships no fonts and warns on every start
        self.cv2 = cv2
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_GUI_NORMAL)  # no toolbar: the picture only
        w, h = size
        zoom = max(1.0, 960 / max(w, h, 1))  # big enough to read from 3 m
        cv2.resizeWindow(WINDOW, int(w * zoom), int(h * zoom))

    def show(self, image: np.ndarray) -> int:
        self.cv2.imshow(WINDOW, image)
        return self.cv2.waitKey(1) & 0xFF

    @property
    def closed(self) -> bool:
        return self.cv2.getWindowProperty(WINDOW, self.cv2.WND_PROP_VISIBLE) < 1

    def close(self) -> None:
        self.cv2.destroyWindow(WINDOW)
        self.cv2.waitKey(1)


def run_live(source: LiveSource, profile: Profile, model: str = "full", exercise: str = "reverse-lunge",
             window: bool = True, voice: Voice | None = None, stop: threading.Event | None = None) -> LiveOutcome:
    """Coach one session from ``source`` (not yet started); returns when it ends, however it ends.

    ``stop`` ends the session between two frames ("interrupted"), as Ctrl-C does. A caller that
    sets it from a signal handler never has an exception thrown into the middle of a pose call or
    a session update, where it could leave MediaPipe's graph or the session's buffers half done.
    """
    stats = LiveStats()
    with PoseEstimator(model, profile) as estimator:
        say = voice.say if voice is not None else (lambda text: None)
        session = LiveSession(source.image_size, profile, exercise, estimator.model_path.name, source.name,
                              on_cue=lambda cue: say(cue.text))
        win = _Window(source.image_size) if window else None
        hud = HudState(unit=EXERCISES[exercise].UNIT)
        cue_until = 0.0
        reason, failed = "end of video", False
        min_vis = profile["pose.min_visibility"]
        no_pose = np.full((NUM_LANDMARKS, 4), np.nan)  # while paused the frame is shown without a skeleton
        started = time.monotonic()
        stats.started_at = time.time()
        source.start()
        try:
            while True:
                if stop is not None and stop.is_set():
                    reason = "interrupted"
                    break
                frame = source.take(timeout=0.5)
                if frame is None:
                    if source.slot.ended:
                        reason, failed = (source.slot.error, True) if source.slot.error else (reason, False)
                        break
                    continue
                image_lm = no_pose
                if not hud.paused:
                    image_lm, world_lm = estimator.detect(frame.image, frame.t)
                    was_calibrated = session.calibration is not None
                    events = session.add(frame.t, image_lm, world_lm, frame.captured_at)
                    if session.calibration is not None and not was_calibrated:
                        say(READY)
                        hud.cue, cue_until = READY, time.monotonic() + profile["cues.display_s"]
                    for event in events:
                        hud.cue, cue_until = event.cue.text, time.monotonic() + profile["cues.display_s"]
                    stats.frames_processed += 1
                    hud.counts, hud.set_number = session.counts, session.current_set
                    hud.knees_deg, hud.hint = session.knee_flexion_deg(), session.hint
                    hud.calibrated = session.calibration is not None
                    hud.fps = stats.frames_processed / max(time.monotonic() - started, 1e-6)
                if time.monotonic() > cue_until:
                    hud.cue = ""
                if win is not None:
                    shown = draw_hud(frame.image.copy(), image_lm, hud, min_vis)
                    key = win.show(shown)
                    if key in _KEY_QUIT:
                        reason = "quit"
                        break
                    if key == _KEY_PAUSE:
                        hud.paused = not hud.paused
                    elif key == _KEY_NEW_SET:
                        session.new_set()
                    if win.closed:
                        reason = "window closed"
                        break
                if not hud.paused:
                    stats.frame_latencies_s.append(time.monotonic() - frame.captured_at)
        except KeyboardInterrupt:
            reason = "interrupted"
        finally:
            stats.wall_s = time.monotonic() - started
            source.stop()
            stats.frames_captured, stats.frames_dropped = source.slot.captured, source.slot.dropped
            if win is not None:
                win.close()
        analysis = session.finish()
    return LiveOutcome(analysis, session, stats, reason, failed)


def session_extra(outcome: LiveOutcome) -> dict:
    """The live-only part of a saved session: calibration, reps as counted live, cues said, speed."""
    session, stats = outcome.session, outcome.stats
    started = {} if stats.started_at is None else {
        "started_at": datetime.fromtimestamp(stats.started_at).astimezone().isoformat(timespec="seconds")}
    return {"live": started | {
        "ended": outcome.reason,
        "calibration": session.calibration.to_dict() if session.calibration else None,
        "reps_counted_live": [r.__dict__ for r in session.reps],
        "steps_counted_live": [{"foot": s.foot, "t": round(s.t, 3)} for s in session.steps],
        "set_breaks_s": [round(b, 3) for b in session.set_breaks],
        "cues": [{"t": round(e.cue.t, 3), "code": e.cue.code, "text": e.cue.text,
                  "latency_ms": None if e.latency_s is None else round(e.latency_s * 1000, 1)} for e in session.cues],
        "frames_processed": stats.frames_processed,
        "frames_dropped": stats.frames_dropped,
        "fps": round(stats.fps, 2),
        "frame_latency_ms_p50_p95": [round(stats.latency_ms(q), 1) for q in (50, 95)] if stats.frames_processed
        else None,
    }}
