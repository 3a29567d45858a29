"""Speed of `analyze` per model on one clip, with the split between pose inference and the rest.

    python benchmarks/speed.py [VIDEO ...] [--models lite,full] [--json out.json]

Everything runs in one process, one after another, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from formcheck.analysis import analyze_series
from formcheck.pose import estimate_video
from formcheck.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]


def measure(video: Path, model: str) -> dict:
    profile = load_profile()
    t0 = time.perf_counter()
    series = estimate_video(str(video), model=model)
    t1 = time.perf_counter()
    result = analyze_series(series, profile=profile)
    t2 = time.perf_counter()
    frames = len(series)
    return {
        "video": video.name, "model": model, "frames": frames,
        "size": list(series.image_size),
        "analyze_fps": round(frames / (t2 - t0), 1),
        "pose_fps": round(frames / (t1 - t0), 1),
        "post_pose_ms": round((t2 - t1) * 1000, 1),
        "post_pose_share_pct": round(100 * (t2 - t1) / (t2 - t0), 2),
        "complete_reps": len(result.complete_reps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--models", default="lite,full")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    videos = args.videos or sorted((ROOT / "sample_videos").glob("*.mp4"))[:1]
    rows = [measure(v, m) for v in videos for m in args.models.split(",")]
    print(f"{'video':34s} {'model':5s} {'frames':>6s} {'size':>10s} {'analyze fps':>11s} {'pose fps':>8s} "
          f"{'rest ms':>8s} {'rest %':>6s}")
    for r in rows:
        print(f"{r['video']:34s} {r['model']:5s} {r['frames']:6d} {'x'.join(map(str, r['size'])):>10s} "
              f"{r['analyze_fps']:11.1f} {r['pose_fps']:8.1f} {r['post_pose_ms']:8.1f} {r['post_pose_share_pct']:6.2f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "peak_rss_mb": round(peak_mb)}, indent=1))


if __name__ == "__main__":
    main()
