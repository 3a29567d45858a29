"""Render the fixed sample set into sample_videos/ (NAME.mp4 + NAME.json + NAME.truth.npz).

Deterministic: the same code produces the same files. Run with
    /tmp/venv/bin/python sample_videos/render_samples.py [NAME ...]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from formcheck.synth import (  # noqa: E402
    Appearance,
    CameraSpec,
    ClipSpec,
    RepSpec,
    Scene,
    SetSpec,
    Tempo,
    render_clip,
)
from formcheck.synth.walking import WalkSpec, render_walk  # noqa: E402

SIDE_RIGHT = CameraSpec(yaw_deg=90.0)     # person faces image right
SIDE_LEFT = CameraSpec(yaw_deg=-90.0)     # person faces image left
FRONT = CameraSpec(yaw_deg=0.0)
OBLIQUE = CameraSpec(yaw_deg=40.0)
LEGS = ("left", "right")
SOFTNESS = 0.7                            # slight lens blur: realistic, and keeps each mp4 under 2 MB
# Three outfits and two rooms (default Scene() and GREY_ROOM) so the samples are not all the same person.
SHORTS = Appearance()                                                  # orange tee, denim shorts
PANTS = Appearance(skin=(95, 125, 170), shirt=(135, 140, 45), shorts=(70, 64, 60), shoes=(50, 50, 190),
                   long_pants=True)                                    # teal tee, charcoal trousers
BLACK_SHORTS = Appearance(skin=(150, 180, 222), shirt=(60, 195, 225), shorts=(45, 45, 50),
                          hair=(40, 90, 140))                          # yellow tee, black shorts
GREY_ROOM = Scene(wall_top=(222, 214, 205), wall_bottom=(196, 188, 180), floor=(128, 128, 124),
                  floor_lines=(108, 108, 104))


def alternating(n: int, faults: dict[int, dict[str, float]] | None = None,
                first: int = 0) -> tuple[RepSpec, ...]:
    """n reverse lunges alternating legs; ``faults`` maps 1-based rep number -> {code: size}."""
    faults = faults or {}
    return tuple(RepSpec(leg=LEGS[(i + first) % 2], mistakes=faults.get(i + 1, {})) for i in range(n))


def sample_specs() -> list[ClipSpec]:
    clean_side = (SetSpec(alternating(3)), SetSpec(alternating(3, first=1), rest_before_s=5.0))
    variants = (
        SetSpec((RepSpec("left"), RepSpec("right"), RepSpec("left", "forward"), RepSpec("right", "forward"))),
        SetSpec((RepSpec("left", "split_squat"), RepSpec("left", "split_squat")), rest_before_s=5.0),
        SetSpec((RepSpec("right", cut_after_bottom_s=0.35),), rest_before_s=5.0),
    )
    specs = [
        ClipSpec("lunge_side_clean", clean_side, SIDE_RIGHT, tempo=Tempo(scale=0.9), lead_in_s=0.8,
                 tail_s=0.8),
        ClipSpec("lunge_front_clean", (SetSpec(alternating(6)),), FRONT, tempo=Tempo(scale=0.95),
                 look=BLACK_SHORTS, scene=GREY_ROOM),
        ClipSpec("lunge_oblique_clean", (SetSpec(alternating(4)),), OBLIQUE, size=(480, 854),
                 scene=GREY_ROOM),
        ClipSpec("lunge_side_knee", (SetSpec(alternating(6, {2: {"knee_past_toes": 1.0},
                                                              4: {"depth_short": 1.0},
                                                              5: {"knee_past_toes": 1.0}})),),
                 SIDE_LEFT, tempo=Tempo(scale=0.95)),
        ClipSpec("lunge_side_posture", (SetSpec(alternating(6, {2: {"trunk_lean_forward": 1.0},
                                                                 3: {"trunk_lean_forward": 1.0},
                                                                 5: {"step_too_short": 1.0},
                                                                 6: {"step_too_long": 1.0}})),),
                 SIDE_RIGHT, tempo=Tempo(scale=0.95), look=PANTS, scene=GREY_ROOM, arms="hips"),
        # hip_drop and hips_rotated are not injected: MediaPipe's hip landmarks barely follow pelvic
        # tilt, and a turned pelvis reads like a clean rep from the front and the side (README: limits).
        ClipSpec("lunge_front_knee_trunk", (SetSpec(alternating(6, {2: {"knee_caving_in": 1.0},
                                                                     4: {"knee_caving_in": 1.0},
                                                                     5: {"trunk_lean_side": 1.0}})),),
                 FRONT, tempo=Tempo(scale=0.95)),
        ClipSpec("lunge_front_feet", (SetSpec(alternating(6, {2: {"stance_too_wide": 1.0},
                                                               4: {"stance_too_narrow": 1.0},
                                                               5: {"step_crosses_midline": 1.0}})),),
                 FRONT, tempo=Tempo(scale=0.95), look=BLACK_SHORTS),
        # live mode's replay sample: a 3 s stand first, as a person calibrating in front of the camera does
        ClipSpec("lunge_live_side", (SetSpec(alternating(6, {2: {"depth_short": 1.0},
                                                              4: {"trunk_lean_forward": 1.0}})),),
                 SIDE_LEFT, tempo=Tempo(scale=0.9), look=PANTS, lead_in_s=3.0, tail_s=1.0),
        ClipSpec("lunge_side_variants", variants, SIDE_RIGHT, tempo=Tempo(scale=0.85), lead_in_s=0.8,
                 scene=GREY_ROOM),
    ]
    return [replace(s, blur_sigma=SOFTNESS) for s in specs]


def walk_specs() -> list[WalkSpec]:
    """Walking samples: a 2.5 s stand first (live mode calibrates on it), then 10-12 steps."""
    side, front = CameraSpec(yaw_deg=90.0, distance_m=5.0), CameraSpec(yaw_deg=0.0, distance_m=4.5)
    specs = [
        WalkSpec("walk_back_side", camera=side, steps=12),
        WalkSpec("walk_back_front", camera=front, steps=10, look=BLACK_SHORTS, scene=GREY_ROOM),
        WalkSpec("walk_back_side_posture", camera=CameraSpec(yaw_deg=-90.0, distance_m=5.0), steps=10,
                 trunk_fwd_deg=22.0, head_pitch_deg=25.0, look=PANTS, mistakes=("walk_slouching", "walk_head_forward")),
        WalkSpec("walk_back_side_long", camera=CameraSpec(yaw_deg=90.0, distance_m=6.0), steps=10,
                 step_length_ratio=0.8, right_step_factor=0.6, scene=GREY_ROOM,
                 mistakes=("walk_steps_too_long", "walk_uneven_steps")),
        WalkSpec("walk_back_front_unsteady", camera=front, steps=10, sway_ratio=0.6, cadence_spm=70,
                 cadence_change_after=4, cadence_change_factor=1.5, look=PANTS,
                 mistakes=("walk_unsteady", "walk_cadence_jump")),
        WalkSpec("walk_forward_side", camera=side, direction="forward", steps=10, step_length_ratio=0.6,
                 look=BLACK_SHORTS),
    ]
    return [replace(s, blur_sigma=SOFTNESS, lead_in_s=2.5) for s in specs]


def main(names: list[str]) -> None:
    jobs = [(spec, render_clip, lambda tr: f"{len(tr['reps'])} reps") for spec in sample_specs()]
    jobs += [(spec, render_walk, lambda tr: f"{tr['step_count']} steps") for spec in walk_specs()]
    for spec, render, count in jobs:
        if names and spec.name not in names:
            continue
        t0 = time.time()
        truth = render(spec, HERE / f"{spec.name}.mp4")
        size_mb = (HERE / f"{spec.name}.mp4").stat().st_size / 1e6
        print(f"{spec.name:24s} {truth['frames'] / truth['fps']:5.1f} s  {count(truth)}  "
              f"{size_mb:4.2f} MB  ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
