"""One video's pose stage as several streams: chunks of the video in worker processes, stitched.

Why: the Tasks pose landmarker keeps about 1.1 cores busy, so on a 2-core machine one stream
leaves most of the second core idle. Chunk 0 runs in the calling process (its interpreter and
imports are already warm, so the workers' start-up hides behind it); chunks 1.. run in fresh
``python -m formcheck.parallel`` processes, each with its own ``PoseEstimator`` (not fork: the
caller has threads, and MediaPipe's own threads do not survive a fork).

Stitching. The landmarker runs in VIDEO mode: each frame's landmarks depend on the ones before
(tracking, and its smoothing filters). A chunk that starts mid-video therefore first decodes
``WARMUP_S`` of frames before its first kept frame, and drops them. The end of a chunk needs no
overlap (nothing in the landmarker looks ahead), so chunk k keeps every frame up to where chunk
k+1's kept frames begin. Frames are matched by their container timestamps, not by counting: the
warm-up's last frame must carry exactly the timestamp of the previous chunk's last frame, which
proves both chunks agree where they meet (no frame lost, none duplicated) even if a seek landed
elsewhere. If that check fails (a file whose timestamps are missing or repeated, so formcheck
numbers them itself), the video is read again as one stream.

The stitched series is not bit-identical to one stream: a tracker started elsewhere keeps a trace
of its start for good (measured on ``lunge_side_knee.mp4``, full model: after 1 s the landmarks
differ from the single stream by 0.2-1 px on a 480 px frame and 1-15 mm in world coordinates,
and no longer warm-up brings that lower), the same size as frame-to-frame landmark noise. On real
footage the drift is larger (1-5 px median on a 720p split-squat clip, with occasional jumps where
one tracker reads a leg differently), so a finding that rests on a landmark glitch can differ.
``tests/test_parallel.py`` checks that reps and findings come out the same on a rendered clip.
"""

from __future__ import annotations

import os
import pickle
import queue as queue_mod
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .errors import FormcheckError
from .pose import INFERENCE_MAX_SIDE, ProgressCallback, estimate_frames, estimate_video
from .series import PoseSeries
from .sources import probe, read_frames

# Tracking settles within ~1 s of a chunk's start (see the module docstring); a longer warm-up only
# costs frames, decoded and inferred twice.
WARMUP_S = 1.0
# A chunk shorter than this is not worth a process: starting one (interpreter, MediaPipe import,
# model load) takes 1-2 s, and each chunk after the first re-reads WARMUP_S of frames.
MIN_CHUNK_S = 8.0
# A worker process needs about this long (interpreter, MediaPipe import, model load; measured 1.2-1.5 s
# of CPU) before its first frame, while chunk 0 in the calling process is already running: chunk 0
# gets this much more video, plus the others' warm-up, so that all chunks end together.
WORKER_START_S = 1.5
PROGRESS_EVERY = 15  # frames between a worker's progress messages
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])  # workers import this formcheck, not another install


class StitchError(FormcheckError):
    """Two chunks do not meet on the same frame (timestamps disagree): read as one stream instead."""


@dataclass(frozen=True)
class Chunk:
    """Frames [start, stop) are decoded and inferred; those before ``keep`` are the warm-up."""

    index: int
    start: int
    keep: int
    stop: int | None  # None: to the end of the video

    @property
    def warmup(self) -> int:
        return self.keep - self.start


def plan_chunks(frame_count: int, fps: float, streams: int, warmup_s: float = WARMUP_S,
                min_chunk_s: float = MIN_CHUNK_S, start_s: float = WORKER_START_S) -> list[Chunk]:
    """Split ``frame_count`` frames into at most ``streams`` chunks that should take equally long.

    Chunks 1.. keep equal shares; chunk 0 (in the calling process) keeps ``warmup_s + start_s`` of
    video more, the frames it gets through while a worker starts and warms up (the stream's rate
    taken as the video's frame rate: about real time for the full model on one core). Fewer chunks
    when the video is too short for them to pay off (``min_chunk_s``), and one when the container
    does not say how many frames it holds.
    """
    fps = fps if fps > 0 else 30.0
    if frame_count <= 0:
        return [Chunk(0, 0, 0, None)]
    n = max(1, min(streams, int(frame_count / (min_chunk_s * fps))))
    warmup = max(1, round(warmup_s * fps))
    head = round((warmup_s + start_s) * fps) if n > 1 else 0
    share = (frame_count - head) / n
    bounds = [0] + [head + round(i * share) for i in range(1, n)] + [frame_count]
    return [Chunk(i, max(0, bounds[i] - warmup) if i else 0, bounds[i], bounds[i + 1] if i < n - 1 else None)
            for i in range(n)]


