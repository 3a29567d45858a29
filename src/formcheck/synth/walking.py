"""Synthetic walking clips (backward, forward, standing) with step-level ground truth.

The same skeleton and camera as the lunge clips: a walk is a chain of steps, each a swing of one
foot to its new place while the pelvis follows (minimum jerk) and sways toward the foot that takes
the weight. Faults are plain parameters: a slouched or backward-leaning trunk, a head held
forward, long or uneven steps, a large sway, a cadence that jumps, a stop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .clips import render_motion
from .kinematics import (
    POSTURE,
    ArmStyle,
    BodyProportions,
    FootState,
    PoseParams,
    Tempo,
    Timeline,
    _Planner,
    ankle_to_ball,
    sample_motion,
    side_sign,
)
from .render import Appearance, CameraSpec, FigureShape, Scene

SCHEMA = "formcheck-walk-sample/1"
EXERCISE = "reverse-walk"
Direction = Literal["backward", "forward", "stand"]


@dataclass(frozen=True)
class WalkSpec:
    """A walk filmed by one camera. Lengths in leg lengths, angles in degrees."""

    name: str
    direction: Direction = "backward"
    steps: int = 10
    step_length_ratio: float = 0.45       # backward steps are short: ~0.4-0.5 leg lengths at an easy pace
    cadence_spm: float = 80.0             # steps per minute (easy backward walking: 70-100)
    right_step_factor: float = 1.0        # right steps = this x left steps (uneven steps != 1)
    trunk_fwd_deg: float = 3.0            # + slouching forward, - leaning back
    head_pitch_deg: float = 0.0           # + head dropped forward of the shoulders
    sway_ratio: float = 0.12              # pelvis sideways toward the weight-bearing foot, hip widths
    cadence_change_after: int | None = None  # from this step on, the cadence is multiplied by ...
    cadence_change_factor: float = 1.0
    pause_after: int | None = None        # a stop after this many steps ...
    pause_s: float = 0.0                  # ... of this length
    camera: CameraSpec = CameraSpec()
    view: str | None = None
    size: tuple[int, int] = (854, 480)
    fps: float = 30.0
    body: BodyProportions = BodyProportions()
    arms: ArmStyle = "sides"
    look: Appearance = Appearance()
    shape: FigureShape = FigureShape()
    scene: Scene = Scene()
    lead_in_s: float = 1.5
    tail_s: float = 1.0
    noise_sigma: float = 0.0
    blur_sigma: float = 0.0
    supersample: int = 2
    seed: int = 0
    mistakes: tuple[str, ...] = field(default=())  # the codes this walk is meant to show (truth)


def walking_pose(x_left: float, x_right: float, sway_y: float, spec: WalkSpec) -> PoseParams:
    """Both feet on the floor at the given positions along travel (+x = the way the person faces)."""
    body = spec.body
    half = body.hip_width_m / 2
    feet = {}
    for side, x in (("left", x_left), ("right", x_right)):
        yaw = side_sign(side) * POSTURE.toe_out_deg
        ankle = np.array([x, side_sign(side) * half, body.m(body.ankle_height)])
        feet[side] = FootState(ankle_to_ball(ankle, yaw, 0.0, body), yaw, 0.0)
    k = np.radians(POSTURE.stand_knee_flex_deg)
    reach = np.sqrt(body.thigh_m**2 + body.shank_m**2 + 2 * body.thigh_m * body.shank_m * np.cos(k))
    split = abs(x_left - x_right) / 2
    z = body.m(body.ankle_height) + np.sqrt(max(reach**2 - split**2 - sway_y**2, 0.01))
    pelvis = np.array([(x_left + x_right) / 2 + POSTURE.stand_pelvis_ahead_m, sway_y, z])
    return PoseParams(pelvis, feet["left"], feet["right"], trunk_fwd_deg=spec.trunk_fwd_deg,
                      head_pitch_deg=spec.head_pitch_deg)


def plan_walk(spec: WalkSpec) -> tuple[Timeline, list[dict]]:
    """The walk's timeline and its steps (foot, lift-off and landing times, true length)."""
    body = spec.body
    pl = _Planner(body, Tempo())
    pl.pose = walking_pose(0.0, 0.0, 0.0, spec)
    pl.hold(spec.lead_in_s, "stand")
    x = {"left": 0.0, "right": 0.0}
    sign = {"backward": -1.0, "forward": 1.0, "stand": 0.0}[spec.direction]
    sway = spec.sway_ratio * body.hip_width_m
    steps = []
    for k in range(spec.steps if spec.direction != "stand" else 0):
        foot = ("left", "right")[k % 2]
        other = "right" if foot == "left" else "left"
        length = spec.step_length_ratio * body.leg_m * (spec.right_step_factor if foot == "right" else 1.0)
        x[foot] = x[other] + sign * length if k else sign * length / 2  # the first step leaves the stance
        cadence = spec.cadence_spm * (spec.cadence_change_factor if spec.cadence_change_after is not None
                                      and k >= spec.cadence_change_after else 1.0)
        dur = 60.0 / cadence
        start = pl.t
        pl.move(walking_pose(x["left"], x["right"], side_sign(foot) * sway, spec), dur, "step", k + 1, swing=foot)
        steps.append({"index": k + 1, "foot": foot, "start_s": round(start, 4), "land_s": round(pl.t, 4),
                      "length_ratio": round(abs(x[foot] - x[other]) / body.leg_m, 4)})
        if spec.pause_after is not None and k + 1 == spec.pause_after:
            pl.hold(spec.pause_s, "stand")
    if spec.direction == "stand":
        pl.hold(spec.steps * 60.0 / spec.cadence_spm, "stand")
    pl.hold(spec.tail_s, "stand")
    return Timeline(tuple(pl.segments), (), pl.t), steps


def render_walk(spec: WalkSpec, out_path: str | Path) -> dict:
    """Render the walk to ``out_path`` (.mp4) and write NAME.json (the truth) beside it."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    timeline, steps = plan_walk(spec)
    motion = sample_motion(timeline, spec.fps, spec.body, spec.arms)
    cam, _, _ = render_motion(motion, spec, out_path)
    lengths = [s["length_ratio"] for s in steps[1:]]  # the first step only leaves the standing stance
    walking_s = steps[-1]["land_s"] - steps[0]["start_s"] - (spec.pause_s if spec.pause_after else 0.0) \
        if steps else 0.0
    truth = {
        "schema": SCHEMA, "video": out_path.name, "exercise": EXERCISE, "direction": spec.direction,
        "view": spec.view or ("front" if abs(spec.camera.yaw_deg) < 20 else "side"),
        "camera": {"height_m": spec.camera.height_m, "distance_m": spec.camera.distance_m,
                   "yaw_deg": spec.camera.yaw_deg, "focal_px": round(cam.focal_px, 2)},
        "fps": spec.fps, "frames": len(motion.t), "size": list(spec.size),
        "steps": steps, "step_count": len(steps),
        "cadence_spm": round(60.0 * len(steps) / walking_s, 2) if walking_s > 0 else 0.0,
        "step_length_ratio_median": round(float(np.median(lengths)), 4) if lengths else None,
        "trunk_fwd_deg": spec.trunk_fwd_deg, "head_pitch_deg": spec.head_pitch_deg,
        "sway_ratio": spec.sway_ratio, "mistakes": list(spec.mistakes),
    }
    out_path.with_suffix(".json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth
