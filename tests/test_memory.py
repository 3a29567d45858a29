"""Memory stays flat with video length: the analysis after pose costs a bounded number of bytes
per frame, measured with tracemalloc (deterministic: it counts allocations, not the OS's pages).

Why 3 KB per frame: issue 7 wants the peak RSS of a 10-minute video within 1.2x of a 1-minute
one. With the pose model loaded the process holds about 250 MB before the first frame, so the
16 200 extra frames of the longer video may add at most 0.2 * 250 MB = 50 MB, about 3.1 KB each
(the whole-process numbers are in the README, from benchmarks/memory.py).
"""

from __future__ import annotations

import os
import tracemalloc

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.analysis import analyze_series
from formcheck.report.json_report import dump_json
from formcheck.series import PoseSeries

BYTES_PER_FRAME = 3000


@pytest.fixture(scope="module")
def clip_series(analyses) -> PoseSeries:
    """The real model's landmarks of a sample clip (3 reps per leg), as analyze_video kept them."""
    return analyses(SAMPLES / "lunge_side_clean.mp4").series


def _played_back_and_forth(series: PoseSeries, frames: int) -> PoseSeries:
    """``frames`` frames of the clip played forward, backward, forward...: continuous motion."""
    n = len(series)
    k = np.arange(frames) % (2 * n - 2)
    k = np.where(k < n, k, 2 * n - 2 - k)
    t = np.arange(frames) / series.fps
    return PoseSeries(series.image[k], series.world[k], t, series.image_size, series.source, series.capture)


def _peak_bytes(make, path) -> tuple[int, int]:
    """Peak traced bytes of analysing the series ``make()`` returns and streaming its JSON."""
    tracemalloc.start()
    try:
        result = analyze_series(make())  # no reference kept here: the analysis may free the raw series
        with open(path, "w") as out:
            dump_json(result, out)
        return tracemalloc.get_traced_memory()[1], len(result.complete_reps)
    finally:
        tracemalloc.stop()


def test_the_analysis_and_its_json_cost_a_bounded_number_of_bytes_per_frame(clip_series, tmp_path):
    assert clip_series.image.dtype == np.float32  # what the pose stage stores (half of float64)
    short, long = 900, 5400  # half a minute and 3 minutes at 30 fps
    peak_short, reps_short = _peak_bytes(lambda: _played_back_and_forth(clip_series, short), tmp_path / "a.json")
    peak_long, reps_long = _peak_bytes(lambda: _played_back_and_forth(clip_series, long), tmp_path / "b.json")
    assert reps_long > 4 * reps_short > 0  # the long series was analysed, not cut short
    per_frame = (peak_long - peak_short) / (long - short)
    print(f"{per_frame:.0f} bytes per frame")
    assert per_frame < BYTES_PER_FRAME, f"{per_frame:.0f} bytes per frame"
    assert os.path.getsize(tmp_path / "b.json") > 4 * os.path.getsize(tmp_path / "a.json")
