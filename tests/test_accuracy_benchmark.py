"""The accuracy benchmark's fast subset in CI: the issue's targets as assertions.

Small, short 480p clips rendered from seeds the published run never uses (1000+), one per view
in turn, plus the real clips; the real pose model runs on all of them (no pose cache).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED_VIDEOS, shared_labels
from formcheck.bench.accuracy import run_benchmark
from formcheck.bench.dataset import fast_seeds
from formcheck.bench.table import TARGETS

SUBSET = 4


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    return run_benchmark(["full"], fast_seeds(SUBSET), real=SHARED_VIDEOS.is_dir(), render_dir=folder / "renders",
                         pose_cache=None, real_dir=SHARED_VIDEOS)


def test_subset_covers_every_view(report):
    views = report["rendered_views"]
    assert set(views) == {"side", "front", "oblique"} and sum(views.values()) == SUBSET


# Every issue-3 target holds on this subset. A target it stops meeting for a known, accepted
# reason becomes a strict xfail carrying the measured value, so the gap is on record and the test
# turns red the day it closes. The floors below are what this subset measures today, so a
# regression fails CI.


def _rendered(report):
    return report["models"]["full"]["rendered"]


def test_target_rendered_rep_counts_exact_per_leg(report):
    assert _rendered(report)["count_exact_share"] >= TARGETS["rendered_exact"]


def test_target_off_by_one(report):
    assert _rendered(report)["count_obo_share"] >= TARGETS["obo"]


def test_target_each_mistake_code_f1(report):
    codes = _rendered(report)["codes"]
    assert not {c: t["f1"] for c, t in codes.items() if t["positives"] and t["f1"] < TARGETS["f1"]}


def test_target_false_cues_on_clean_reps(report):
    assert _rendered(report)["false_cue_rate"] <= TARGETS["false_cue_rate"]


@pytest.mark.skipif(not SHARED_VIDEOS.is_dir(), reason="../shared/videos not present")
def test_target_real_clips_exact_per_leg(report):
    """Every clip of real-labels.json is scored, and each is exact per leg."""
    real = [c for c in report["models"]["full"]["clips"] if c["kind"] == "real"]
    assert {c["name"] for c in real} == {Path(name).stem for name in shared_labels()}
    assert all(c["exact"] for c in real), [(c["name"], c["found_counts"]) for c in real]
    assert report["models"]["full"]["real"]["count_exact_share"] >= TARGETS["real_exact"]


def test_floor_rep_counts(report):
    ren = _rendered(report)
    assert ren["reps_matched"] == ren["reps_true"] and ren["phantom_reps"] == 0


def test_floor_mistakes(report):
    ren = _rendered(report)
    assert ren["codes"]["knee_past_toes"]["f1"] == 1.0
    assert ren["codes"]["depth_short"]["f1"] == 1.0  # bench_1003's back knee: see README, Accuracy
    assert ren["clean_reps"] >= 8 and ren["clean_reps_cued"] == 0


def test_report_is_json_and_the_cli_tabulates_it(report, tmp_path):
    from typer.testing import CliRunner

    from formcheck.cli import app

    path = tmp_path / "subset.json"
    path.write_text(json.dumps(report))
    result = CliRunner().invoke(app, ["bench", "table", str(path)])
    assert result.exit_code == 0
    assert "count exact per leg" in result.output and "F1 depth_short" in result.output


@pytest.mark.slow
def test_cli_runs_the_benchmark_and_writes_json(tmp_path):
    from typer.testing import CliRunner

    from formcheck.cli import app

    out = tmp_path / "acc.json"
    args = ["bench", "accuracy", "--models", "full", "--clips", "1", "--first-seed", str(fast_seeds(SUBSET)[1]),
            "--no-real", "--no-cache", "--cache", str(tmp_path), "--json", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output  # missed targets only fail the run with --check
    saved = json.loads(out.read_text())
    assert saved["schema"] == "formcheck-accuracy/1" and saved["rendered_clips"] == 1
    assert saved["models"]["full"]["rendered"]["reps_true"] > 0
    assert saved["models"]["full"]["pose_fps"] > 0


def test_cli_unknown_model_fails_fast_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from formcheck.cli import app

    result = CliRunner().invoke(app, ["bench", "accuracy", "--models", "nosuch", "--cache", str(tmp_path)])
    assert result.exit_code == 3
    assert not list(tmp_path.glob("renders/*.mp4"))
