"""Per-frame metric series built from the geometry core (pure numpy).

Which coordinates a metric uses depends on what the camera can see: in a side view the sagittal
plane faces the camera, so sagittal angles are exact in the image (2-D); in front and oblique
views they come from MediaPipe's 3-D world landmarks. Frontal-plane metrics (knee valgus, pelvic
tilt, stance width) come from the image in a front view and are NaN in a side view, where they
cannot be seen. NaN means "not measurable here", never zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as g
from .profile import Profile
from .series import Landmark as L
from .series import PoseSeries

VIEWS = ("side", "front", "oblique")
SIDES = ("left", "right")
_JOINTS = {
    "left": (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    "right": (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL,
              L.RIGHT_FOOT_INDEX),
}

# The documented per-frame series, in report order (README lists units and meaning).
METRIC_NAMES = (
    "left_knee_flexion_deg", "right_knee_flexion_deg", "left_hip_flexion_deg", "right_hip_flexion_deg",
    "trunk_lean_forward_deg", "trunk_lean_side_deg", "pelvis_tilt_deg", "pelvis_rotation_deg",
    "stance_width_ratio", "step_length_ratio", "left_knee_past_toe_ratio", "right_knee_past_toe_ratio",
    "left_knee_valgus_deg", "right_knee_valgus_deg", "hip_height_ratio", "foot_lift_ratio",
)


@dataclass(frozen=True)
class FrameMetrics:
    """Metric series of one PoseSeries: ``values[name]`` is (T,), ``view`` is (T,) of VIEWS."""

    t: np.ndarray
    values: dict[str, np.ndarray]
    view: np.ndarray
    clip_view: str
    facing_sign: np.ndarray  # (T,) +1 facing image right, -1 facing left (side/oblique)
    forward_position: dict[str, np.ndarray]  # ankle position along travel, leg lengths, per side
    ankle_image: dict[str, np.ndarray]  # (T, 2) ankle in the image, in leg lengths: floor-fixed
    left_ankle_behind: np.ndarray  # (T,) 1.0 left ankle is the back one, 0.0 right, NaN unknown

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def _gated(series: PoseSeries, min_visibility: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel (T,33,2) and world (T,33,3) landmarks with low-visibility points set to NaN."""
    low = series.visibility < min_visibility
    px = np.where(low[..., None], np.nan, series.pixels)
    if np.isnan(series.world).all():  # landmark-only input: MediaPipe's relative z, in pixels
        w = series.image_size[0]
        world = np.concatenate([series.pixels, series.image[:, :, 2:3] * w], axis=-1)
    else:
        world = series.world
    world = np.where(low[..., None], np.nan, world)
    return px, world


def _baseline(values: np.ndarray, t: np.ndarray, window_s: float, q: float) -> np.ndarray:
    """Rolling ``q``-th percentile over ``window_s``: the 'usual' level of a slow quantity."""
    fps = 1.0 / np.median(np.diff(t)) if len(t) > 1 else 30.0
    window = max(1, int(round(window_s * fps)))
    return g.rolling_quantile(values, window, q)


def classify_view(px: np.ndarray, t: np.ndarray, profile: Profile) -> np.ndarray:
    """Per-frame view from shoulder width relative to torso length, smoothed over ~1 s."""
    shoulder_w = g.distance(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER])
    torso = g.distance(g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP]),
                       g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = _baseline(shoulder_w / torso, t, 1.0, 50)
    view = np.full(len(t), "", dtype=object)
    view[ratio < profile["view.side_max_width_ratio"]] = "side"
    view[ratio > profile["view.front_min_width_ratio"]] = "front"
    view[(ratio >= profile["view.side_max_width_ratio"]) & (ratio <= profile["view.front_min_width_ratio"])] = "oblique"
    return view


def _mode(labels: np.ndarray) -> str:
    known = [v for v in labels if v]
    return max(VIEWS, key=known.count) if known else ""


def facing_sign_2d(px: np.ndarray, t: np.ndarray) -> np.ndarray:
    """+1 when the person faces image-right, -1 image-left: nose ahead of ears, toes ahead of heels."""
    ears = g.midpoint(px[:, L.LEFT_EAR], px[:, L.RIGHT_EAR])
    nose = px[:, L.NOSE, 0] - ears[:, 0]
    toes = np.nansum(np.stack([px[:, L.LEFT_FOOT_INDEX, 0] - px[:, L.LEFT_HEEL, 0],
                               px[:, L.RIGHT_FOOT_INDEX, 0] - px[:, L.RIGHT_HEEL, 0]]), axis=0)
    evidence = np.nan_to_num(nose) + toes
    smoothed = _baseline(evidence, t, 2.0, 50)
    return np.where(smoothed >= 0, 1.0, -1.0)


