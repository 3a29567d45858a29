"""The accuracy benchmark: run the real pose model on every clip, score, tabulate, write JSON.

``run_benchmark`` is what ``formcheck bench accuracy`` and ``benchmarks/accuracy.py`` call. Pose
series may be cached (keyed by the video's and the model's SHA-256) so that work on the stages
after pose reruns in seconds; ``--no-cache`` recomputes everything, which is how the published
numbers are made.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis import Analysis, analyze_series
from ..models import file_sha256, resolve_model
from ..pose import estimate_mirrored, estimate_video, with_mirror_pass
from ..profile import Profile, load_profile
from ..series import Capture, PoseSeries
from ..view_watch import first_turned_frame
from .dataset import BenchClip, real_clips, rendered_clip
from .scoring import ClipScore, Summary, score_clip, summarise
from .truth import assessable_codes, real_truth, rendered_rep_labels

SCHEMA = "formcheck-accuracy/1"
VIEW_ORDER = ("side", "oblique", "front")
Progress = Callable[[str], None]


MIRROR_SUFFIX = "+mirror"    # "full+mirror": the model with its mirror pass from the first frame (``pose.MirrorPass``)
NO_MIRROR_SUFFIX = "-mirror"  # "full-mirror": without it; plain "full" is the product's default (``view_watch``)


def base_model(model: str) -> str:
    """The pose model a benchmark model name runs ("full+mirror", "full-mirror" -> "full")."""
    return model.removesuffix(MIRROR_SUFFIX).removesuffix(NO_MIRROR_SUFFIX)


def pose_series(clip: BenchClip, model: str, cache_dir: Path | None,
                profile: Profile | None = None) -> tuple[PoseSeries, float]:
    """The clip's pose series as ``formcheck analyze`` computes it with that benchmark model
    (see ``base_model``), and the seconds spent on it (0 when read from the cache). The plain run
    and the mirror pass are cached on their own; the default mirror pass starts where
    ``view_watch.first_turned_frame`` of the plain run says, as it does in ``pose.estimate_frames``."""
    series, seconds = _plain_series(clip, base_model(model), cache_dir)
    if model.endswith(NO_MIRROR_SUFFIX):
        return series, seconds
    profile = profile or load_profile()
    start = 0 if model.endswith(MIRROR_SUFFIX) else first_turned_frame(series, profile)
    rows, more = (None, 0.0) if start is None else _mirror_pass(clip, base_model(model), cache_dir, start, profile)
    return with_mirror_pass(series, rows, start or 0), seconds + more


def _plain_series(clip: BenchClip, model: str, cache_dir: Path | None) -> tuple[PoseSeries, float]:
    """The pose model's run on the frames as filmed, without a mirror pass."""
    path = _cache_path(clip, model, cache_dir)
    if path is not None and path.is_file():
        d = np.load(path)
        return PoseSeries(d["image"], d["world"], d["t"], tuple(int(x) for x in d["size"]), str(clip.video),
                          Capture(model=str(d["model"]))), 0.0
    t0 = time.perf_counter()
    series = estimate_video(str(clip.video), model=model, mirror_pass=False)
    seconds = time.perf_counter() - t0
    _save(path, image=series.image, world=series.world, t=series.t, size=np.array(series.image_size),
          model=series.capture.model)
    return series, seconds


def _mirror_pass(clip: BenchClip, model: str, cache_dir: Path | None, start: int,
                 profile: Profile) -> tuple[np.ndarray, float]:
    """The clip's mirror-pass landmarks from frame ``start`` on, read every ``pose.mirror_every_s``
    as ``analyze`` reads them, and the seconds spent on them (0 when cached)."""
    every_ms = round(1000 * profile["pose.mirror_every_s"])
    path = _cache_path(clip, model, cache_dir, f".mirror{start or ''}.every{every_ms}ms")
    if path is not None and path.is_file():
        return np.load(path)["mirrored"], 0.0
    t0 = time.perf_counter()
    mirrored = estimate_mirrored(str(clip.video), model=model, start_frame=start, profile=profile)
    seconds = time.perf_counter() - t0
    _save(path, mirrored=mirrored)
    return mirrored, seconds


def _cache_path(clip: BenchClip, model: str, cache_dir: Path | None, part: str = "") -> Path | None:
    """Where a clip's pose output is cached: keyed by the video's and the model's SHA-256."""
    if cache_dir is None:
        return None
    key = f"{file_sha256(clip.video)[:16]}_{file_sha256(resolve_model(model))[:12]}"
    return Path(cache_dir) / f"{clip.name}.{model}{part}.{key}.npz"


