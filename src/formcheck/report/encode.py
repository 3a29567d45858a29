"""A video file that plays anywhere: H.264 in MP4, or VP9 in WebM where no H.264 encoder exists.

Written with PyAV (FFmpeg's libraries, whose wheels bring libx264 and libvpx): browsers and
phone galleries play H.264 (yuv420p, the index at the front of the file: ``+faststart``) inline,
which OpenCV's own ``mp4v`` (MPEG-4 Part 2) is not. The encoder is chosen from what the installed
FFmpeg offers; the choice is returned so the command line can say which one it used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Encoding:
    """One way to write a playable video: FFmpeg encoder, container and its file suffix."""

    encoder: str  # FFmpeg's encoder name
    codec: str  # what ffprobe reports
    container: str  # FFmpeg's muxer
    suffix: str
    label: str  # said to the user
    options: tuple[tuple[str, str], ...] = ()  # encoder options: speed over size (the overlay is flat colour)
    container_options: tuple[tuple[str, str], ...] = ()


H264_MP4 = Encoding("libx264", "h264", "mp4", ".mp4", "H.264 in MP4", (("preset", "superfast"), ("crf", "23")),
                    (("movflags", "+faststart"),))
OPENH264_MP4 = Encoding("libopenh264", "h264", "mp4", ".mp4", "H.264 in MP4", (), (("movflags", "+faststart"),))
VP9_WEBM = Encoding("libvpx-vp9", "vp9", "webm", ".webm", "VP9 in WebM",
                    (("deadline", "realtime"), ("cpu-used", "8"), ("row-mt", "1"), ("crf", "32"), ("b", "0")))
PREFERENCE = (H264_MP4, OPENH264_MP4, VP9_WEBM)
_SUFFIXES = {"mp4": {".mp4", ".m4v", ".mov"}, "webm": {".webm"}}  # the file names each container answers to
TIME_BASE = Fraction(1, 90000)  # the usual video clock: frame times from the source kept to 11 us


def has_encoder(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except (av.codec.codec.UnknownCodecError, ValueError):
        return False
    return True


def choose_encoding(target: Path, candidates: tuple[Encoding, ...] = PREFERENCE) -> tuple[Encoding, Path]:
    """The first encoder installed, and the path to write: a ``.webm`` target asks for WebM first.

    Where the target's container cannot hold the chosen codec, its suffix changes (``a.mp4`` ->
    ``a.webm``) rather than writing a file its name misdescribes.
    """
    if target.suffix.lower() == ".webm":
        candidates = tuple(sorted(candidates, key=lambda e: e.container != "webm"))
    for encoding in candidates:
        if has_encoder(encoding.encoder):
            path = target if target.suffix.lower() in _SUFFIXES[encoding.container] else target.with_suffix(
                encoding.suffix)
            return encoding, path
    raise RuntimeError("no H.264 or VP9 encoder in this FFmpeg build")



class VideoEncoder:
    """Frames (BGR, with their times in seconds) into one playable file; ``close`` finishes it."""

    def __init__(self, path: Path, encoding: Encoding, fps: float) -> None:
        self.encoding = encoding
        self._container = av.open(str(path), "w", format=encoding.container,
                                  options=dict(encoding.container_options))
        self._rate = Fraction(fps).limit_denominator(1001) if fps and fps > 0 else Fraction(30)
        self._stream = None
        self._t0 = 0.0
        self._last_pts = -1

    def _open_stream(self, shape: tuple[int, ...], t0: float) -> None:
        """The stream takes the first frame's size (after any rotation the source asked for)."""
        stream = self._container.add_stream(self.encoding.encoder, rate=self._rate, options=dict(self.encoding.options))
        # yuv420p halves the chroma: odd sizes lose their last column or row
        stream.width, stream.height = shape[1] - shape[1] % 2, shape[0] - shape[0] % 2
        stream.pix_fmt = "yuv420p"
        stream.time_base = stream.codec_context.time_base = TIME_BASE
        self._stream, self._t0 = stream, t0

    def write(self, image_bgr: np.ndarray, t_s: float) -> None:
        """One frame shown from ``t_s`` (source time): a variable-rate source keeps its timing."""
        if self._stream is None:
            self._open_stream(image_bgr.shape, t_s)
        s = self._stream
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_bgr[: s.height, : s.width]), format="bgr24")
        pts = max(round((t_s - self._t0) / TIME_BASE), self._last_pts + 1)
        frame.pts, frame.time_base, self._last_pts = pts, TIME_BASE, pts
        self._container.mux(s.encode(frame))

    def close(self) -> None:
        """Flush the encoder and write the index; after this the file is complete."""
        try:
            if self._stream is None:
                raise InputError("the video has no frame to write")
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()

    def abort(self) -> None:
        try:
            self._container.close()
        except (av.error.FFmpegError, OSError, ValueError) as exc:  # the file is deleted anyway
            log.debug("closing an abandoned video: %s", exc)
