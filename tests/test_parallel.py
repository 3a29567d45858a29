"""`--jobs N` on one video: its pose stage as chunks in several processes gives the single stream's result."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SAMPLES, SHARED_VIDEOS
from formcheck.parallel import WARMUP_S, WORKER_START_S, StitchError, plan_chunks, stitch
from formcheck.profile import load_profile
from formcheck.series import PoseSeries
from formcheck.sources import probe, read_frames

CLIP = SAMPLES / "lunge_side_knee.mp4"  # 690 frames, 23 s: six reps, two knee-over-toes, one shallow
H264 = SHARED_VIDEOS / "forward_lunge_side.mp4"  # a real 1080p phone clip (H.264, 23.976 fps)


@pytest.mark.parametrize("frames, fps, streams, expected", [
    (690, 30.0, 2, 2), (18000, 30.0, 4, 4), (1000, 23.976, 3, 3), (100, 30.0, 2, 1), (300, 30.0, 8, 1), (0, 30.0, 2, 1),
])
def test_chunks_keep_every_frame_once(frames, fps, streams, expected):
    chunks = plan_chunks(frames, fps, streams)
    assert len(chunks) == expected
    kept = [(c.keep, frames if c.stop is None else c.stop) for c in chunks]
    assert kept[0][0] == 0 and chunks[-1].stop is None  # the last chunk reads to the real end
    assert all(a[1] == b[0] for a, b in zip(kept[:-1], kept[1:], strict=True))  # contiguous, no overlap kept
    assert all(c.warmup == round(WARMUP_S * fps) for c in chunks[1:]) and chunks[0].warmup == 0
    lengths = [b - a for a, b in kept]
    if len(chunks) > 1:  # chunk 0 starts at once, the workers later: it gets their warm-up and start-up
        assert abs(lengths[0] - lengths[1] - round((WARMUP_S + WORKER_START_S) * fps)) <= 1
        assert max(lengths[1:]) - min(lengths[1:]) <= 1


def _decoded(path, start=0, stop=None):
    return [(f.index, f.t, f.image) for f in read_frames(path, max_side=160, start=start, stop=stop)]


@pytest.mark.parametrize("path", [CLIP, H264], ids=["mp4v-480p", "h264-1080p"])
@pytest.mark.slow
def test_chunk_reads_are_the_single_streams_frames(path):
    if not path.is_file():
        pytest.skip(f"{path} not available")
    whole = _decoded(path)
    assert len(whole) == probe(path).frame_count
    for c in plan_chunks(len(whole), probe(path).fps, 3, min_chunk_s=1.0):
        # the first 15 frames of each chunk, and the last chunk to the end of the video
        stop = c.stop if c.stop is None else min(c.stop, c.start + 15)
        part = _decoded(path, c.start, stop)
        assert len(part) == (stop if stop is not None else len(whole)) - c.start
        for (i, t, img), (wi, wt, wimg) in zip(part, whole[c.start:], strict=False):
            assert (i, t) == (wi, wt)
            assert np.array_equal(img, wimg)


def _series(t):
    t = np.asarray(t, float)
    rng = np.random.default_rng(len(t))
    return PoseSeries.from_landmarks(rng.random((len(t), 33, 4)), t, (640, 480))


def test_stitch_drops_the_warmup_and_refuses_chunks_that_do_not_meet():
    chunks = plan_chunks(20, 10.0, 2, warmup_s=0.3, min_chunk_s=0.5, start_s=0.0)  # kept 0-9 | 10-19, warm-up 7-9
    t = np.arange(20) / 10.0
    a, b = _series(t[:10]), _series(t[7:])
    joined = stitch([a, b], chunks)
    assert np.array_equal(joined.t, t)
    assert np.array_equal(joined.image[10:], b.image[3:]) and np.array_equal(joined.image[:10], a.image)
    with pytest.raises(StitchError):  # a seek that landed one frame late: the seam does not match
        stitch([a, _series(t[8:])], chunks)
    with pytest.raises(StitchError):  # timestamps numbered by formcheck, not the container's
        stitch([a, _series(t[7:] + 0.01)], chunks)


def test_stitch_joins_each_chunks_mirror_pass_and_says_when_the_first_reached_the_kept_frames():
    """Chunk 0 ran no mirror pass, chunk 1 started its own 0.1 s into its warm-up (0.8 s): the
    stitched series has its rows from frame 10 on, NaN before, and says the pass ran from 1.0 s,
    its first kept frame."""
    from dataclasses import replace

    chunks = plan_chunks(20, 10.0, 2, warmup_s=0.3, min_chunk_s=0.5, start_s=0.0)
    t = np.arange(20) / 10.0
    a, b = _series(t[:10]), _series(t[7:])
    mirrored = np.random.default_rng(1).random((13, 33, 4)).astype(np.float32)
    b = replace(b, mirrored=mirrored, capture=replace(b.capture, mirror_pass_from_s=0.8))
    joined = stitch([a, b], chunks)
    assert joined.mirrored.shape == joined.image.shape
    assert np.isnan(joined.mirrored[:10]).all() and np.array_equal(joined.mirrored[10:], mirrored[3:])
    assert joined.capture.mirror_pass_from_s == 1.0
    plain = stitch([_series(t[:10]), _series(t[7:])], chunks)
    assert plain.mirrored is None and not plain.capture.mirror_pass


def _rep_digest(result):
    return [(r.rep.leg, r.rep.variant, r.rep.complete, sorted((f.code, f.side) for f in r.mistakes),
             [(f.code, f.status) for f in r.findings]) for r in result.reps]


def test_two_streams_give_the_single_streams_reps_and_findings(analyses):
    from formcheck import analyze_video

    single = analyses(CLIP, "full")
    two = analyze_video(CLIP, model="full", streams=2)
    assert two.series.capture.streams == 2 and two.series.capture.warmup_frames == 30
    assert two.series.capture.mirror_pass and single.series.capture.mirror_pass  # a side view: each chunk runs one
    assert np.array_equal(two.series.t, single.series.t)  # every frame once: none lost, none twice
    # what the pose stage measures besides landmarks is joined like the frames
    assert np.allclose(two.series.capture.luma, single.series.capture.luma, atol=0.5)
    people_t = two.series.capture.people_t
    every_s = load_profile()["pose.people_check_every_s"]
    assert np.all(np.diff(people_t) > 0) and people_t[-1] > single.series.t[-1] - every_s - 0.5
    assert set(two.series.capture.people_n) == set(single.series.capture.people_n) == {1}
    assert two.reps_per_leg() == single.reps_per_leg() == {"left": 3, "right": 3, "unknown": 0}
    assert _rep_digest(two) == _rep_digest(single)
    assert sum(bool(r.mistakes) for r in two.reps) >= 3  # the clip's faults are found, not a clean run
    for r2, r1 in zip(two.reps, single.reps, strict=True):
        assert abs(r2.rep.bottom_s - r1.rep.bottom_s) <= 2 / 30
        for key, v1 in r1.values.items():
            tol = 1.5 if key.endswith("_deg") else 0.03  # landmark noise: see parallel.py's docstring
            v2 = r2.values[key]
            assert np.isnan(v1) == np.isnan(v2), key
            if key == "back_knee_flexion_deg":
                # the second chunk's mirror pass starts once its own 2 s watch (1 s of warm-up)
                # reads the body turned, and a side-on back knee takes the mirror's reading where
                # larger (``knee_readings.back_knee_deg``): before it started, never above the single stream
                assert np.isnan(v1) or v2 <= v1 + tol, key
            else:
                assert np.isnan(v1) or abs(v2 - v1) <= tol, key
