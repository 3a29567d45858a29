"""MediaPipe Tasks PoseLandmarker, turned into a PoseSeries.

The landmarker runs in VIDEO mode (it tracks between frames, so it needs increasing
timestamps). Frames are downscaled to ``INFERENCE_MAX_SIDE`` before inference: the networks see
224-256 px crops anyway, so a 1080p frame only costs conversion time. The landmarker is always
closed explicitly; relying on ``__del__`` raises at interpreter shutdown.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import replace

import numpy as np

from . import geometry as g
from .errors import ModelError
from .models import resolve_model
from .profile import Profile, load_profile
from .series import NUM_LANDMARKS, Capture, PoseSeries, mirrored_back
from .sources import Frame, probe, read_frames
from .view_watch import Every, TurnedWatch

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ logging: warnings and up only
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

INFERENCE_MAX_SIDE = 640
ProgressCallback = Callable[[int, int], None]  # (frames done, frames expected or 0)


class _QuietStderr:
    """The C stderr (fd 2) sent to /dev/null while any thread is inside ``_quiet_stderr``.

    One shared redirection, counted: the tracking landmarker's first frame and the people
    counter's model load overlap on two threads, and two independent redirections could each
    save the other's /dev/null as "the" stderr and leave it there for good, swallowing every
    later warning and error line (a flaky CLI test caught it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                try:
                    self._saved = os.dup(2)
                except OSError:  # no stderr to hide
                    self._saved = None
                if self._saved is not None:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 2)
                    os.close(devnull)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                os.dup2(self._saved, 2)
                os.close(self._saved)
                self._saved = None


_QUIET = _QuietStderr()


@contextmanager
def _quiet_stderr(quiet: bool = True):
    """TFLite and MediaPipe print INFO and warning lines on the C stderr when a landmarker builds
    its delegate, reads its first frame and (mediapipe 1.2.3) lets go of its models; hide them
    (``quiet=False``: a later frame, which logs nothing, runs without the swap)."""
    if not quiet:
        yield
        return
    _QUIET.enter()
    try:
        yield
    finally:
        _QUIET.leave()


