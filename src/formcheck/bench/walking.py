"""The walking benchmark: random rendered walks (backward, forward, standing), scored on steps,
direction and the walk checks.

Each seed draws a person, room and camera (as the lunge benchmark does), a side or front view,
a direction, a pace and step length, and, for half of the backward walks, one or two clearly
faulty habits. A fault the view cannot show is still drawn sometimes: it must not cause a false
flag, and it is scored as "not assessed", never as found.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..analysis import analyze_series
from ..profile import Profile, load_profile
from ..synth.clips import random_person_and_room
from ..synth.walking import WalkSpec, render_walk
from .accuracy import pose_series
from .dataset import BenchClip

SCHEMA = "formcheck-walk-accuracy/1"
VIEW_YAWS = {"side": (80.0, 100.0), "front": (0.0, 10.0)}
FAULTS = ("walk_slouching", "walk_leaning_back", "walk_head_forward", "walk_steps_too_long", "walk_uneven_steps",
          "walk_unsteady", "walk_cadence_jump")
MAX_TRAVEL_M = 4.0  # a walk across a room
SHOWN = {"side": set(FAULTS) - {"walk_unsteady"},
         "front": {"walk_uneven_steps", "walk_unsteady", "walk_cadence_jump"}}


def walk_spec(seed: int) -> WalkSpec:
    """The benchmark walk for one seed."""
    rng = np.random.default_rng(10_000 + seed)
    view = str(rng.choice(list(VIEW_YAWS)))
    _, body, look, scene, camera = random_person_and_room(rng, "side")
    yaw = float(rng.uniform(*VIEW_YAWS[view])) * float(rng.choice([-1.0, 1.0]))
    camera = replace(camera, yaw_deg=yaw, distance_m=float(rng.uniform(4.0, 6.0)))
    direction = str(rng.choice(["backward"] * 6 + ["forward", "stand"]))
    spec = WalkSpec(f"walk_{seed:04d}", direction=direction, steps=int(rng.integers(8, 14)),
                    step_length_ratio=float(rng.uniform(0.35, 0.55)), cadence_spm=float(rng.uniform(65, 100)),
                    sway_ratio=float(rng.uniform(0.05, 0.18)), trunk_fwd_deg=float(rng.uniform(-2, 8)),
                    camera=camera, view=view, body=body, look=look, scene=scene, lead_in_s=2.5,
                    size=((854, 480), (1280, 720), (480, 854))[int(rng.integers(3 if view == "front" else 2))],
                    fps=float(rng.choice([24.0, 30.0, 50.0])), noise_sigma=float(rng.choice([0.0, 2.0])),
                    blur_sigma=0.6, seed=seed)
    if direction != "backward" or rng.random() < 0.5:
        return _fits(spec)
    faults = tuple(str(f) for f in rng.choice(FAULTS, size=int(rng.integers(1, 3)), replace=False))
    if "walk_slouching" in faults and "walk_leaning_back" in faults:
        faults = ("walk_slouching",)
    change: dict = {}
    for f in faults:
        if f == "walk_slouching":
            change["trunk_fwd_deg"] = float(rng.uniform(22, 32))
        elif f == "walk_leaning_back":
            change["trunk_fwd_deg"] = float(rng.uniform(-22, -14))
        elif f == "walk_head_forward":
            change["head_pitch_deg"] = float(rng.uniform(32, 45))
        elif f == "walk_steps_too_long":
            change["step_length_ratio"] = float(rng.uniform(0.8, 0.95))
        elif f == "walk_uneven_steps":
            change["right_step_factor"] = float(rng.choice([rng.uniform(0.5, 0.6), rng.uniform(1.6, 1.8)]))
        elif f == "walk_unsteady":
            change["sway_ratio"] = float(rng.uniform(0.55, 0.8))
        elif f == "walk_cadence_jump":
            change.update(cadence_spm=float(rng.uniform(60, 70)), cadence_change_after=4,
                          step_length_ratio=float(rng.uniform(0.28, 0.34)),
                          cadence_change_factor=float(rng.uniform(1.5, 1.7)), steps=int(rng.integers(12, 15)))
    return _fits(replace(spec, mistakes=faults, **change))


def _fits(spec: WalkSpec) -> WalkSpec:
    """No more steps than a room holds: the camera frames the whole path, so a 9 m walk would show
    the person too small for the pose detector (a person films a walk across a room, not a hall)."""
    longest = spec.step_length_ratio * max(1.0, spec.right_step_factor) * spec.body.leg_m
    return replace(spec, steps=max(6, min(spec.steps, int(MAX_TRAVEL_M / longest))))


def walk_clip(seed: int, cache_dir: Path) -> BenchClip:
    spec = walk_spec(seed)
    digest = hashlib.sha256(repr(spec).encode()).hexdigest()[:10]
    video = Path(cache_dir) / f"{spec.name}_{digest}.mp4"
    if not (video.is_file() and video.with_suffix(".json").is_file()):
        render_walk(spec, video)
    return BenchClip(spec.name, video, "rendered", json.loads(video.with_suffix(".json").read_text()))


def score_walk(truth: dict, result, profile: Profile) -> dict:
    """One clip: direction, step counts (exact, within one), and each fault found / missed / false."""
    w = result.walk
    expected = {"backward": "backward", "forward": "forward", "stand": "standing"}[truth["direction"]]
    counted = len(w.backward_steps)
    true_steps = truth["step_count"] if truth["direction"] == "backward" else 0
    assessed = {f.code for f in w.findings if f.status != "not_assessed"}
    flagged = {f.code for f in w.mistakes}
    injected = set(truth["mistakes"])
    return {"name": truth["video"], "view": truth["view"], "direction": truth["direction"],
            "direction_ok": w.direction == expected, "steps_true": true_steps, "steps_counted": counted,
            "step_error": counted - true_steps,
            "codes": {c: {"true": c in injected, "flagged": c in flagged, "assessed": c in assessed}
                      for c in FAULTS}}


def summarise_walks(scores: list[dict]) -> dict:
    n = len(scores)
    codes = {}
    for c in FAULTS:
        rows = [s["codes"][c] for s in scores if s["codes"][c]["assessed"]]
        tp = sum(r["true"] and r["flagged"] for r in rows)
        fp = sum(not r["true"] and r["flagged"] for r in rows)
        fn = sum(r["true"] and not r["flagged"] for r in rows)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        codes[c] = {"tp": tp, "fp": fp, "fn": fn, "f1": None if f1 is None else round(f1, 3),
                    "not_assessed_positives": sum(s["codes"][c]["true"] and not s["codes"][c]["assessed"]
                                                  for s in scores)}
    clean = [s for s in scores if s["direction"] == "backward" and not any(v["true"] for v in s["codes"].values())]
    return {"clips": n,
            "direction_ok": sum(s["direction_ok"] for s in scores),
            "steps_exact": sum(s["step_error"] == 0 for s in scores),
            "steps_within_one": sum(abs(s["step_error"]) <= 1 for s in scores),
            "step_mae": round(float(np.mean([abs(s["step_error"]) for s in scores])), 3) if scores else None,
            "clean_walks": len(clean),
            "clean_walks_flagged": sum(any(v["flagged"] for v in s["codes"].values()) for s in clean),
            "codes": codes}


def run_walk_benchmark(seeds, cache: Path, model: str = "full", use_cache: bool = True,
                       progress=None) -> dict:
    profile = load_profile()
    scores = []
    for seed in seeds:
        clip = walk_clip(seed, cache / "renders")
        if progress:
            progress(clip.name)
        series, _ = pose_series(clip, model, cache / "poses" if use_cache else None)
        result = analyze_series(series, "reverse-walk", profile)
        scores.append(score_walk(clip.truth, result, profile))
    return {"schema": SCHEMA, "model": model, "summary": summarise_walks(scores), "clips": scores}