def estimate_chunk(path: str, chunk: Chunk, model: str, max_side: int = INFERENCE_MAX_SIDE,
                   progress: ProgressCallback | None = None, mirror_pass: bool | None = None) -> PoseSeries:
    """The pose series of one chunk, warm-up included (``stitch`` drops it). ``mirror_pass`` as in
    ``pose.estimate_frames``, within the chunk: None starts it once the chunk's own frames show
    a turned body (warm-up included)."""
    info = probe(path)
    frames = read_frames(path, max_side=max_side, start=chunk.start, stop=chunk.stop)
    return estimate_frames(frames, (info.width, info.height), model=model, source=str(path),
                           progress=progress, expected=info.frame_count, mirror_pass=mirror_pass)


def stitch(parts: list[PoseSeries], chunks: list[Chunk]) -> PoseSeries:
    """One series from consecutive chunks; raises StitchError unless each pair meets exactly."""
    kept = [parts[0]]
    for prev, part, chunk in zip(parts[:-1], parts[1:], chunks[1:], strict=True):
        if not len(prev) or len(part) <= chunk.warmup:
            raise StitchError(f"chunk {chunk.index} or the one before it is empty")
        seam = part.t[chunk.warmup - 1]  # the warm-up's last frame is the previous chunk's last
        if seam != prev.t[-1]:
            raise StitchError(f"chunk {chunk.index} meets the previous one at t={seam:.4f} s, "
                              f"not at its last frame t={prev.t[-1]:.4f} s")
        kept.append(part.slice(chunk.warmup, len(part)))
    first = parts[0]
    capture = replace(first.capture, **_stitched_capture(parts, [0] + [c.warmup for c in chunks[1:]]),
                      streams=len(parts), warmup_frames=sum(c.warmup for c in chunks),
                      mirror_pass_from_s=_mirror_from_s(kept))
    return PoseSeries(np.concatenate([p.image for p in kept]), np.concatenate([p.world for p in kept]),
                      np.concatenate([p.t for p in kept]), first.image_size, first.source, capture,
                      _stitched_mirror(kept))


def _stitched_mirror(kept: list[PoseSeries]) -> np.ndarray | None:
    """The chunks' mirror-pass landmarks joined like the frames, NaN where a chunk's pass had not
    started (or did not run); None when none ran."""
    if all(p.mirrored is None for p in kept):
        return None
    return np.concatenate([p.mirrored if p.mirrored is not None else
                           np.full(p.image.shape, np.nan, np.float32) for p in kept])


def _mirror_from_s(kept: list[PoseSeries]) -> float | None:
    """When the first chunk's mirror pass that ran reaches the kept frames (None: none ran)."""
    starts = [max(p.capture.mirror_pass_from_s, float(p.t[0])) for p in kept if p.capture.mirror_pass]
    return min(starts) if starts else None


def _stitched_capture(parts: list[PoseSeries], warmups: list[int]) -> dict:
    """The per-frame and per-check measurements of the chunks' captures, joined like the frames:
    brightness per kept frame; the people counts made at or after each chunk's first kept frame."""
    captures = [p.capture for p in parts]
    after = [c.people_t >= p.t[w] for c, p, w in zip(captures, parts, warmups, strict=True)]
    return {"luma": np.concatenate([c.luma[w:] for c, w in zip(captures, warmups, strict=True)]),
            "luma_std": np.concatenate([c.luma_std[w:] for c, w in zip(captures, warmups, strict=True)]),
            "people_t": np.concatenate([c.people_t[a] for c, a in zip(captures, after, strict=True)]),
            "people_n": np.concatenate([c.people_n[a] for c, a in zip(captures, after, strict=True)]),
            "people_count_failed": next((c.people_count_failed for c in captures if c.people_count_failed), "")}


