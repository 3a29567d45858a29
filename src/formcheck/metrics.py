"""Per-frame metric series built from the geometry core (pure numpy).

Which coordinates a metric uses depends on what the camera can see: in a side view the sagittal
plane faces the camera, so sagittal angles are exact in the image (2-D); obliquely they come from
the image with x stretched back by 1/sin(yaw) (a pseudo side view), from the front from
MediaPipe's 3-D world landmarks. Frontal-plane metrics (knee valgus, pelvic
tilt, stance width) come from the image in a front view and are NaN in a side view, where they
cannot be seen. NaN means "not measurable here", never zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as g
from .feet import FeetTrack, feet_split, floor_below_hips, heel_lift, held_feet, left_leg_behind, split_view
from .knee_readings import KneeReadings, knee_flexion_from_lengths, standing_segments
from .points import JOINTS, SIDES, L, gated_points
from .profile import Profile
from .raw_evidence import RawEvidence
from .series import PoseSeries
from .view import body_yaw_deg, classify_view, facing_away, facing_sign_2d, view_mode

# The documented per-frame series, in report order (README lists units and meaning).
METRIC_NAMES = (
    "left_knee_flexion_deg", "right_knee_flexion_deg", "left_hip_flexion_deg", "right_hip_flexion_deg",
    "trunk_lean_forward_deg", "trunk_lean_side_deg", "pelvis_tilt_deg", "pelvis_rotation_deg",
    "stance_width_ratio", "step_length_ratio", "left_knee_past_toe_ratio", "right_knee_past_toe_ratio",
    "left_knee_valgus_deg", "right_knee_valgus_deg", "hip_height_ratio", "body_yaw_deg",
    "front_feet_split_ratio", "left_heel_lift_ratio", "right_heel_lift_ratio", "heel_lift_gap_ratio",
)


@dataclass(frozen=True)
class FrameMetrics:
    """Metric series of one PoseSeries: ``values[name]`` is (T,), ``view`` is (T,) of VIEWS; the
    feet's track (``FeetTrack``) beside them."""

    t: np.ndarray
    values: dict[str, np.ndarray]
    view: np.ndarray
    clip_view: str
    facing_sign: np.ndarray  # (T,) +1 facing image right, -1 facing left (side/oblique)
    feet: FeetTrack
    knee_readings: KneeReadings  # other readings of each knee's flexion, for a rep's knees
    runs_disagree: np.ndarray | None = None  # (T,) bool: the mirrored run put the legs elsewhere (identity)
    facing_away: np.ndarray | None = None  # (T,) bool: filmed from behind (``facing_away``)

    @property
    def toward_camera(self) -> np.ndarray:
        """(T,) +1 where the person faces the camera (forward is down the frame), -1 from behind."""
        away = self.facing_away if self.facing_away is not None else np.zeros(len(self.t), bool)
        return np.where(away, -1.0, 1.0)

    def from_behind(self, frames: np.ndarray) -> bool:
        """Most of ``frames`` show the person from behind (``facing_away``)."""
        return bool(self.facing_away is not None and len(frames) and self.facing_away[frames].mean() > 0.5)

    @property
    def clip_facing_away(self) -> bool:
        """Most frames with a known view show the person from behind."""
        return self.from_behind(np.flatnonzero(self.view != ""))

    @property
    def clip_view_label(self) -> str:
        """The clip's view as a user reads it: ``rear`` or ``rear-oblique`` when filmed from behind."""
        if self.clip_facing_away and self.clip_view in ("front", "oblique"):
            return "rear" if self.clip_view == "front" else "rear-oblique"
        return self.clip_view

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def _world_axes(world: np.ndarray, t: np.ndarray, window_s: float, facing_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal forward and leftward unit vectors of the body in world coordinates (y down).

    Left = right hip -> left hip (and shoulders), flattened to the floor plane; forward is
    perpendicular to it, on the side the nose is. Smoothed over a long window so a rotating
    pelvis (a mistake we measure) does not rotate the reference with it.
    """
    left = (world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]) + (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER])
    left = left * np.array([1.0, 0.0, 1.0])
    left = g.rolling_baseline(left, t, window_s, 50)
    with np.errstate(invalid="ignore", divide="ignore"):
        left = left / g.norm(left)[:, None]
    down = np.array([0.0, 1.0, 0.0])
    forward = np.cross(left, down)  # right-handed camera frame (x right, y down, z away)
    hip_mid = g.midpoint(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP])
    nose_dir = np.nansum((world[:, L.NOSE] - hip_mid) * forward, axis=-1)
    forward = forward * np.where(g.rolling_baseline(nose_dir, t, facing_s, 50) < 0, -1.0, 1.0)[:, None]
    return forward, left


@dataclass(frozen=True)
class _Scene:
    """The coordinate frames one clip's metrics are computed in (see the module docstring)."""

    t: np.ndarray
    px: np.ndarray  # (T, 15, 2) image pixels (``L`` indices), low-visibility points NaN
    sag: np.ndarray  # (T, 15, 2) image pixels with x un-foreshortened for the body's yaw
    world: np.ndarray  # (T, 15, 3) world metres (or image-z pseudo-3D without world landmarks)
    yaw: np.ndarray
    side: np.ndarray
    front: np.ndarray
    oblique: np.ndarray
    facing: np.ndarray
    fwd_w: np.ndarray
    left_w: np.ndarray
    window_s: float


def _scene(series: PoseSeries, profile: Profile) -> _Scene:
    t = series.t
    px, world = gated_points(series, profile["pose.min_visibility"])
    yaw = body_yaw_deg(px, world, t, profile)
    view = classify_view(yaw, profile)
    # A sagittal-plane angle turned by (90 - yaw) from the image plane is foreshortened along x
    # by sin(yaw): stretching x back turns a side or oblique view into a pseudo side view.
    stretch = 1.0 / np.sin(np.radians(np.clip(yaw, profile["view.front_max_yaw_deg"], 90.0)))
    sag = px * np.stack([stretch, np.ones_like(stretch)], axis=-1)[:, None, :]
    window = profile["reps.baseline_window_s"]
    facing = profile["view.facing_window_s"]
    fwd_w, left_w = _world_axes(world, t, window, facing)
    return _Scene(t, px, sag, world, yaw, view == "side", view == "front", view == "oblique",
                  facing_sign_2d(px, t, facing), fwd_w, left_w, window)


def _sagittal(sc: _Scene, knee_front: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Knee and hip flexion, forward trunk lean, knee over toes, step length, foot positions, and
    the toes' gap along travel (side and oblique views; NaN from the front).

    Side and oblique views: the un-foreshortened image. Front view: world landmarks (a monocular
    depth guess: the values are approximate and the checks that need them are not assessed).
    The knees' other readings, which a rep's front knee combines, are ``KneeReadings``.
    """
    lateral = sc.side | sc.oblique
    sag, world = sc.sag, sc.world
    floor = np.stack([sc.facing, np.zeros_like(sc.facing)], axis=-1)  # the side image's direction of travel
    v: dict[str, np.ndarray] = {}
    for s in SIDES:
        sh, hip, knee, ankle, _, toe = JOINTS[s]
        v[f"{s}_knee_flexion_deg"] = np.where(lateral, g.flexion_deg(sag[:, hip], sag[:, knee], sag[:, ankle]),
                                              g.flexion_deg(world[:, hip], world[:, knee], world[:, ankle]))
        v[f"{s}_hip_flexion_deg"] = np.where(lateral, g.flexion_deg(sag[:, sh], sag[:, hip], sag[:, knee]),
                                             g.flexion_deg(world[:, sh], world[:, hip], world[:, knee]))
        past = g.knee_front_past_toes(sag[:, knee], sag[:, ankle], sag[:, toe], floor, knee_front)
        v[f"{s}_knee_past_toe_ratio"] = np.where(lateral, past, np.nan)
    hip_mid = g.midpoint(sag[:, L.LEFT_HIP], sag[:, L.RIGHT_HIP])
    trunk = g.midpoint(sag[:, L.LEFT_SHOULDER], sag[:, L.RIGHT_SHOULDER]) - hip_mid
    trunk_w = g.midpoint(world[:, L.LEFT_SHOULDER], world[:, L.RIGHT_SHOULDER]) \
        - g.midpoint(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP])
    v["trunk_lean_forward_deg"] = np.where(
        lateral, np.degrees(np.arctan2(trunk[:, 0] * sc.facing, -trunk[:, 1])),
        np.degrees(np.arctan2(np.sum(trunk_w * sc.fwd_w, axis=-1), -trunk_w[:, 1])))
    leg_sag, leg_w = _leg_length(sag, sc.t, sc.window_s), _leg_length(world, sc.t, sc.window_s)
    def along_travel(joint: int) -> np.ndarray:
        """A joint's position along the direction of travel in the side image, leg lengths."""
        return sag[:, joint, 0] * sc.facing / leg_sag

    with np.errstate(invalid="ignore", divide="ignore"):
        fwd_pos = {s: np.where(lateral, along_travel(JOINTS[s][3]),
                               np.sum(world[:, JOINTS[s][3]] * sc.fwd_w, axis=-1) / leg_w) for s in SIDES}
        toe_gap = np.abs(along_travel(L.LEFT_FOOT_INDEX) - along_travel(L.RIGHT_FOOT_INDEX))
    v["step_length_ratio"] = np.abs(fwd_pos["left"] - fwd_pos["right"])
    return v, fwd_pos, np.where(lateral, toe_gap, np.nan)


def _forward_image_x(sc: _Scene, shin_standing: dict[str, np.ndarray], profile: Profile) -> np.ndarray:
    """Image x per unit of forward travel: sin of the camera's yaw, read off the feet.

    Heel to toe points forward; its image-x share of the foot's length (``foot_to_shin_ratio``
    standing shins) is how far the camera is turned. Both feet are averaged so an even toe-out
    cancels, and the median over the baseline window keeps one noisy foot out.
    """
    px = sc.px
    foot = np.stack([px[:, JOINTS[s][5], 0] - px[:, JOINTS[s][4], 0] for s in SIDES])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = foot / (np.stack([shin_standing[s] for s in SIDES]) * profile["checks.knee.foot_to_shin_ratio"])
    both = g.nan_mean(np.where(np.isfinite(share), share, np.nan))
    return np.clip(g.rolling_baseline(both, sc.t, sc.window_s, 50), -1.0, 1.0)


def _knee_valgus_deg(sc: _Scene, profile: Profile) -> dict[str, np.ndarray]:
    """The front view's knee valgus: the knee's sideways offset off the hip-ankle line, as an FPPA.

    The offset is read at the knee's height (``g.offset_from_line_x``), so a thigh pointing at
    the camera does not blank it out. A camera turned a few degrees shows part of the knee's
    lead toward it as a sideways offset (at a lunge's bottom the knee is a thigh's length ahead
    of the hip-ankle line, so 9 deg of yaw reads as 14 deg of valgus on one leg and varus on the
    other); that share, lead x sin(yaw), is taken off first.
    """
    px = sc.px
    if not sc.front.any():  # its five rolling baselines are wasted on a side or oblique clip
        return {f"{s}_knee_valgus_deg": np.full(len(sc.t), np.nan) for s in SIDES}
    length = {s: {seg: g.distance(px[:, JOINTS[s][a]], px[:, JOINTS[s][b]]) for seg, a, b in
                  (("thigh", 1, 2), ("shin", 2, 3))} for s in SIDES}
    standing = {s: {seg: g.rolling_baseline(v, sc.t, sc.window_s, 90) for seg, v in length[s].items()} for s in SIDES}
    forward_x = _forward_image_x(sc, {s: standing[s]["shin"] for s in SIDES}, profile)
    out: dict[str, np.ndarray] = {}
    for s, other in (("left", "right"), ("right", "left")):
        _, hip, knee, ankle, _, _ = JOINTS[s]
        lead = g.hidden_knee_lead(length[s]["thigh"], length[s]["shin"], standing[s]["thigh"],
                                  standing[s]["shin"], px[:, knee, 1] - px[:, hip, 1], px[:, ankle, 1] - px[:, hip, 1])
        sideways = g.offset_from_line_x(px[:, hip], px[:, knee], px[:, ankle]) - lead * forward_x
        medial = np.sign(px[:, JOINTS[other][1], 0] - px[:, hip, 0])
        valgus = g.fppa_equivalent_deg(sideways * medial, standing[s]["shin"])
        out[f"{s}_knee_valgus_deg"] = np.where(sc.front & (medial != 0), valgus, np.nan)
    return out


def _frontal(sc: _Scene, profile: Profile) -> dict[str, np.ndarray]:
    """Knee valgus, sideways trunk lean, pelvic tilt, stance width: the image of a front view.

    Pelvis rotation (about the vertical) comes from the world landmarks, relative to the body's
    own long-run facing direction; only side and oblique views show it (from the front the
    model's hip depth barely changes when the pelvis turns).
    """
    px, world, front = sc.px, sc.world, sc.front
    v = _knee_valgus_deg(sc, profile)
    hip_line = px[:, L.LEFT_HIP] - px[:, L.RIGHT_HIP]
    hip_width = g.norm(hip_line)
    trunk = g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]) - g.midpoint(px[:, L.LEFT_HIP],
                                                                                      px[:, L.RIGHT_HIP])
    with np.errstate(invalid="ignore", divide="ignore"):
        leftward = hip_line / hip_width[:, None]
        stance = np.abs(np.sum((px[:, L.LEFT_ANKLE] - px[:, L.RIGHT_ANKLE]) * leftward, axis=-1)) / hip_width
    # sideways lean against the image's vertical, toward the body's left (+): along the image's
    # horizontal, not along the hip line, which tilts as the back knee drops (a 9 deg tilt read a
    # 21 deg lean as 9: the lean's vertical part leaked into the sideways one)
    lateral = trunk[:, 0] * np.sign(hip_line[:, 0])
    v["trunk_lean_side_deg"] = np.where(front, np.degrees(np.arctan2(lateral, -trunk[:, 1])), np.nan)
    v["pelvis_tilt_deg"] = np.where(front, np.degrees(np.arctan2(-hip_line[:, 1], np.abs(hip_line[:, 0]))), np.nan)
    # in hip-joint widths, as the profile's limits are: MediaPipe's hip points lie wider apart
    v["stance_width_ratio"] = np.where(front, stance * profile["pose.hip_landmark_spread_ratio"], np.nan)
    hip_line_w = world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]
    rotation = np.degrees(np.arctan2(np.sum(hip_line_w * sc.fwd_w, axis=-1), np.sum(hip_line_w * sc.left_w, axis=-1)))
    # relative to the body's long-run facing (fwd_w/left_w), so a camera-angle bias cancels out
    v["pelvis_rotation_deg"] = rotation
    return v


