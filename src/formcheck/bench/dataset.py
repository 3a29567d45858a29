"""The benchmark's clips: a rendered set drawn from seeds, and the labelled real clips.

Rendered clips are cached under a name that carries a hash of their full spec, so a change to
the spec renders afresh instead of scoring stale videos; a truth file older than the generator's
``TRUTH_VERSION`` is recomputed from the spec's motion. Real clips are read in place
(``../shared/videos`` or ``$FORMCHECK_SHARED_VIDEOS``) and never copied.

Versions: seeds below ``V2_FIRST_SEED`` (the published 0-119, the CI subset from 1000, 500-515)
draw their faults from the codes of the first version (``V1_MISTAKES``), so their clips never
change; from ``V2_FIRST_SEED`` on (the held-out block) every fault the generator has is drawn.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..report.atomic import write_text_atomic
from ..synth.clips import TRUTH_VERSION, ClipSpec, random_clip_spec, refresh_truth, render_clip
from ..synth.kinematics import MISTAKES, plan_reps

MISTAKE_RATE = 0.5            # half the reps carry one fault, so each code gets enough positives
SIZE_RANGE = (0.2, 1.6)       # fault size 0 = clean, 1 = clearly wrong: fine -> borderline -> wrong
UNSEEN_FAULT_WEIGHT = 0.15    # faults the view cannot show still appear (they must not cause false cues)
V1_MISTAKES = frozenset(MISTAKES) - {"back_heel_down"}
V2_FIRST_SEED = 3000
LABELS_SCHEMA = "formcheck-real-labels/2"
LABELS_FILE = "real-labels.json"


# Faults each view shows well; they are drawn more often there. Fixed here, not read from the
# tool's checks, so that changing a check never changes the benchmark's clips.
SHOWN_BY_VIEW = {
    "front": frozenset({"stance_too_narrow", "stance_too_wide", "step_crosses_midline", "knee_caving_in",
                        "trunk_lean_side"}),
    "side": frozenset({"step_too_short", "step_too_long", "knee_past_toes", "depth_short", "trunk_lean_forward",
                       "back_heel_down"}),
    "oblique": frozenset({"step_too_short", "step_too_long", "depth_short", "hips_rotated", "back_heel_down"}),
}


def _mistake_weights(view: str) -> dict[str, float]:
    return {code: 1.0 if code in SHOWN_BY_VIEW[view] else UNSEEN_FAULT_WEIGHT for code in MISTAKES}


def clip_spec(seed: int) -> ClipSpec:
    """The benchmark clip for one seed (every knob random, see ``random_clip_spec``)."""
    return random_clip_spec(seed, name=f"bench_{seed:04d}", mistake_rate=MISTAKE_RATE, size_range=SIZE_RANGE,
                            mistake_weights=_mistake_weights,
                            mistake_codes=MISTAKES if seed >= V2_FIRST_SEED else V1_MISTAKES)


def spec_digest(spec: ClipSpec) -> str:
    return hashlib.sha256(repr(spec).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class BenchClip:
    """One scored clip: the video and where its truth comes from."""

    name: str
    video: Path
    kind: str           # "rendered" | "real"
    truth: dict         # rendered: the generator's JSON; real: the clip's real-labels.json entry


def rendered_clip(seed: int, cache_dir: Path) -> BenchClip:
    """Render the seed's clip into ``cache_dir`` unless an identical render is already there."""
    spec = clip_spec(seed)
    video = Path(cache_dir) / f"{spec.name}_{spec_digest(spec)}.mp4"
    truth_path = video.with_suffix(".json")
    if not (video.is_file() and truth_path.is_file()):
        render_clip(spec, video)
    truth = json.loads(truth_path.read_text())
    if truth.get("truth_version", 1) < TRUTH_VERSION:
        truth = refresh_truth(spec, truth)
        write_text_atomic(truth_path, json.dumps(truth, indent=1) + "\n")
    return BenchClip(spec.name, video, "rendered", truth)


def shared_videos_dir() -> Path:
    """``$FORMCHECK_SHARED_VIDEOS``, else ``../shared/videos`` beside the checkout or the cwd."""
    env = os.environ.get("FORMCHECK_SHARED_VIDEOS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3]
    for base in (checkout, Path.cwd()):
        candidate = base.parent / "shared" / "videos"
        if candidate.is_dir():
            return candidate
    return checkout.parent / "shared" / "videos"


def load_labels(folder: Path | None = None) -> dict:
    """The clips of ``real-labels.json`` that are present ({} when the file is absent)."""
    folder = Path(folder) if folder else shared_videos_dir()
    path = folder / LABELS_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    if data.get("schema") != LABELS_SCHEMA:
        raise InputError(f"{path}: expected schema {LABELS_SCHEMA}, found {data.get('schema')!r}")
    return {name: entry for name, entry in sorted(data["clips"].items()) if (folder / name).is_file()}


def real_clips(folder: Path | None = None) -> list[BenchClip]:
    """The labelled real clips of ``real-labels.json`` (empty when the folder or the file is absent)."""
    folder = Path(folder) if folder else shared_videos_dir()
    return [BenchClip(Path(name).stem, folder / name, "real", entry) for name, entry in load_labels(folder).items()]


def clip_frames(spec: ClipSpec) -> int:
    """How many frames a spec will render (planned, not rendered)."""
    timeline = plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form)
    return int(round((max(ev.end_t for ev in timeline.events) + spec.tail_s) * spec.fps))


@lru_cache(maxsize=8)
def fast_seeds(count: int = 4, first: int = 1000, max_frames: int = 700) -> tuple[int, ...]:
    """Seeds of small, short clips (480p, at most ``max_frames``), cycling through the views: the
    CI subset. They start at 1000, away from the published set's seeds, so CI scores unseen clips."""
    views = ("side", "front", "oblique")
    seeds: list[int] = []
    seed = first
    while len(seeds) < count:
        spec = clip_spec(seed)
        if (min(spec.size) == 480 and spec.view_label == views[len(seeds) % len(views)]
                and clip_frames(spec) <= max_frames):
            seeds.append(seed)
        seed += 1
    return tuple(seeds)
