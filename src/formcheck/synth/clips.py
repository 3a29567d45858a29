"""A clip = sets of lunge reps filmed by one camera; rendering it writes the video and its truth.

``render_clip`` writes ``NAME.mp4``, ``NAME.json`` (rep-level truth, schema formcheck-sample/1) and
``NAME.truth.npz`` (per-frame joints in pixels and metres) side by side. ``random_clip_spec``
draws every knob from a seed so a benchmark can make hundreds of different clips reproducibly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from formcheck.synth.kinematics import (
    FEET_MISTAKES,
    MISTAKES,
    PHASES,
    ArmStyle,
    BodyProportions,
    LungeForm,
    Motion,
    RepSpec,
    SetSpec,
    Tempo,
    lunge_metrics,
    plan_reps,
    sample_motion,
    stance_width_ratio,
)
from formcheck.synth.render import (
    Appearance,
    Camera,
    CameraSpec,
    FigureShape,
    FrameRenderer,
    Mp4Writer,
    Scene,
    degrade,
    place_camera,
)

SCHEMA = "formcheck-sample/1"
# What the truth measures: 2 added each rep's back heel lift. A spec's video never changes; a
# truth of an older version is recomputed from the spec's motion (``refresh_truth``), not re-rendered.
TRUTH_VERSION = 2
EXERCISE = "reverse-lunge"


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a synthetic clip. Defaults give a clean 480p side view."""

    name: str
    sets: tuple[SetSpec, ...]
    camera: CameraSpec = CameraSpec()
    view: str | None = None                  # "side" | "front" | "oblique"; None = from camera yaw
    size: tuple[int, int] = (854, 480)       # (width, height); portrait is fine
    fps: float = 30.0
    body: BodyProportions = BodyProportions()
    form: LungeForm = LungeForm()            # the person's clean form; mistakes are applied on top
    tempo: Tempo = Tempo()
    arms: ArmStyle = "sides"                 # arms hanging, hands on hips, or hands at the chest
    look: Appearance = Appearance()
    shape: FigureShape = FigureShape()
    scene: Scene = Scene()
    lead_in_s: float = 1.0                   # standing before the first rep
    tail_s: float = 1.0                      # standing after the last rep
    noise_sigma: float = 0.0                 # sensor noise, grey levels
    blur_sigma: float = 0.0                  # defocus, pixels
    supersample: int = 2                     # anti-aliasing factor of the renderer
    seed: int = 0                            # noise seed

    @property
    def view_label(self) -> str:
        if self.view is not None:
            return self.view
        yaw = abs(((self.camera.yaw_deg + 180.0) % 360.0) - 180.0)
        return "front" if yaw < 20 else "side" if 65 <= yaw <= 115 else "oblique"

    @property
    def facing(self) -> str:
        """Which way the person faces in the image (camera yaw -> image direction)."""
        yaw = ((self.camera.yaw_deg + 180.0) % 360.0) - 180.0
        if abs(yaw) < 45:
            return "camera"
        if abs(yaw) > 135:
            return "away"
        return "right" if yaw > 0 else "left"


@dataclass
class RenderedClip:
    """In-memory result of ``render_clip`` (besides the files)."""

    truth: dict
    motion: Motion
    camera: Camera
    frames_px: np.ndarray = field(repr=False)      # (T, 33, 2)


def _clip_points(motion: Motion, body: BodyProportions) -> np.ndarray:
    """Every point the figure reaches during the clip (joints plus the top of the head)."""
    pts = [np.stack(list(p.points.values())) for p in motion.poses]
    head_top = [p.points["head"] + p.frames["head"][:, 2] * body.m(0.07) for p in motion.poses]
    return np.concatenate([np.concatenate(pts), np.stack(head_top)])


def rep_truth(motion: Motion, spec: ClipSpec) -> list[dict]:
    """Rep-level ground truth from the sampled motion (times rounded to frames)."""
    fps, n = spec.fps, len(motion.t)
    reps = []
    for ev in motion.timeline.events:
        f_start = int(np.clip(round(ev.start_t * fps), 0, n - 1))
        f_bottom = int(np.clip(round(ev.bottom_t * fps), 0, n - 1))
        f_end = int(np.clip(round(ev.end_t * fps), 0, n - 1))
        values = lunge_metrics(motion.poses[f_bottom], ev.front_leg, spec.body)
        # Standing stance before the rep (a split squat starts in its split stance: no standing width).
        split = ev.spec.variant == "split_squat"
        values["stance_width_ratio"] = None if split else stance_width_ratio(motion.poses[f_start])
        values.update({f"mistake_size_{code}": float(size) for code, size in ev.spec.mistakes.items()})
        reps.append({
            "index": ev.index, "set": ev.set_index, "leg": ev.spec.leg, "front_leg": ev.front_leg,
            "variant": ev.spec.variant, "start_s": round(f_start / fps, 4),
            "bottom_s": round(f_bottom / fps, 4), "end_s": round(f_end / fps, 4), "complete": ev.complete,
            "mistakes": list(ev.spec.mistakes),
            "true_values": {k: None if v is None else round(float(v), 3) for k, v in values.items()},
        })
    return reps


