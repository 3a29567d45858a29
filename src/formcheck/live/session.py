"""A live session: the same analysis as ``analyze``, rerun on a rolling window as frames arrive.

There is no second implementation of metrics, reps or checks. Every ``live.analysis_period_s``
a worker thread runs ``analyze_series`` on the calibration stand followed by the last
``live.analysis_window_s`` of frames; a complete rep whose bottom comes after the last counted
rep's end is counted and handed to the cue policy. Putting the calibration frames first makes
them the standing baseline of every window (hip height, leg length, body scale). ``finish``
analyses the whole session in one piece, exactly as ``analyze`` would, for the saved report.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from .. import geometry as g
from .. import kernels
from ..analysis import Analysis, RepResult, analyze_series
from ..exercises.reverse_walk import Step
from ..feedback import Cue, CuePolicy
from ..profile import Profile
from ..series import NUM_LANDMARKS, Capture, PoseSeries
from ..series import Landmark as L
from .calibration import Calibration, frame_hint, try_calibrate

TURN_SIDEWAYS = "Turn sideways for knee checks"
_KNEES = {"left": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), "right": (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)}


@dataclass(frozen=True)
class LiveRep:
    """A rep as counted during the session (the saved report re-derives reps from all frames)."""

    leg: str
    set: int
    bottom_s: float
    end_s: float
    mistakes: tuple[str, ...]


@dataclass(frozen=True)
class CueEvent:
    cue: Cue
    latency_s: float | None  # capture of the newest analysed frame -> cue issued; None if held by the cooldown


@dataclass
class _Frames:
    """Growing landmark arrays (amortised doubling: appending never copies the whole session)."""

    image: np.ndarray = field(default_factory=lambda: np.empty((256, NUM_LANDMARKS, 4)))
    world: np.ndarray = field(default_factory=lambda: np.empty((256, NUM_LANDMARKS, 3)))
    t: np.ndarray = field(default_factory=lambda: np.empty(256))
    captured: np.ndarray = field(default_factory=lambda: np.empty(256))
    n: int = 0

    def append(self, t: float, image_lm: np.ndarray, world_lm: np.ndarray, captured: float) -> None:
        if self.n == len(self.t):
            for name in ("image", "world", "t", "captured"):
                old = getattr(self, name)
                new = np.empty((2 * len(old),) + old.shape[1:])
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        self.image[self.n], self.world[self.n], self.t[self.n], self.captured[self.n] = image_lm, world_lm, t, captured
        self.n += 1

    def series(self, idx: np.ndarray | slice, image_size: tuple[int, int], source: str, model: str) -> PoseSeries:
        return PoseSeries(self.image[idx].copy(), self.world[idx].copy(), self.t[idx].copy(), image_size, source,
                          Capture(model=model))


class LiveSession:
    """Feed it every processed frame with ``add``; read ``counts``, ``hint`` and cues; ``finish`` at the end.

    >>> session = LiveSession((640, 480), load_profile(), model="full")       # doctest: +SKIP
    >>> cues = session.add(t, image_lm, world_lm, captured_at=time.monotonic())  # doctest: +SKIP
    """

    def __init__(self, image_size: tuple[int, int], profile: Profile, exercise: str = "reverse-lunge",
                 model: str = "", source: str = "camera", on_cue: Callable[[Cue], None] | None = None) -> None:
        self.image_size, self.profile, self.exercise, self.model, self.source = (image_size, profile, exercise,
                                                                                 model, source)
        self.frames = _Frames()
        self.calibration: Calibration | None = None
        self.policy = CuePolicy.from_profile(profile)
        self.reps: list[LiveRep] = []
        self.steps: list[Step] = []  # reverse-walk: backward steps counted live
        self.cues: list[CueEvent] = []
        self.set_breaks: list[float] = []
        self.hint = ""
        self.view = ""
        self.analysis_latencies_s: list[float] = []
        self.on_cue = on_cue  # called the moment a cue is decided (on the analysis thread): speech starts at once
        self._lock = threading.Lock()
        self._ready: list[CueEvent] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formcheck-analysis")
        self._job: Future | None = None
        # the analysis' loops compiled (half a window's analysis time: the cue comes sooner), loaded
        # now, before the camera's frames flow: beside the frame loop the load held the interpreter
        # long enough to drop frames, and in the first analysis its cue would carry the delay
        kernels.use_compiled()
        self._next_run_t = -math.inf
        self._bottom_cued_after = -math.inf
        self._bottom_said: set[str] = set()

    # --- per frame -------------------------------------------------------------------------
    def add(self, t: float, image_lm: np.ndarray, world_lm: np.ndarray, captured_at: float) -> list[CueEvent]:
        """Take one frame's landmarks; return the cues to say now (usually none)."""
        f = self.frames
        f.append(t, image_lm, world_lm, captured_at)
        if self.calibration is None:
            self._calibrate()
            return []
        self.hint = frame_hint(image_lm, self.profile["pose.min_visibility"]) or (
            TURN_SIDEWAYS if self.view == "front" else "")
        if self._job is None or self._job.done():
            if self._job is not None:
                self._job.result()  # re-raise a failure of the analysis thread here
                self._job = None
            if t >= self._next_run_t:
                self._next_run_t = t + self.profile["live.analysis_period_s"]
                self._job = self._pool.submit(self._analyse_window, f.n)
        with self._lock:
            held = self.policy.tick(t)
            if held is not None:
                self._emit(CueEvent(held, None))
            events, self._ready = self._ready, []
        return events

    def _emit(self, event: CueEvent) -> None:
        self._ready.append(event)
        self.cues.append(event)
        if self.on_cue is not None:
            self.on_cue(event.cue)

    def _calibrate(self) -> None:
        f = self.frames
        span_s = self.profile["live.calibration_s"]
        first = max(0, int(np.searchsorted(f.t[: f.n], f.t[f.n - 1] - span_s)) - 1)  # the span and a frame before it
        self.calibration, self.hint = try_calibrate(f.image[first: f.n], f.t[first: f.n], self.image_size, first,
                                                    self.profile)

    def _window(self, n: int) -> np.ndarray:
        cal = self.calibration
        start = int(np.searchsorted(self.frames.t[:n], self.frames.t[n - 1] - self.profile["live.analysis_window_s"]))
        start = max(start, cal.last + 1)
        return np.concatenate([np.arange(cal.first, cal.last + 1), np.arange(start, n)])

    def _analyse_window(self, n: int) -> None:
        """Runs on the worker thread: frames before ``n`` are never written again, so they need no lock."""
        series = self.frames.series(self._window(n), self.image_size, self.source, self.model)
        analysis = analyze_series(series, self.exercise, self.profile)
        latency = time.monotonic() - self.frames.captured[n - 1]
        phase_now = analysis.phase[-1] if len(analysis.phase) else ""
        t_now = float(self.frames.t[n - 1])
        with self._lock:
            self.analysis_latencies_s.append(latency)
            self.view = analysis.view
            cues = [self._take(result, phase_now, t_now) for result in analysis.reps]
            if analysis.walk is not None:
                cues.append(self._take_steps(analysis, t_now))
            for cue in cues:
                if cue is not None:
                    self._emit(CueEvent(cue, latency))

    def _take_steps(self, analysis: Analysis, t_now: float) -> Cue | None:
        """Count new backward steps; every ``cues.walk_steps_per_cue`` steps, cue the window's walk findings."""
        # a landing is final once the foot has stayed put a moment: the window's last turn may be a
        # foot still moving; and a step seen again (its time read a little differently) is not new
        settle, gap = self.profile["live.step_settle_s"], self.profile["walk.min_step_s"]
        after = max(self.calibration.t_end, self.steps[-1].t + gap if self.steps else -math.inf)
        new = [s for s in analysis.walk.backward_steps if after < s.t <= t_now - settle]
        if not new:
            return None
        self.steps.extend(new)
        every = int(self.profile["cues.walk_steps_per_cue"])
        if len(self.steps) // every == (len(self.steps) - len(new)) // every:
            return None
        return self.policy.after_rep({f.code for f in analysis.walk.mistakes}, t_now)

    @property
    def _last_end_s(self) -> float:
        """When the last counted rep ended (-inf before the first)."""
        return self.reps[-1].end_s if self.reps else -math.inf

    def _take(self, result: RepResult, phase_now: str, t_now: float) -> Cue | None:
        rep = result.rep
        if rep.bottom_s <= self.calibration.t_end or rep.bottom_s <= self._last_end_s:
            return None
        flagged = {f.code for f in result.mistakes}
        if rep.complete:
            last_end = self._last_end_s
            pause = rep.start_s - last_end > self.profile["reps.set_pause_s"]
            new_set = pause or any(last_end < b <= rep.start_s for b in self.set_breaks)
            number = (self.reps[-1].set + new_set) if self.reps else 1
            self.reps.append(LiveRep(rep.leg, number, rep.bottom_s, rep.end_s, tuple(sorted(flagged))))
            said, self._bottom_said = self._bottom_said, set()
            return self.policy.after_rep(flagged, t_now, said_at_bottom=said)
        settled = t_now - rep.bottom_s >= self.profile["reps.bottom_window_s"]  # the bottom's median window is whole
        if phase_now == "ascending" and settled and self._bottom_cued_after < self._last_end_s:
            # past the bottom of a rep still in progress: the one moment a depth cue can still help
            self._bottom_cued_after = self._last_end_s
            cue = self.policy.at_bottom(flagged, t_now)
            if cue is not None:
                self._bottom_said.add(cue.code)
            return cue
        return None

    # --- controls and readouts ---------------------------------------------------------------
    def new_set(self) -> None:
        """The user started a new set (key r): the next rep opens it."""
        if self.frames.n:
            self.set_breaks.append(float(self.frames.t[self.frames.n - 1]))

    @property
    def counts(self) -> dict[str, int]:
        """Reps per leg, or for a walk, backward steps per foot."""
        out = {"left": 0, "right": 0}
        for leg in [s.foot for s in self.steps] + [r.leg for r in self.reps]:  # an exercise counts one or the other
            if leg in out:
                out[leg] += 1
        return out

    @property
    def current_set(self) -> int:
        if not self.reps:
            return 1
        return self.reps[-1].set + any(b > self._last_end_s for b in self.set_breaks)

    def knee_flexion_deg(self) -> dict[str, float]:
        """Both knees in the newest frame: the image angle in a side view, the world angle otherwise."""
        f = self.frames
        if f.n == 0:
            return {"left": math.nan, "right": math.nan}
        if self.view == "side":
            pts = f.image[f.n - 1, :, :2] * np.asarray(self.image_size, float)
        else:
            pts = f.world[f.n - 1]
        return {s: float(g.flexion_deg(pts[a], pts[b], pts[c])) for s, (a, b, c) in _KNEES.items()}

    def finish(self) -> Analysis:
        """Stop the worker and analyse the whole session in one piece: the saved report."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        f = self.frames
        series = f.series(slice(0, f.n), self.image_size, self.source, self.model)
        analysis = analyze_series(series, self.exercise, self.profile)
        return _with_set_breaks(analysis, self.set_breaks)


def _with_set_breaks(analysis: Analysis, breaks: list[float]) -> Analysis:
    """Renumber sets so that each break the user asked for (key r) also starts a new set."""
    if not breaks or not analysis.reps:
        return analysis
    out, number, prev = [], 0, None
    for r in analysis.reps:
        auto = prev is None or r.rep.set != prev.rep.set
        manual = prev is not None and any(prev.rep.end_s < b <= r.rep.start_s for b in breaks)
        number += 1 if (auto or manual) else 0
        out.append(replace(r, rep=replace(r.rep, set=number)))
        prev = r
    return replace(analysis, assessment=replace(analysis.assessment, reps=out))