def _worker_main() -> None:
    """``python -m formcheck.parallel``: run the chunk pickled on stdin, pickle messages to stdout.

    A fresh interpreter, not ``multiprocessing``: spawn re-imports the caller's main module, which
    breaks any script that calls ``analyze_video`` without an ``if __name__ == "__main__"`` guard.
    """
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print in the worker goes to stderr, never into the message stream

    def send(*message) -> None:
        pickle.dump(message, channel, protocol=pickle.HIGHEST_PROTOCOL)
        channel.flush()

    path, chunk, model, max_side, mirror_pass = pickle.load(sys.stdin.buffer)
    try:
        series = estimate_chunk(path, chunk, model, max_side,
                                lambda done, _n: send("progress", done) if done % PROGRESS_EVERY == 0 else None,
                                mirror_pass)
        send("done", series)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # every failure goes back to the parent, which raises it there
        send("error", exc)


class _Workers:
    """Chunks 1.. in worker processes; their progress and results arrive on one queue."""

    def __init__(self, path: str, chunks: list[Chunk], model: str, max_side: int, mirror_pass: bool | None) -> None:
        self.inbox: queue_mod.Queue = queue_mod.Queue()
        self.done = {c.index: 0 for c in chunks}
        self.series: dict[int, PoseSeries] = {}
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))}
        self.procs: dict[int, subprocess.Popen] = {}
        try:
            for c in chunks:
                proc = subprocess.Popen([sys.executable, "-m", "formcheck.parallel"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
                self.procs[c.index] = proc
                pickle.dump((path, c, model, max_side, mirror_pass), proc.stdin)
                proc.stdin.close()
                threading.Thread(target=self._read, args=(c.index, proc), daemon=True).start()
        except BaseException:
            self.close()
            raise

    def _read(self, index: int, proc: subprocess.Popen) -> None:
        try:
            while True:
                kind, *payload = pickle.load(proc.stdout)
                self.inbox.put((kind, index, payload[0]))
        except (EOFError, OSError, pickle.UnpicklingError):
            self.inbox.put(("exit", index, proc.wait()))

    def poll(self, timeout: float | None = None) -> None:
        """Take every message waiting (or wait up to ``timeout`` for one); raise a worker's error."""
        while True:
            try:
                kind, index, payload = self.inbox.get(timeout=timeout) if timeout else self.inbox.get_nowait()
            except queue_mod.Empty:
                return
            timeout = None
            if kind == "progress":
                self.done[index] = payload
            elif kind == "done":
                self.series[index] = payload
                self.done[index] = len(payload)
            elif kind == "error":
                raise payload
            elif index not in self.series:  # "exit" before "done"
                raise FormcheckError(f"the pose worker for chunk {index} stopped (exit code {payload})")

    def wait(self, on_progress: Callable[[], None]) -> None:
        """Block until every worker has sent its series."""
        while len(self.series) < len(self.procs):
            self.poll(timeout=0.5)
            on_progress()

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
            proc.stdout.close()


def estimate_video_parallel(path: str, model: str = "full", progress: ProgressCallback | None = None,
                            streams: int = 2, max_side: int = INFERENCE_MAX_SIDE,
                            mirror_pass: bool | None = None) -> PoseSeries:
    """``pose.estimate_video`` over ``streams`` processes; the same frames, stitched (see module
    doc). Each chunk runs its own mirror pass (``mirror_pass`` as in ``pose.estimate_frames``)."""
    info = probe(path)
    chunks = plan_chunks(info.frame_count, info.fps, streams)
    if len(chunks) == 1:
        return estimate_video(path, model=model, progress=progress, max_side=max_side, mirror_pass=mirror_pass)
    # frames to infer, warm-ups included; progress is reported in the video's frames
    work = sum((c.stop if c.stop is not None else info.frame_count) - c.start for c in chunks)
    workers = _Workers(str(Path(path)), chunks[1:], model, max_side, mirror_pass)
    try:
        def report(done0: int = -1) -> None:
            if done0 >= 0:
                workers.done[0] = done0
            if progress is not None:
                progress(round(sum(workers.done.values()) * info.frame_count / work), info.frame_count)

        def first_chunk_progress(done: int, _expected: int) -> None:
            workers.poll()
            report(done)

        workers.done[0] = 0
        first = estimate_chunk(path, chunks[0], model, max_side, first_chunk_progress, mirror_pass)
        workers.wait(report)
        parts = [first] + [workers.series[c.index] for c in chunks[1:]]
    finally:
        workers.close()
    try:
        return stitch(parts, chunks)
    except StitchError:
        return estimate_video(path, model=model, progress=progress, max_side=max_side, mirror_pass=mirror_pass)


if __name__ == "__main__":
    _worker_main()