def _save(path: Path | None, **arrays: np.ndarray) -> None:
    """Write a cache file atomically (nothing without a cache)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


MIN_TRUE_HIP_DROP = 0.05  # a rep whose hips drop less than 5% of standing height shows no movement


def _hip_drops(clip: BenchClip, reps: list[dict]) -> list[float]:
    """Each true rep's hip drop from its start to its bottom, as a share of standing hip height.

    The generator can ask for a fault so large that nothing moves (a split squat told to stop
    short of the split stance it already stands in): such a rep is not counted either way.
    """
    npz = clip.video.with_name(clip.video.stem + ".truth.npz")
    if not npz.is_file():
        return [1.0] * len(reps)
    joints = np.load(npz)["joints_m"]
    hip = (joints[:, 23, 2] + joints[:, 24, 2]) / 2.0
    fps = float(clip.truth["fps"])
    standing = float(np.percentile(hip, 95))
    at = [(min(len(hip) - 1, round(r["start_s"] * fps)), min(len(hip) - 1, round(r["bottom_s"] * fps))) for r in reps]
    return [float(hip[a:b + 1].max() - hip[b]) / standing for a, b in at]


def score_rendered(clip: BenchClip, result: Analysis, profile: Profile) -> ClipScore:
    truth = clip.truth
    drops = _hip_drops(clip, truth["reps"])
    reps = [dict(r, labels=rendered_rep_labels(r, profile), countable=drop >= MIN_TRUE_HIP_DROP)
            for r, drop in zip(truth["reps"], drops, strict=True)]
    counts = {"left": 0, "right": 0}
    for r in reps:
        counts[r["leg"]] += int(r["complete"] and r["countable"])
    return score_clip(clip.name, "rendered", reps, truth["view"], counts, result, assessable_codes(truth["view"]),
                      profile)


def score_real(clip: BenchClip, result: Analysis, profile: Profile) -> ClipScore:
    truth = real_truth(clip.truth)
    n, leg = truth["complete_reps"], truth["leg"]
    named = leg in ("left", "right", "mixed")
    if named:
        counts = {s: sum(r["leg"] == s for r in truth["reps"]) for s in ("left", "right")}
    elif leg == "alternating":
        counts = {"left": n - n // 2, "right": n // 2}
    else:                      # one leg throughout, which one unsaid (or unknown): the tool's main leg is scored
        counts = {"left": n, "right": 0}
    return score_clip(clip.name, "real", truth["reps"], truth["view"], counts, result,
                      assessable_codes(truth["view"]), profile, same_leg=not named and leg != "alternating")


@dataclass
class ModelRun:
    model: str
    scores: list[ClipScore] = field(default_factory=list)
    pose_seconds: float = 0.0
    frames: int = 0

    def summary(self, kind: str) -> Summary:
        return summarise([s for s in self.scores if s.kind == kind])


def run_benchmark(models: Iterable[str] = ("full",), seeds: Iterable[int] = range(40), real: bool = True,
                  render_dir: Path = Path(".bench/renders"), pose_cache: Path | None = Path(".bench/poses"),
                  real_dir: Path | None = None, profile: str | None = None,
                  progress: Progress | None = None) -> dict:
    """Render (or reuse) the seeds' clips, run each model over them and the real clips, score."""
    prof = load_profile(profile)
    models = list(models)
    for model in models:  # a missing model fails before minutes of rendering
        resolve_model(base_model(model))
    say = progress or (lambda _msg: None)
    clips = []
    for seed in seeds:
        say(f"render seed {seed}")
        clips.append(rendered_clip(seed, Path(render_dir)))
    if real:
        clips += real_clips(real_dir)
    runs = []
    for model in models:
        run = ModelRun(model)
        for clip in clips:
            say(f"{model}: {clip.name}")
            series, seconds = pose_series(clip, model, pose_cache, prof)
            run.pose_seconds += seconds
            run.frames += len(series) if seconds else 0
            result = analyze_series(series, profile=prof)
            run.scores.append(score_rendered(clip, result, prof) if clip.kind == "rendered"
                              else score_real(clip, result, prof))
        runs.append(run)
    return report(runs, clips, prof)


def report(runs: list[ModelRun], clips: list[BenchClip], profile: Profile) -> dict:
    """JSON-ready results: per model, totals for rendered and real clips and every clip's score."""
    views = {}
    for c in clips:
        if c.kind == "rendered":
            views[c.truth["view"]] = views.get(c.truth["view"], 0) + 1
    out = {"schema": SCHEMA, "profile": profile.path, "rendered_clips": sum(c.kind == "rendered" for c in clips),
           "real_clips": sum(c.kind == "real" for c in clips), "rendered_views": views, "models": {}}
    for run in runs:
        out["models"][run.model] = {
            "rendered": run.summary("rendered").to_dict(),
            "rendered_by_view": by_view([s for s in run.scores if s.kind == "rendered"]),
            "real": run.summary("real").to_dict(),
            "pose_fps": round(run.frames / run.pose_seconds, 2) if run.pose_seconds else None,
            "clips": [s.to_dict() for s in run.scores],
        }
    return out


def by_view(scores: list[ClipScore]) -> dict[str, dict]:
    """The rendered clips pooled per camera view (side, oblique, front): a model's weak view shows."""
    views = sorted({s.view for s in scores}, key=lambda v: (VIEW_ORDER.index(v) if v in VIEW_ORDER else 9, v))
    return {v: summarise([s for s in scores if s.view == v]).to_dict() for v in views}


def merge_reports(reports: list[dict], first: int | None = None) -> dict:
    """Several runs' results as one (their models side by side; later runs win on a clash).

    ``first``: keep only each model's first N rendered clips (and every real clip) and pool
    again, so models run on different numbers of clips compare on the same ones.
    """
    if not reports:
        raise ValueError("no reports given")
    merged = dict(reports[0], models={})
    for rep in reports:
        if rep.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report")
        merged["models"].update(rep["models"])
    if first is not None:
        for model, data in merged["models"].items():
            rendered = [c for c in data["clips"] if c["kind"] == "rendered"][:first]
            real = [c for c in data["clips"] if c["kind"] == "real"]
            merged["models"][model] = dict(
                data, clips=rendered + real,
                rendered=summarise([ClipScore.from_dict(c) for c in rendered]).to_dict(),
                rendered_by_view=by_view([ClipScore.from_dict(c) for c in rendered]),
                real=summarise([ClipScore.from_dict(c) for c in real]).to_dict())
        merged["rendered_clips"] = min(first, merged["rendered_clips"])
    return merged