def compute_metrics(series: PoseSeries, profile: Profile, raw: RawEvidence | None = None) -> FrameMetrics:
    """All per-frame metrics of a (smoothed) pose series; ``raw``: what the unsmoothed series
    showed (``raw_evidence.RawEvidence``; without it, the smoothed ankles stand in and there is no
    mirror pass).
    """
    t = series.t
    if len(t) == 0:
        empty = np.empty(0)
        feet = FeetTrack({s: empty for s in SIDES}, {s: np.empty((0, 2)) for s in SIDES}, empty,
                         np.empty((0, 2, 2)), {s: np.empty((0, 2)) for s in SIDES}, empty, np.empty(0, bool))
        return FrameMetrics(t, {name: empty for name in METRIC_NAMES}, np.empty(0, dtype=object), "", empty, feet,
                            KneeReadings(*({s: empty for s in SIDES} for _ in range(4))))
    sc = _scene(series, profile)
    v, fwd_pos, toe_step = _sagittal(sc, profile["checks.knee.knee_front_ratio"])
    v.update(_frontal(sc, profile))
    v["body_yaw_deg"] = sc.yaw
    px = sc.px
    hip_mid = g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP])
    span = g.rolling_baseline(_body_scale(px, sc.front | sc.oblique), t, profile["reps.body_scale_window_s"], 50)
    feet_px = held_feet(px, t, profile["pose.hidden_foot_hold_s"])
    height = (floor_below_hips(feet_px) - hip_mid[:, 1]) / span
    # one scale for the whole clip: positions divided by a scale that changes over time would
    # drift while the feet stand still, and the image is only floor-fixed in pixels
    leg_px = np.full(len(t), g.nan_median(_leg_length(px, t, sc.window_s)))
    with np.errstate(invalid="ignore", divide="ignore"):
        v["hip_height_ratio"] = height / g.rolling_baseline(height, t, sc.window_s, 90)
        # seen from the front, a split stance shows as one toe higher in the frame (further away)
        toe_gap = np.abs(feet_px[:, L.LEFT_FOOT_INDEX, 1] - feet_px[:, L.RIGHT_FOOT_INDEX, 1]) / span
        split_front = split_view(sc.front, t, profile["reps.split_view_window_s"])
        v["front_feet_split_ratio"] = np.where(split_front, toe_gap, np.nan)
        ankle_image = {s: px[:, JOINTS[s][3]] / leg_px[:, None] for s in SIDES}
        toe_image = {s: feet_px[:, JOINTS[s][5]] / leg_px[:, None] for s in SIDES}
        for s in SIDES:
            v[f"{s}_heel_lift_ratio"] = np.where(sc.side | sc.oblique, heel_lift(feet_px, s) / leg_px, np.nan)
        v["heel_lift_gap_ratio"] = v["left_heel_lift_ratio"] - v["right_heel_lift_ratio"]
        raw_ankles_px = (raw.ankles_px if raw is not None
                         else np.stack([px[:, L.LEFT_ANKLE], px[:, L.RIGHT_ANKLE]], axis=1))
        raw_ankles = raw_ankles_px / leg_px[:, None, None]
    for values in v.values():  # a zero length divides to inf: no reading, not an endless one
        values[np.isinf(values)] = np.nan
    view = np.where(sc.side, "side", np.where(sc.front, "front", np.where(sc.oblique, "oblique", ""))).astype(object)
    feet = FeetTrack(fwd_pos, ankle_image, left_leg_behind(feet_px, fwd_pos, sc.facing, sc.side, sc.front),
                     raw_ankles, toe_image, feet_split(v, toe_step, split_front, t, profile["reps.glitch_median_s"]),
                     split_front)
    return FrameMetrics(t, v, view, view_mode(view), sc.facing, feet,
                        _knee_readings(sc, raw.mirrored_knees_deg if raw is not None else None),
                        raw.runs_disagree if raw is not None else None, facing_away(sc.world, t, profile))