def _world_axes(world: np.ndarray, t: np.ndarray, window_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal forward and leftward unit vectors of the body in world coordinates (y down).

    Left = right hip -> left hip (and shoulders), flattened to the floor plane; forward is
    perpendicular to it, on the side the nose is. Smoothed over a long window so a rotating
    pelvis (a mistake we measure) does not rotate the reference with it.
    """
    left = (world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]) + (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER])
    left = left * np.array([1.0, 0.0, 1.0])
    left = _baseline(left, t, window_s, 50)
    with np.errstate(invalid="ignore", divide="ignore"):
        left = left / g.norm(left)[:, None]
    down = np.array([0.0, 1.0, 0.0])
    forward = np.cross(left, down)  # right-handed camera frame (x right, y down, z away)
    hip_mid = g.midpoint(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP])
    nose_dir = np.nansum((world[:, L.NOSE] - hip_mid) * forward, axis=-1)
    forward = forward * np.where(_baseline(nose_dir, t, 2.0, 50) < 0, -1.0, 1.0)[:, None]
    return forward, left


def compute_metrics(series: PoseSeries, profile: Profile) -> FrameMetrics:
    """All per-frame metrics of a (smoothed) pose series."""
    t = series.t
    n = len(t)
    px, world = _gated(series, profile["pose.min_visibility"])
    view = classify_view(px, t, profile) if n else np.empty(0, dtype=object)
    clip_view = _mode(view)
    side, front, oblique = view == "side", view == "front", view == "oblique"
    facing = facing_sign_2d(px, t) if n else np.empty(0)
    window = profile["reps.baseline_window_s"]
    fwd_w, left_w = _world_axes(world, t, window) if n else (np.empty((0, 3)), np.empty((0, 3)))
    fwd_2d = np.stack([facing, np.zeros(n)], axis=-1)
    v: dict[str, np.ndarray] = {}

    def pick(side_value: np.ndarray, other_value: np.ndarray) -> np.ndarray:
        return np.where(side, side_value, other_value)

    for s in SIDES:
        sh, hip, knee, ankle, heel, toe = _JOINTS[s]
        v[f"{s}_knee_flexion_deg"] = pick(g.flexion_deg(px[:, hip], px[:, knee], px[:, ankle]),
                                          g.flexion_deg(world[:, hip], world[:, knee], world[:, ankle]))
        v[f"{s}_hip_flexion_deg"] = pick(g.flexion_deg(px[:, sh], px[:, hip], px[:, knee]),
                                         g.flexion_deg(world[:, sh], world[:, hip], world[:, knee]))
        foot_dir = px[:, toe] - px[:, heel]
        shin = g.distance(px[:, knee], px[:, ankle])
        with np.errstate(invalid="ignore", divide="ignore"):
            past = g.scalar_projection(px[:, knee] - px[:, toe], foot_dir) / shin
        v[f"{s}_knee_past_toe_ratio"] = np.where(side, past, np.nan)
        other_hip = _JOINTS["right" if s == "left" else "left"][1]
        fppa = g.frontal_projection_angle_deg(px[:, hip], px[:, knee], px[:, ankle],
                                              px[:, other_hip] - px[:, hip])
        v[f"{s}_knee_valgus_deg"] = np.where(front, fppa, np.nan)

    hip_mid_px = g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP])
    trunk_px = g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]) - hip_mid_px
    hip_mid_w = g.midpoint(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP])
    trunk_w = g.midpoint(world[:, L.LEFT_SHOULDER], world[:, L.RIGHT_SHOULDER]) - hip_mid_w
    up_w = -trunk_w[:, 1]
    lean_fwd_2d = np.degrees(np.arctan2(np.sum(trunk_px * fwd_2d, axis=-1), -trunk_px[:, 1]))
    lean_fwd_w = np.degrees(np.arctan2(np.sum(trunk_w * fwd_w, axis=-1), up_w))
    v["trunk_lean_forward_deg"] = pick(lean_fwd_2d, lean_fwd_w)
    hip_line_px = px[:, L.LEFT_HIP] - px[:, L.RIGHT_HIP]
    with np.errstate(invalid="ignore", divide="ignore"):
        left_2d = hip_line_px / g.norm(hip_line_px)[:, None]
    lean_side_2d = np.degrees(np.arctan2(np.sum(trunk_px * left_2d, axis=-1), -trunk_px[:, 1]))
    lean_side_w = np.degrees(np.arctan2(np.sum(trunk_w * left_w, axis=-1), up_w))
    v["trunk_lean_side_deg"] = np.where(front, lean_side_2d, np.where(oblique, lean_side_w, np.nan))

    tilt_2d = np.degrees(np.arctan2(-hip_line_px[:, 1], np.abs(hip_line_px[:, 0])))
    hip_line_w = world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]
    tilt_w = np.degrees(np.arctan2(-hip_line_w[:, 1], np.hypot(hip_line_w[:, 0], hip_line_w[:, 2])))
    v["pelvis_tilt_deg"] = np.where(front, tilt_2d, np.where(oblique, tilt_w, np.nan))
    yaw = np.degrees(np.arctan2(np.sum(hip_line_w * fwd_w, axis=-1), np.sum(hip_line_w * left_w, axis=-1)))
    v["pelvis_rotation_deg"] = np.where(side, np.nan, yaw)

    ankles_px = px[:, L.LEFT_ANKLE] - px[:, L.RIGHT_ANKLE]
    hip_w_px = g.norm(hip_line_px)
    ankles_w = world[:, L.LEFT_ANKLE] - world[:, L.RIGHT_ANKLE]
    hip_w_w = g.norm(hip_line_w * np.array([1.0, 0.0, 1.0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        stance_2d = np.abs(np.sum(ankles_px * left_2d, axis=-1)) / hip_w_px
        stance_w = np.abs(np.sum(ankles_w * left_w, axis=-1)) / hip_w_w
    v["stance_width_ratio"] = np.where(front, stance_2d, np.where(oblique, stance_w, np.nan))

    leg_px = _leg_length(px, t, window)
    leg_w = _leg_length(world, t, window)
    floor_y = np.fmax(px[:, L.LEFT_ANKLE, 1], px[:, L.RIGHT_ANKLE, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        fwd_pos = {
            s: pick((px[:, _JOINTS[s][3], 0] * facing) / leg_px,
                    np.sum(world[:, _JOINTS[s][3]] * fwd_w, axis=-1) / leg_w)
            for s in SIDES
        }
        v["step_length_ratio"] = np.abs(fwd_pos["left"] - fwd_pos["right"])
        v["foot_lift_ratio"] = np.abs(px[:, L.LEFT_ANKLE, 1] - px[:, L.RIGHT_ANKLE, 1]) / leg_px
        height = floor_y - hip_mid_px[:, 1]
        v["hip_height_ratio"] = height / _baseline(height, t, window, 90) if n else height
    with np.errstate(invalid="ignore", divide="ignore"):
        ankle_image = {s: px[:, _JOINTS[s][3]] / leg_px[:, None] for s in SIDES}
    return FrameMetrics(t, v, view, clip_view, facing, fwd_pos, ankle_image,
                        _left_ankle_behind(px, fwd_pos, facing, side, front))


def _left_ankle_behind(px: np.ndarray, fwd_pos: dict[str, np.ndarray], facing: np.ndarray,
                       side: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Which ankle is the back one, from the evidence each view gives best.

    Side: the image, along the facing direction. Front: the image too: the floor recedes upward,
    so the ankle higher in the frame is further from the camera (world depth from a monocular
    front view is too weak to order the feet). Oblique: world positions along travel.
    """
    la, ra = px[:, L.LEFT_ANKLE], px[:, L.RIGHT_ANKLE]
    with np.errstate(invalid="ignore"):
        behind = np.where(side, (la[:, 0] - ra[:, 0]) * facing < 0,
                          np.where(front, la[:, 1] < ra[:, 1], fwd_pos["left"] < fwd_pos["right"]))
    known = ~(np.isnan(la).any(-1) | np.isnan(ra).any(-1) | np.isnan(fwd_pos["left"]) | np.isnan(fwd_pos["right"]))
    return np.where(known, behind.astype(float), np.nan)


def _leg_length(points: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """Standing leg length (hip-knee-ankle path), robust to bent knees and foreshortening."""
    lengths = [g.distance(points[:, h], points[:, k]) + g.distance(points[:, k], points[:, a])
               for _, h, k, a, _, _ in _JOINTS.values()]
    if len(t) == 0:
        return np.empty(0)
    return _baseline(np.fmax(*lengths), t, window_s, 90)