def render_motion(motion: Motion, spec, out_path: Path) -> tuple[Camera, np.ndarray, np.ndarray]:
    """Film ``motion`` as ``spec`` says (camera, size, fps, looks, scene, noise) into ``out_path``.

    ``spec``: a ClipSpec or any spec with the same filming fields (``synth.walking.WalkSpec``).
    Returns the camera and the joints in metres and pixels, (T, 33, 3) and (T, 33, 2).
    """
    pts = _clip_points(motion, spec.body)
    cam = place_camera(spec.camera, pts, spec.size)
    renderer = FrameRenderer(cam, spec.body, spec.look, spec.shape, spec.scene,
                             centre=(pts.min(axis=0) + pts.max(axis=0)) / 2, supersample=spec.supersample)
    rng = np.random.default_rng(spec.seed)
    with Mp4Writer(str(out_path), spec.fps, spec.size) as writer:
        for pose in motion.poses:
            writer.write(degrade(renderer.render(pose), rng, spec.noise_sigma, spec.blur_sigma))
    joints_m = motion.landmarks_m()
    joints_px, _ = cam.project(joints_m)
    return cam, joints_m, joints_px


def refresh_truth(spec: ClipSpec, truth: dict) -> dict:
    """``truth`` with its reps' true values recomputed from the spec's motion (no render), at
    ``TRUTH_VERSION``: the same spec moves the same way, so only what is measured of it changes."""
    timeline = plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form)
    motion = sample_motion(timeline, spec.fps, spec.body, spec.arms)
    return dict(truth, truth_version=TRUTH_VERSION, reps=rep_truth(motion, spec))


def render_clip(spec: ClipSpec, out_path: str | Path) -> dict:
    """Render ``spec`` to ``out_path`` (.mp4) and write NAME.json + NAME.truth.npz next to it."""
    return render_clip_full(spec, out_path).truth