def _knee_readings(sc: _Scene, mirrored_deg: np.ndarray | None) -> KneeReadings:
    """The knees' other readings (``KneeReadings``), each only where it applies. The standing
    segment lengths two of them need (rolling baselines) are computed only if a side or oblique
    frame needs them."""
    nan = np.full(len(sc.t), np.nan)
    world, lengths, reach, mirrored = {}, {}, {}, {}
    lateral = sc.side | sc.oblique
    for i, s in enumerate(SIDES):
        mirrored[s] = nan if mirrored_deg is None else np.where(sc.side, mirrored_deg[:, i], np.nan)
        _, hip, knee, ankle, _, _ = JOINTS[s]
        world[s] = np.where(sc.oblique, g.flexion_deg(sc.world[:, hip], sc.world[:, knee], sc.world[:, ankle]), np.nan)
        if not lateral.any():
            lengths[s], reach[s] = nan, nan
            continue
        thigh, shin = standing_segments(sc.px, sc.t, sc.window_s, s)
        lengths[s] = np.where(sc.oblique, knee_flexion_from_lengths(sc.px, s, thigh, shin), np.nan)
        reach[s] = np.where(lateral, g.flexion_from_reach_deg(sc.px[:, hip], sc.px[:, ankle], thigh, shin), np.nan)
    return KneeReadings(world, lengths, reach, mirrored)


