"""`analyze A B DIR/ --out-dir OUT`: one report per video plus an index; local pool and Ray agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from formcheck.batch import BATCH_FAILED_EXIT, collect_videos, report_names

FRAMES = 210  # 7 s of each sample: two reps, enough for findings, short enough for a test


def _cut(src: Path, dst: Path) -> Path:
    import cv2

    cap = cv2.VideoCapture(str(src))
    writer = None
    for _ in range(FRAMES):
        ok, img = cap.read()
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), 30, img.shape[1::-1])
        writer.write(img)
    writer.release()
    return dst


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A folder of two clips, a text file named .mp4 and a note, plus a missing path; run with --jobs 2."""
    root = tmp_path_factory.mktemp("batch")
    folder = root / "in"
    folder.mkdir()
    _cut(SAMPLES / "lunge_side_knee.mp4", folder / "a_side.mp4")
    _cut(SAMPLES / "lunge_front_feet.mp4", folder / "b_front.mp4")
    (folder / "c_notes.mp4").write_text("not a video\n" * 40)
    (folder / "readme.txt").write_text("not a video either, and not named like one\n")
    inputs = [str(folder), str(root / "missing.mp4")]
    out = root / "out"
    proc = cli("analyze", *inputs, "--out-dir", str(out), "--jobs", "2", "--model", "lite",
               "--formats", "json,csv,html,trc,mot")
    return inputs, out, proc


def test_batch_writes_a_report_per_video_and_an_index(batch):
    inputs, out, proc = batch
    assert proc.returncode == BATCH_FAILED_EXIT, proc.stderr  # two of four failed; the batch still finished
    assert "2 of 4 videos analysed, 2 failed" in proc.stdout
    index = json.loads((out / "index.json").read_text())
    entries = index["videos"]
    assert [Path(e["video"]).name for e in entries] == ["a_side.mp4", "b_front.mp4", "c_notes.mp4", "missing.mp4"]
    assert [(e["status"], e["exit_code"]) for e in entries] == [("ok", 0), ("ok", 0), ("error", 2), ("error", 2)]
    assert "not a readable video" in entries[2]["error"] and "no such file" in entries[3]["error"]
    assert index["summary"] == {"videos": 4, "ok": 2, "failed": 2}
    for e in entries[:2]:
        assert e["complete_reps"] >= 1 and sum(e["reps_per_leg"].values()) == e["complete_reps"]
        assert set(e["reports"]) == {"json", "csv", "html", "trc", "mot"}
        assert all((out / f).is_file() for f in e["reports"].values())
    page = (out / "index.html").read_text()
    assert 'href="a_side.html"' in page and 'href="b_front.html"' in page and "error (exit 2)" in page
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.json", "index.html"] + [
        f"{n}.{x}" for n in ("a_side", "b_front") for x in ("json", "csv", "html", "trc", "mot")])  # no temp files
    for n in range(1, 5):
        assert f"[{n}/4]" in proc.stderr


def test_batch_report_is_the_single_video_report(batch):
    from formcheck import analyze_video
    from formcheck.report.json_report import to_json

    inputs, out, _ = batch
    video = Path(inputs[0]) / "a_side.mp4"
    assert (out / "a_side.json").read_text() == to_json(analyze_video(video, model="lite"))


def test_batch_usage_errors(tmp_path):
    clip = str(SAMPLES / "lunge_side_knee.mp4")
    proc = cli("analyze", clip, clip)
    assert proc.returncode == 2 and "need --out-dir" in proc.stderr
    proc = cli("analyze", clip, "--out-dir", str(tmp_path), "--formats", "json,pdf")
    assert proc.returncode == 2 and "unknown report format pdf" in proc.stderr
    proc = cli("analyze", str(tmp_path), "--out-dir", str(tmp_path / "o"))  # an empty folder
    assert proc.returncode == 2 and "no videos to analyse" in proc.stderr
    fake = tmp_path / "noray"
    fake.mkdir()
    (fake / "ray.py").write_text("raise ImportError('ray is not installed here')\n")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")])}
    proc = cli("analyze", clip, "--out-dir", str(tmp_path / "o"), "--engine", "ray", env=env)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "pip install 'formcheck[ray]'" in lines[0]


def test_collect_and_name_videos(tmp_path):
    (tmp_path / "d").mkdir()
    for name in ("x.MP4", "y.mov", ".hidden.mp4", "z.txt"):
        (tmp_path / "d" / name).write_bytes(b"")
    videos = collect_videos([tmp_path / "d", tmp_path / "other" / "x.mp4"])
    assert [v.name for v in videos] == ["x.MP4", "y.mov", "x.mp4"]
    assert report_names(videos) == ["x", "y", "x-2"]


def test_ray_engine_gives_the_local_engines_reports(batch, tmp_path):
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'formcheck[ray]')")
    import formcheck
    from formcheck.batch import run_batch

    inputs, local_out, _ = batch
    # the Ray workers import the formcheck under test (they inherit the environment of the instance)
    src = str(Path(formcheck.__file__).resolve().parents[1])
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (src, saved)))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        index = run_batch(inputs, tmp_path, model="lite", formats=("json", "csv", "html", "trc", "mot"), jobs=2,
                          engine="ray")
    finally:
        ray.shutdown()
        os.environ.pop("PYTHONPATH") if saved is None else os.environ.update(PYTHONPATH=saved)
    local = json.loads((local_out / "index.json").read_text())

    def strip(entries):
        return [{k: v for k, v in e.items() if k != "seconds"} for e in entries]

    assert strip(index["videos"]) == strip(local["videos"])
    assert index["run"]["engine"] == "ray"
    for name in sorted(p.name for p in local_out.iterdir() if p.name not in ("index.json", "index.html")):
        assert (tmp_path / name).read_text() == (local_out / name).read_text(), name