class PoseEstimator:
    """One PoseLandmarker in VIDEO mode: feed frames in time order, get landmarks back.

    >>> with PoseEstimator("lite") as est:          # doctest: +SKIP
    ...     image_lm, world_lm = est.detect(frame_bgr, t_seconds)
    """

    def __init__(self, model: str = "full", profile: Profile | None = None) -> None:
        self.model_path = resolve_model(model)
        profile = profile or load_profile()
        min_detection_confidence = profile["pose.min_detection_confidence"]
        min_tracking_confidence = profile["pose.min_tracking_confidence"]
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        try:
            with _quiet_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError on a bad bundle
            raise ModelError(f"cannot load pose model {self.model_path}: {exc}") from exc
        self._last_ms = -1
        self._warmed = False

    def detect(self, frame_bgr: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Landmarks for one BGR frame at ``t`` seconds: ((33, 4) image, (33, 3) world), NaN if none."""
        image = _mp_image(frame_bgr)
        ms = max(int(round(t * 1000.0)), self._last_ms + 1)  # VIDEO mode needs strictly increasing
        self._last_ms = ms
        with _quiet_stderr(not self._warmed):  # the first call logs a projection warning
            result = self._landmarker.detect_for_video(image, ms)
        self._warmed = True
        image_lm = np.full((NUM_LANDMARKS, 4), np.nan)
        world_lm = np.full((NUM_LANDMARKS, 3), np.nan)
        if result.pose_landmarks:
            image_lm[:] = [(p.x, p.y, p.z, p.visibility if p.visibility is not None else 1.0)
                           for p in result.pose_landmarks[0]]
            world_lm[:] = [(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]]
        return image_lm, world_lm

    def close(self) -> None:
        if getattr(self, "_landmarker", None) is not None:
            with _quiet_stderr():  # mediapipe 1.2.3 logs an INFO line per model as it lets go of it
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _mp_image(frame_bgr: np.ndarray):
    """A BGR frame as the RGB ``mediapipe.Image`` the landmarkers take."""
    import cv2
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))


class _SeriesBuffer:
    """Landmarks of a growing series in preallocated float32 rows.

    MediaPipe's landmarks are float32, so float32 storage loses nothing, and one row per frame
    in a few large arrays costs a quarter of a list of small per-frame float64 arrays: the pose
    stage's memory then grows by under 1 KB per frame (flat enough for hour-long videos).
    """

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self._alloc(max(capacity, 64))

    def _alloc(self, capacity: int) -> None:
        old = self.arrays() if self.n else None
        self.image = np.full((capacity, NUM_LANDMARKS, 4), np.nan, np.float32)
        self.world = np.full((capacity, NUM_LANDMARKS, 3), np.nan, np.float32)
        self.t = np.zeros(capacity)
        self.exposure = np.full((capacity, 2), np.nan, np.float32)  # the frame's brightness mean and spread
        if old is not None:
            self.image[: self.n], self.world[: self.n], self.t[: self.n], self.exposure[: self.n] = old

    def append(self, image_lm: np.ndarray, world_lm: np.ndarray, frame: Frame) -> None:
        if self.n == len(self.t):  # the header's frame count was short: grow by half
            self._alloc(self.n + self.n // 2)
        self.image[self.n], self.world[self.n], self.t[self.n] = image_lm, world_lm, frame.t
        self.exposure[self.n] = frame.luma, frame.luma_std
        self.n += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The filled rows (copied only when more than a tenth of the buffer is unused)."""
        rows = (self.image[: self.n], self.world[: self.n], self.t[: self.n], self.exposure[: self.n])
        return tuple(a.copy() for a in rows) if self.n < 0.9 * len(self.t) else rows


class PeopleCounter:
    """Counts the people in view every ``every_s`` seconds, on a thread of its own.

    The tracking landmarker follows one person and cannot say when someone else is in view,
    which is when it may take a bystander's legs for the person's, or follow the bystander. A
    second landmarker in IMAGE mode with ``num_poses=2`` can (~35 ms a check). It runs beside
    the tracking one on the core a single stream leaves mostly idle, so it costs next to no
    wall time; frames wait in its queue rather than being skipped, so the counts are the same
    on every run.

    The count is an extra: when its own model cannot be found or loaded (say the lite bundle
    is missing while the analysis runs on another model), no count is taken, the analysis goes
    on, and ``failed`` says why.
    """

    def __init__(self, every_s: float, model: str = "lite") -> None:
        self.times: list[float] = []
        self.counts: list[int] = []
        self.failed = ""
        self._sample = Every(every_s)
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        try:
            self.model_path = resolve_model(model)
        except ModelError as exc:
            self.failed = str(exc)
            return
        self._thread = threading.Thread(target=self._run, name="formcheck-people", daemon=True)
        self._thread.start()

    def offer(self, frame: Frame) -> None:
        """Called with every frame; the frames due for a count are queued."""
        if not self.failed and self._sample.due(frame.t):
            self._queue.put(frame)

    def _run(self) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(self.model_path)),
                                               running_mode=vision.RunningMode.IMAGE, num_poses=2)
        try:
            with _quiet_stderr():
                landmarker = vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError on a bad bundle
            self.failed = f"cannot load {self.model_path}: {exc}"
            while self._queue.get() is not None:  # drop what was queued before the failure showed
                pass
            return
        try:
            first = True
            while (frame := self._queue.get()) is not None:
                self.times.append(frame.t)
                with _quiet_stderr(first):  # the first call logs a projection warning
                    self.counts.append(len(landmarker.detect(_mp_image(frame.image)).pose_landmarks))
                first = False
        finally:
            with _quiet_stderr():
                landmarker.close()

    def close(self) -> dict:
        """Wait for the queued counts: the ``Capture`` fields ``people_t`` (times), ``people_n``
        (counts; both empty when no count could be taken) and ``people_count_failed``."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        return {"people_t": np.array(self.times), "people_n": np.array(self.counts, int),
                "people_count_failed": self.failed}


def estimate_frames(frames: Iterable[Frame], image_size: tuple[int, int], model: str = "full",
                    source: str = "", progress: ProgressCallback | None = None,
                    expected: int = 0, count_people: bool = True, mirror_pass: bool | None = None,
                    profile: Profile | None = None) -> PoseSeries:
    """Run the landmarker over frames in time order and collect the results (and, unless
    ``count_people`` is off, how many people were in view now and then: ``PeopleCounter``).

    ``mirror_pass``: a second landmarker also tracks the mirrored frames (``MirrorPass``), whose
    landmarks become the series' ``mirrored`` second opinion on left and right; twice the
    inference. True runs it from the first frame, False never; None (the default) starts it once
    the person has been seen from the side or at an angle (``view_watch.TurnedWatch``, thresholds
    from ``profile``), the views where it helps. ``capture.mirror_pass_from_s`` says when it started.
    """
    buffer = _SeriesBuffer(expected + 8)  # the header's count is an estimate: a little headroom
    profile = profile or load_profile()
    watch = TurnedWatch(image_size, profile) if mirror_pass is None else None
    with PoseEstimator(model, profile) as estimator, ExitStack() as stack:
        mirror = stack.enter_context(MirrorPass(model, profile)) if mirror_pass else None
        mirror_from = 0
        every_s = profile["pose.people_check_every_s"]
        people = PeopleCounter(every_s) if count_people and every_s > 0 else None
        try:
            for frame in frames:
                if mirror is not None:
                    mirror.offer(frame)
                image, world = estimator.detect(frame.image, frame.t)
                buffer.append(image, world, frame)
                if watch is not None and mirror is None and watch.seen_turned(image, world, frame.t):
                    mirror, mirror_from = stack.enter_context(MirrorPass(model, profile)), buffer.n - 1
                    mirror.offer(frame)
                if people is not None:
                    people.offer(frame)
                if progress is not None:
                    progress(buffer.n, expected)
        finally:
            counted = people.close() if people is not None else {}
        mirrored_rows = mirror.close() if mirror is not None else None
    if buffer.n == 0:
        return PoseSeries.empty(image_size, source)
    image, world, t, exposure = buffer.arrays()
    capture = Capture(model=str(estimator.model_path.name), expected_frames=expected, luma=exposure[:, 0],
                      luma_std=exposure[:, 1], **counted)
    return with_mirror_pass(PoseSeries(image, world, t, image_size, source, capture), mirrored_rows, mirror_from)


def with_mirror_pass(series: PoseSeries, rows: np.ndarray | None, start: int) -> PoseSeries:
    """``series`` with the landmarks of a mirror pass that ran from frame ``start`` on as its
    ``mirrored`` second opinion (NaN rows before it), and the start in its capture; unchanged
    when none ran (``rows`` None)."""
    if rows is None:
        return series
    mirrored = np.full((len(series), NUM_LANDMARKS, 4), np.nan, np.float32)
    mirrored[start:start + len(rows)] = rows
    return replace(series, mirrored=mirrored,
                   capture=replace(series.capture, mirror_pass_from_s=float(series.t[start])))


class MirrorPass:
    """The pose model tracking the left-right mirrored frames, its landmarks put back into the
    frame as filmed (``series.mirrored_back``). MediaPipe is not mirror-symmetric: on the
    benchmark the mirrored run had the legs right on most of the bottoms where the run on the
    frames as filmed named them the other way round, which makes it a second opinion on which leg
    is left (``identity.swap_flags``).

    It runs on a thread of its own, beside the main landmarker, on the core a single stream
    leaves partly idle; a short queue holds the frames it has not reached yet, so memory stays
    flat and a slower mirror run slows the main loop rather than piling frames up.

    It reads one frame every ``pose.mirror_every_s`` (the landmarker tracking at that rate), and
    the frames between get its landmarks interpolated in time (``geometry.interpolate_between``):
    a leg's place changes little in a tenth of a second, and a third of the inference makes the
    second opinion nearly free (issue 31: the same reps, legs and findings on the real clips and on
    217 of 219 rendered ones; ``docs/models.md``).
    """

    def __init__(self, model: str = "full", profile: Profile | None = None, queue_frames: int = 4) -> None:
        profile = profile or load_profile()
        self._estimator = PoseEstimator(model, profile)  # a bad model fails here, in the caller's thread
        self._sample = Every(profile["pose.mirror_every_s"])
        self._times: list[float] = []  # every frame offered
        self._read_times: list[float] = []  # the frames the mirrored landmarker reads
        self._queue: queue.Queue = queue.Queue(maxsize=queue_frames)
        self._rows: list[np.ndarray] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="formcheck-mirror", daemon=True)
        self._thread.start()

    def offer(self, frame: Frame) -> None:
        """Take the next frame (in time order); one due to be read is queued (waiting while the
        queue is full)."""
        self._times.append(frame.t)
        if not self._sample.due(frame.t):
            return
        self._read_times.append(frame.t)
        while self._error is None:
            try:
                self._queue.put(frame, timeout=0.1)
                return
            except queue.Full:
                continue
        raise ModelError(f"the mirror pass failed: {self._error}")

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                mirrored = np.ascontiguousarray(frame.image[:, ::-1])
                self._rows.append(mirrored_back(self._estimator.detect(mirrored, frame.t)[0]))
        except BaseException as exc:  # surfaced in the caller's thread by offer or close
            self._error = exc
            while self._queue.get() is not None:  # let a waiting offer through to the end
                pass

    def close(self) -> np.ndarray:
        """(T, 33, 4) float32 landmarks of every offered frame (interpolated between the frames
        read), once the thread has caught up."""
        self._stop()
        if self._error is not None:
            raise ModelError(f"the mirror pass failed: {self._error}")
        rows = np.array(self._rows, np.float32).reshape(-1, NUM_LANDMARKS, 4)
        return g.interpolate_between(rows, np.array(self._read_times), np.array(self._times))

    def _stop(self) -> None:
        """End the thread after the queued frames, and let go of the landmarker (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._estimator.close()

    def __enter__(self) -> MirrorPass:
        return self

    def __exit__(self, *exc) -> None:
        if self._thread.is_alive():  # left early (an error, Ctrl-C): drop the queued frames, keep nothing
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
        self._stop()


def estimate_video(path: str, model: str = "full", progress: ProgressCallback | None = None,
                   max_side: int = INFERENCE_MAX_SIDE, count_people: bool = True,
                   mirror_pass: bool | None = None, profile: Profile | None = None) -> PoseSeries:
    """Pose series of a whole video file (frames streamed, never all held in memory); for
    ``mirror_pass`` see ``estimate_frames``."""
    info = probe(path)
    return estimate_frames(read_frames(path, max_side=max_side), (info.width, info.height),
                           model=model, source=str(path), progress=progress,
                           expected=info.frame_count, count_people=count_people, mirror_pass=mirror_pass,
                           profile=profile)


def estimate_mirrored(path: str, model: str = "full", max_side: int = INFERENCE_MAX_SIDE,
                      start_frame: int = 0, profile: Profile | None = None) -> np.ndarray:
    """(T - start_frame, 33, 4) the mirror pass alone over a video file from its ``start_frame``:
    what ``estimate_video`` adds as ``mirrored`` (from the frame where it started), for a series
    computed without it (the benchmark's cache)."""
    with MirrorPass(model, profile) as mirror:
        for k, frame in enumerate(read_frames(path, max_side=max_side)):
            if k >= start_frame:
                mirror.offer(frame)
        return mirror.close()
