"""Video sources: rotation metadata (phone videos), container timestamps, frame sizes."""

from __future__ import annotations

import struct

import cv2
import numpy as np
import pytest

from conftest import SHARED_VIDEOS
from formcheck.pose import estimate_video
from formcheck.sources import probe, read_frames

CLIP = SHARED_VIDEOS / "reverse_lunge_band_34side.mp4"
pytestmark = pytest.mark.skipif(not CLIP.is_file(), reason="shared clips not available")
# tkhd display matrix (16.16 / 2.30 fixed point) that shows a 90-deg-clockwise-stored frame upright
DISPLAY_ROTATE_BACK = (0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000)


def _frames(n: int, size=(640, 360)) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(CLIP))
    out = []
    for _ in range(n):
        ok, frame = cap.read()
        out.append(cv2.resize(frame, size))
    cap.release()
    return out


def _write(path, frames, fps=30) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()


def _set_rotation(path, matrix) -> None:
    """Patch the track header's display matrix, as a phone does when filming in portrait."""
    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    version = data[i + 4]
    offset = i + 8 + (32 if version == 1 else 20) + 8 + 8  # times, track id, duration; reserved; layer...
    data[offset:offset + 36] = struct.pack(">9i", *matrix)
    path.write_bytes(bytes(data))


def test_rotated_phone_video_is_read_upright(tmp_path):
    upright = _frames(20)
    stored = [cv2.rotate(f, cv2.ROTATE_90_CLOCKWISE) for f in upright]
    rotated, plain = tmp_path / "phone.mp4", tmp_path / "plain.mp4"
    _write(rotated, stored)
    _set_rotation(rotated, DISPLAY_ROTATE_BACK)
    _write(plain, upright)
    info = probe(rotated)
    assert (info.width, info.height) == (640, 360)
    first = next(read_frames(rotated)).image
    assert first.shape == (360, 640, 3)
    assert np.abs(first.astype(int) - upright[0]).mean() < 8  # codec noise only
    a, b = estimate_video(str(rotated), model="lite"), estimate_video(str(plain), model="lite")
    assert a.image_size == b.image_size == (640, 360)
    assert a.detected.all()
    hips = slice(23, 25)
    assert np.nanmax(np.abs(a.pixels[:, hips] - b.pixels[:, hips])) < 10  # pixels


@pytest.mark.slow
def test_timestamps_come_from_the_container():
    series = estimate_video(str(SHARED_VIDEOS / "forward_lunge_side.mp4"), model="lite")
    assert np.all(np.diff(series.t) > 0)
    # 23.976 fps (NTSC film rate), not a nominal 24: frame 600 is at 25.025 s, not 25.0 s
    assert series.t[600] == pytest.approx(600 / (24000 / 1001), abs=0.002)
    # the title card has no person: NaN rows, not zeros
    assert np.isnan(series.image[:100]).all() and series.detected[200:500].all()


@pytest.mark.slow
def test_landmark_coordinates_refer_to_the_full_frame():
    """Inference runs on a downscaled copy; landmarks are normalised, so they map to the original size."""
    series = estimate_video(str(CLIP), model="lite")
    assert series.image_size == (1280, 720)
    px = series.pixels[series.detected]
    assert 0 < np.nanmin(px[..., 0]) and np.nanmax(px[..., 0]) < 1280
