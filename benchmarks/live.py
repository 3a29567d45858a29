"""Live mode's speed: sustained fps and capture-to-cue latency, replaying a sample as a camera.

    python benchmarks/live.py [--video sample_videos/lunge_live_side.mp4] [--models lite,full]
                              [--speeds 1,2] [--json out.json]

Each run replays the video through `formcheck live`'s loop (headless, no voice) at ``speed`` x its
real pace: at 1x a 30 fps clip offers 30 fps, so the processed rate is capped there and dropped
frames show a shortfall; at 2x it offers 60 fps, more than either model can take, so the
processed rate is the sustained maximum. All runs are in one process, one after another.

Latencies (p50, p95):
- frame: a frame's capture -> its pose, session update and overlay done;
- cue: capture of the newest frame an analysis read -> the cue issued (voice started);
- analysis: the same span for every analysis run, cue or not.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

import numpy as np

from formcheck.live.capture import ReplaySource
from formcheck.live.loop import run_live
from formcheck.pose import INFERENCE_MAX_SIDE
from formcheck.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]


def _ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1000, 1) if values else None


def measure(video: Path, model: str, speed: float) -> dict:
    outcome = run_live(ReplaySource(str(video), INFERENCE_MAX_SIDE, speed=speed), load_profile(), model=model,
                       window=False)
    s, session = outcome.stats, outcome.session
    cues = [e.latency_s for e in session.cues if e.latency_s is not None]
    return {
        "video": video.name, "model": model, "speed": speed,
        "offered_fps": round(s.frames_captured / s.wall_s, 1),
        "processed_fps": round(s.fps, 1),
        "dropped_pct": round(100 * s.frames_dropped / max(s.frames_captured, 1), 1),
        "frame_latency_ms": [_ms(s.frame_latencies_s, 50), _ms(s.frame_latencies_s, 95)],
        "cue_latency_ms": [_ms(cues, 50), _ms(cues, 95)],
        "analysis_latency_ms": [_ms(session.analysis_latencies_s, 50), _ms(session.analysis_latencies_s, 95)],
        "cues": len(session.cues),
        "reps_live": dict(session.counts),
        "reps_saved": {k: v for k, v in outcome.analysis.reps_per_leg().items() if k != "unknown"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=ROOT / "sample_videos" / "lunge_live_side.mp4")
    parser.add_argument("--models", default="lite,full")
    parser.add_argument("--speeds", default="1,2")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rows = [measure(args.video, m, float(sp)) for m in args.models.split(",") for sp in args.speeds.split(",")]
    header = ("model", "speed", "offered fps", "processed fps", "dropped %", "frame ms p50/p95",
              "cue ms p50/p95", "analysis ms p50/p95", "cues", "reps live", "reps saved")
    print(" | ".join(header))
    for r in rows:
        print(" | ".join(str(x) for x in (
            r["model"], f'{r["speed"]:g}x', r["offered_fps"], r["processed_fps"], r["dropped_pct"],
            "/".join(map(str, r["frame_latency_ms"])), "/".join(map(str, r["cue_latency_ms"])),
            "/".join(map(str, r["analysis_latency_ms"])), r["cues"], r["reps_live"], r["reps_saved"])))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"runs": rows, "peak_rss_mb": round(peak_mb)}, indent=1) + "\n")


if __name__ == "__main__":
    main()