def _body_scale(px: np.ndarray, shoulders_facing: np.ndarray) -> np.ndarray:
    """(T,) the person's size in the frame, in leg spans: the largest of several estimates.

    Each estimate can only shrink (a limb turned toward the camera foreshortens), so the largest
    is the least distorted: the leg span fails at a lunge's bottom seen from the front or at an
    angle, where the front thigh points toward the camera and MediaPipe pulls both knees
    together; the torso fails with a forward lean seen from the front; the shoulder width with a
    trunk turned away, so it is only used where ``shoulders_facing`` (front and oblique views:
    from the side the shoulders' width is a few noisy pixels). Each is put in leg spans by the
    ratio of its 90th percentile (the upright, square-on frames) to the leg span's.
    """
    span = _leg_span(px)
    torso = g.distance(g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]),
                       g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP]))
    shoulders = np.where(shoulders_facing, g.distance(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]), np.nan)
    estimates = [span]
    for size in (torso, shoulders):
        if not (np.isnan(size).all() or np.isnan(span).all()):
            estimates.append(size * np.nanpercentile(span, 90) / np.nanpercentile(size, 90))
    with np.errstate(invalid="ignore"):
        return np.fmax.reduce(np.stack(estimates), axis=0)


def _leg_span(px: np.ndarray) -> np.ndarray:
    """(T,) the longer thigh plus the longer shin in the image: the person's scale right now.

    Dividing the hip height by it cancels perspective (stepping toward the camera makes
    everything bigger, not the hips higher). At a lunge's bottom, seen from the front, the
    front shin and the back thigh are near upright, so the sum barely foreshortens.
    """
    seg = {name: [g.distance(px[:, j[a]], px[:, j[b]]) for j in JOINTS.values()]
           for name, a, b in (("thigh", 1, 2), ("shin", 2, 3))}
    return np.fmax(*seg["thigh"]) + np.fmax(*seg["shin"])


def _leg_length(points: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """Standing leg length (hip-knee-ankle path), robust to bent knees and foreshortening."""
    lengths = [g.distance(points[:, h], points[:, k]) + g.distance(points[:, k], points[:, a])
               for _, h, k, a, _, _ in JOINTS.values()]
    if len(t) == 0:
        return np.empty(0)
    return g.rolling_baseline(np.fmax(*lengths), t, window_s, 90)