def render_clip_full(spec: ClipSpec, out_path: str | Path) -> RenderedClip:
    """``render_clip`` that also returns the motion, camera and per-frame pixels."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    timeline = plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form)
    motion = sample_motion(timeline, spec.fps, spec.body, spec.arms)
    cam, joints_m, joints_px = render_motion(motion, spec, out_path)
    reps = rep_truth(motion, spec)
    per_leg = {"left": 0, "right": 0}
    for r in reps:
        per_leg[r["leg"]] += int(r["complete"])
    truth = {
        "schema": SCHEMA, "truth_version": TRUTH_VERSION, "video": out_path.name, "exercise": EXERCISE,
        "view": spec.view_label,
        "camera": {"height_m": spec.camera.height_m, "distance_m": spec.camera.distance_m,
                   "yaw_deg": spec.camera.yaw_deg, "focal_px": round(cam.focal_px, 2)},
        "fps": int(spec.fps) if float(spec.fps).is_integer() else spec.fps,
        "frames": len(motion.t), "size": list(spec.size), "facing": spec.facing,
        "reps": reps, "complete_reps_per_leg": per_leg, "sets": len({r["set"] for r in reps}),
    }
    stem = out_path.with_suffix("")
    Path(f"{stem}.json").write_text(json.dumps(truth, indent=1) + "\n")
    np.savez_compressed(
        f"{stem}.truth.npz", t=motion.t, joints_px=joints_px, joints_m=joints_m,
        left_knee_flexion_deg=motion.knee_flexion_deg("left"),
        right_knee_flexion_deg=motion.knee_flexion_deg("right"),
        rep_index=motion.rep_index, phase=motion.phase, phase_names=np.array(PHASES),
        camera_K=cam.intrinsics, camera_R=cam.rotation, camera_position=cam.position)
    return RenderedClip(truth, motion, cam, joints_px)


# ---------------------------------------------------------------------------------------------
# Randomised clips for benchmarks
# ---------------------------------------------------------------------------------------------

_RESOLUTIONS = ((854, 480), (1280, 720), (1920, 1080), (480, 854), (720, 1280), (1080, 1920))
_FPS = (24.0, 25.0, 30.0, 50.0, 60.0)
_VIEW_YAW_RANGE = {"side": (80.0, 100.0), "front": (0.0, 10.0), "oblique": (30.0, 60.0)}


def _colour(rng: np.random.Generator, lo: int = 30, hi: int = 230) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(lo, hi, 3))


def random_person_and_room(rng: np.random.Generator, view: str | None = None):
    """(view, body, look, scene, camera) drawn from ``rng``: who is filmed, where, from where.

    Shared by the lunge and walking generators; the draw order is fixed (cached benchmark clips
    are keyed by the specs it produces).
    """
    view = view or str(rng.choice(list(_VIEW_YAW_RANGE)))
    yaw = float(rng.uniform(*_VIEW_YAW_RANGE[view])) * float(rng.choice([-1.0, 1.0]))
    height = float(rng.uniform(1.5, 1.95))
    jitter = {f: getattr(BodyProportions(), f) * float(rng.uniform(0.96, 1.04))
              for f in ("knee_height", "upper_arm", "forearm", "shoulder_width", "hip_width", "foot_length")}
    body = replace(BodyProportions(height_m=height), **jitter)
    skin = tuple(int(c) for c in np.array([125, 160, 205]) * rng.uniform(0.45, 1.15))
    look = Appearance(skin=tuple(min(255, c) for c in skin), hair=_colour(rng, 10, 120), shirt=_colour(rng),
                      shorts=_colour(rng), shoes=_colour(rng, 60, 250), long_pants=bool(rng.random() < 0.4),
                      long_sleeves=bool(rng.random() < 0.3), girth=float(rng.uniform(0.9, 1.15)),
                      socks=_colour(rng, 40, 250) if rng.random() < 0.3 else None)
    wall = np.array(_colour(rng, 120, 240))
    scene = Scene(wall_top=tuple(int(c) for c in wall), wall_bottom=tuple(int(c) for c in wall * 0.88),
                  floor=_colour(rng, 60, 200), floor_lines=_colour(rng, 40, 160),
                  wall_distance_m=float(rng.uniform(1.2, 4.0)), board_m=float(rng.uniform(0.1, 0.4)))
    camera = CameraSpec(height_m=float(rng.uniform(0.6, 1.6)), distance_m=float(rng.uniform(2.5, 6.0)),
                        yaw_deg=yaw, fill=float(rng.uniform(0.6, 0.9)), roll_deg=float(rng.normal(0, 1.5)))
    return view, body, look, scene, camera


def random_clip_spec(seed: int, name: str | None = None, view: str | None = None,
                     mistake_rate: float = 0.4, size_range: tuple[float, float] = (0.3, 1.5),
                     mistake_weights: Callable[[str], dict[str, float]] | None = None,
                     mistake_codes: Iterable[str] | None = None) -> ClipSpec:
    """A reproducible random clip: build, clothes, room, camera, fps, resolution, tempo, sets and
    faults (each faulty rep gets one mistake with a continuous size drawn from ``size_range``).

    ``mistake_weights(view)`` gives each mistake code's relative chance (default: all equal), so
    a benchmark can favour the faults a view can show without leaving the others out.
    ``mistake_codes``: the faults drawn from (default: all); a benchmark that fixes them keeps its
    clips when the generator learns a new fault.
    """
    rng = np.random.default_rng(seed)
    view, body, look, scene, camera = random_person_and_room(rng, view)
    weights = mistake_weights(view) if mistake_weights else {}
    codes = sorted(MISTAKES if mistake_codes is None else mistake_codes)
    sets = []
    for si in range(int(rng.integers(1, 4))):
        variant = str(rng.choice(["reverse", "reverse", "reverse", "forward", "split_squat"]))
        alternate = variant != "split_squat" and rng.random() < 0.8   # else one leg for the whole set
        reps = []
        for ri in range(int(rng.integers(2, 6))):
            mistakes = {}
            allowed = [c for c in codes if variant != "split_squat" or c not in FEET_MISTAKES]
            if rng.random() < mistake_rate:
                p = np.array([weights.get(c, 1.0) for c in allowed])
                mistakes[str(rng.choice(allowed, p=p / p.sum()))] = float(rng.uniform(*size_range))
            leg = "left" if ((ri if alternate else 0) + si) % 2 == 0 else "right"
            reps.append(RepSpec(leg=leg, variant=variant, mistakes=mistakes,
                                tempo_scale=float(rng.uniform(0.9, 1.1))))
        sets.append(SetSpec(tuple(reps), rest_before_s=float(rng.uniform(2.0, 5.0))))
    if rng.random() < 0.25:   # the recording stops just after the last bottom: an incomplete rep
        last = sets[-1]
        cut = replace(last.reps[-1], cut_after_bottom_s=float(rng.uniform(0.1, 0.6)))
        sets[-1] = replace(last, reps=(*last.reps[:-1], cut))
    size = _RESOLUTIONS[int(rng.integers(len(_RESOLUTIONS)))]
    return ClipSpec(name=name or f"random_{seed:05d}", sets=tuple(sets), camera=camera, view=view,
                    size=size, fps=float(rng.choice(_FPS)), supersample=2 if min(size) < 720 else 1,
                    body=body, tempo=Tempo(scale=float(rng.uniform(0.75, 1.35))), look=look, scene=scene,
                    arms=str(rng.choice(["sides", "sides", "hips", "chest"])),
                    noise_sigma=float(rng.choice([0.0, rng.uniform(0.5, 4.0)])),
                    blur_sigma=float(rng.choice([0.0, rng.uniform(0.3, 1.2)])), seed=seed)
