"""Peak memory against video length: `formcheck analyze --json` on a 1- and a 10-minute video.

    python benchmarks/memory.py [--video sample_videos/lunge_side_clean.mp4] [--minutes 1,10]
                                [--model full] [--mirror one|default|always] [--json out.json]

The long videos are the sample played forward and backward (so the motion stays continuous at
the seams), written once into .bench/memory/. Each analysis runs as its own child process, and
its peak RSS comes from the kernel (``os.wait4``), so nothing of one run leaks into another.
Issue 7's target: the 10-minute peak within 1.2x of the 1-minute one. ``--mirror`` says how the
mirror pass runs: ``default`` as ``analyze`` runs it (from 2 s on in this side view: the memory a
user sees), ``one`` never (``--no-mirror-pass``, one inference), ``always`` from the first frame.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench" / "memory"


def looped_video(video: Path, minutes: float) -> Path:
    """``video`` played back and forth for ``minutes``, written by a child process: the frames it
    holds would otherwise count in the measured children's peak RSS (a forked child starts with
    its parent's pages)."""
    out = CACHE / f"{video.stem}_{minutes:g}min.mp4"
    if not out.is_file():
        subprocess.run([sys.executable, __file__, "--write-loop", str(video), str(minutes)], check=True)
    return out


def _write_loop(video: Path, minutes: float) -> None:
    out = CACHE / f"{video.stem}_{minutes:g}min.mp4"
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, frames[0].shape[1::-1])
    period = 2 * len(frames) - 2
    for i in range(round(minutes * 60 * fps)):
        k = i % period
        writer.write(frames[k if k < len(frames) else period - k])
    writer.release()
    tmp.rename(out)


MIRROR_FLAGS = {"one": ["--no-mirror-pass"], "default": [], "always": ["--mirror-pass"]}


def peak_rss_mb(video: Path, model: str, report: Path, mirror: str = "default") -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of one `formcheck analyze` child process."""
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(video), "-q", "--model", model, "--json", str(report),
           "--no-history", *MIRROR_FLAGS[mirror]]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=ROOT / "sample_videos" / "lunge_side_clean.mp4")
    parser.add_argument("--minutes", default="1,10")
    parser.add_argument("--model", default="full")
    parser.add_argument("--mirror", choices=sorted(MIRROR_FLAGS), default="default",
                        help="the mirror pass as analyze runs it (default), never (one) or from the first frame")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write-loop", nargs=2, metavar=("VIDEO", "MINUTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_loop:
        _write_loop(Path(args.write_loop[0]), float(args.write_loop[1]))
        return
    rows = []
    for minutes in (float(m) for m in args.minutes.split(",")):
        video = looped_video(args.video, minutes)
        rss, wall, code = peak_rss_mb(video, args.model, CACHE / f"{video.stem}.json", args.mirror)
        frames = len(json.loads((CACHE / f"{video.stem}.json").read_text())["frames"]["t"]) if code == 0 else 0
        rows.append({"minutes": minutes, "frames": frames, "peak_rss_mb": round(rss), "wall_s": round(wall, 1),
                     "exit": code})
        print(f"{minutes:5g} min  {frames:6d} frames  peak RSS {rss:6.0f} MB  {wall:7.1f} s  exit {code}", flush=True)
    if len(rows) > 1:
        print(f"ratio longest/shortest: {rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f} (target <= 1.2)")
    if args.json:
        args.json.write_text(json.dumps({"model": args.model, "mirror": args.mirror, "rows": rows},
                                        indent=1) + "\n")


if __name__ == "__main__":
    main()
