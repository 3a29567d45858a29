"""The annotated video's encoder: which codec it picks, and what ffprobe says of the file it writes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from formcheck.report.encode import H264_MP4, VP9_WEBM, Encoding, VideoEncoder, choose_encoding

NO_SUCH = Encoding("no-such-encoder", "none", "mp4", ".mp4", "nothing")


def ffprobe(path: Path) -> dict:
    if not shutil.which("ffprobe"):
        pytest.fail("ffprobe is not installed (tools/system-deps.sh installs ffmpeg)")
    proc = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams",
                           "-show_format", str(path)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def write_clip(path: Path, encoding: Encoding, times: list[float], size=(161, 121)) -> list[np.ndarray]:
    """A white square walking right on grey; an odd size, so the encoder must crop it."""
    frames = []
    encoder = VideoEncoder(path, encoding, fps=30.0)
    for i, t in enumerate(times):
        img = np.full((size[1], size[0], 3), 90, np.uint8)
        img[40:80, 10 + 3 * i: 50 + 3 * i] = 255
        encoder.write(img, t)
        frames.append(img)
    encoder.close()
    return frames


def test_the_target_suffix_asks_for_the_container_and_a_missing_encoder_is_skipped(tmp_path):
    assert choose_encoding(tmp_path / "a.mp4") == (H264_MP4, tmp_path / "a.mp4")
    assert choose_encoding(tmp_path / "a.webm") == (VP9_WEBM, tmp_path / "a.webm")
    assert choose_encoding(tmp_path / "a.mov") == (H264_MP4, tmp_path / "a.mov")
    # no H.264 encoder installed: WebM, and the file's name says so
    assert choose_encoding(tmp_path / "a.mp4", (NO_SUCH, VP9_WEBM)) == (VP9_WEBM, tmp_path / "a.webm")
    with pytest.raises(RuntimeError, match="no H.264 or VP9 encoder"):
        choose_encoding(tmp_path / "a.mp4", (NO_SUCH,))


def test_h264_file_is_yuv420p_with_its_index_first_and_the_sources_timing(tmp_path):
    path = tmp_path / "a.mp4"
    times = [0.5 + i / 30 for i in range(20)] + [0.5 + 20 / 30 + 0.1 + i / 30 for i in range(10)]  # a 0.1 s gap
    frames = write_clip(path, H264_MP4, times)
    info = ffprobe(path)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["pix_fmt"], stream["width"], stream["height"]) == ("h264", "yuv420p",
                                                                                            160, 120)
    assert int(stream["nb_read_frames"]) == 30
    # the last frame starts 1.067 s after the first (its own length adds one frame's time)
    assert float(info["format"]["duration"]) == pytest.approx(times[-1] - times[0] + 1 / 30, abs=0.02)
    data = path.read_bytes()
    assert 0 < data.index(b"moov") < data.index(b"mdat")  # +faststart: a browser can play it while loading
    import av

    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
        pts = [f.time for f in av.open(str(path)).decode(video=0)]
    assert np.diff(pts)[19] == pytest.approx(1 / 30 + 0.1, abs=0.002)  # the gap is kept, not evened out
    error = np.abs(decoded[12].astype(int) - frames[12][:120, :160].astype(int))
    assert np.median(error) <= 5 and error.max() < 60  # lossy (and 4:2:0), but the square is where it was drawn


def test_vp9_webm_plays_where_h264_is_missing(tmp_path):
    encoding, path = choose_encoding(tmp_path / "a.mp4", (NO_SUCH, VP9_WEBM))
    write_clip(path, encoding, [i / 25 for i in range(25)])
    info = ffprobe(path)
    assert info["streams"][0]["codec_name"] == "vp9" and "webm" in info["format"]["format_name"]
    assert int(info["streams"][0]["nb_read_frames"]) == 25
