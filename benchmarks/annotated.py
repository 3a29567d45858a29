"""What the annotated video costs: decode + draw alone, then each encoder, on one analysis.

    .venv/bin/python benchmarks/annotated.py VIDEO [--rounds 2]

Rounds alternate the encoders so a noisy machine spreads its noise over all of them; read the
ratios, not the seconds. OpenCV's ``mp4v`` (what 0.1.0 wrote) is measured as the reference.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import cv2  # noqa: E402

from formcheck import analyze_video  # noqa: E402
from formcheck.profile import load_profile  # noqa: E402
from formcheck.report import video  # noqa: E402
from formcheck.report.encode import choose_encoding  # noqa: E402


class _Discard:
    def write(self, image, t_s: float) -> None:
        pass


class _Mp4v:
    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self._writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)

    def write(self, image, t_s: float) -> None:
        self._writer.write(image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    analysis = analyze_video(args.video, mirror_pass=False)
    profile = load_profile(None)
    folder = Path(tempfile.mkdtemp())
    seconds: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}

    def timed(name: str, run) -> None:
        start = time.perf_counter()
        path = run()
        seconds.setdefault(name, []).append(time.perf_counter() - start)
        if path is not None:
            sizes[name] = path.stat().st_size

    for _ in range(args.rounds):
        timed("decode + draw", lambda: video._draw_all(analysis, args.video, _Discard(), profile, None, 0))

        def mp4v() -> Path:
            path = folder / "mp4v.mp4"
            sink = _Mp4v(path, analysis.series.fps, analysis.image_size)
            video._draw_all(analysis, args.video, sink, profile, None, 0)
            sink._writer.release()
            return path

        timed("mp4v (OpenCV)", mp4v)
        for suffix in (".mp4", ".webm"):  # H.264 (or the fallback where none is installed), then VP9
            encoding, _ = choose_encoding(folder / f"a{suffix}")
            timed(f"{encoding.label} ({encoding.encoder})",
                  lambda s=suffix: video.write_annotated(analysis, args.video, folder / f"a{s}", profile)[0])
    base = min(seconds["mp4v (OpenCV)"])
    print(f"{args.video.name}: {len(analysis.series)} frames, {analysis.image_size[0]}x{analysis.image_size[1]}")
    for name, runs in seconds.items():
        size = f"{sizes[name] / 1e6:.1f} MB" if name in sizes else ""
        print(f"  {name:32s} {' '.join(f'{s:6.2f}' for s in runs)} s  best/mp4v {min(runs) / base:4.2f}  {size}")


if __name__ == "__main__":
    main()
