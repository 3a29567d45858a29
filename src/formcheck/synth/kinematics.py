"""3-D skeleton and reverse-lunge motion for synthetic videos (pure numpy, no OpenCV).

World frame: metres, z up, floor at z = 0. The person faces +x and their LEFT is +y, so a camera
that looks along -x (standing in front of them) sees their left on the image's right, exactly as
MediaPipe labels a non-mirrored image. The camera, not the body, carries the viewing angle.

A rep is defined by a handful of continuous targets (``LungeForm``); mistakes are named offsets of
those targets with a continuous size. The bottom pose is found by a small grid search over the
pelvis position with planar two-link IK for both legs, so every rendered pose is reachable and the
ground truth is whatever the skeleton actually does, not what was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Literal

import numpy as np

from formcheck.geometry import angle_between_deg as angle_between
from formcheck.geometry import flexion_deg
from formcheck.series import Landmark

Side = Literal["left", "right"]
Variant = Literal["reverse", "forward", "split_squat"]
ArmStyle = Literal["sides", "hips", "chest"]   # arms hanging, hands on hips, hands clasped at the chest
SIDES: tuple[Side, Side] = ("left", "right")
VARIANTS: tuple[str, ...] = ("reverse", "forward", "split_squat")
LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in Landmark)


def side_sign(side: Side) -> float:
    """+1 for the person's left (+y), -1 for their right."""
    return 1.0 if side == "left" else -1.0


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


# ---------------------------------------------------------------------------------------------
# Small geometry helpers
# ---------------------------------------------------------------------------------------------

def rot_x(deg: float) -> np.ndarray:
    """Rotation about the forward axis: + lifts the left (+y) side."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    """Rotation about the left axis: + tips +z toward +x (a forward lean of an upright segment)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about the vertical: + turns +x toward +y (counter-clockwise seen from above)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def minimum_jerk(tau: float | np.ndarray) -> float | np.ndarray:
    """Smooth 0->1 profile with zero velocity and acceleration at both ends (Flash & Hogan 1985)."""
    x = np.clip(tau, 0.0, 1.0)
    return x**3 * (10.0 - 15.0 * x + 6.0 * x**2)


def two_link_ik(root: np.ndarray, end: np.ndarray, l1: float, l2: float, pole: np.ndarray,
                twist_deg: float | np.ndarray = 0.0, twist_toward: np.ndarray | None = None) -> np.ndarray:
    """Middle joint of a two-link chain from ``root`` to ``end`` (vectorised over leading axes).

    The joint lies in the plane spanned by root->end and ``pole`` on the pole's side. ``twist_deg``
    then rotates that plane about the root->end axis toward ``twist_toward`` (knee valgus).
    Out-of-reach targets give a straight chain pointing at the target.
    """
    root, end = np.asarray(root, float), np.asarray(end, float)
    d_vec = end - root
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    u = d_vec / np.maximum(d, 1e-9)
    dc = np.clip(d, abs(l1 - l2) + 1e-6, (l1 + l2) * (1.0 - 1e-9))
    a = (l1**2 - l2**2 + dc**2) / (2.0 * dc)
    h = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    pole = np.broadcast_to(np.asarray(pole, float), u.shape)
    v = pole - np.sum(pole * u, axis=-1, keepdims=True) * u
    v = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)
    if twist_toward is not None:
        w = np.cross(u, v)
        flip = np.sign(np.sum(w * np.asarray(twist_toward, float), axis=-1, keepdims=True))
        w = w * np.where(flip == 0, 1.0, flip)
        ang = np.radians(np.asarray(twist_deg, float))[..., None] if np.ndim(twist_deg) else np.radians(
            twist_deg)
        v = np.cos(ang) * v + np.sin(ang) * w
    return root + a * u + h * v


# ---------------------------------------------------------------------------------------------
# Body
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BodyProportions:
    """Segment lengths as fractions of standing height.

    Heights and lengths are Winter's anthropometric ratios (D. A. Winter, Biomechanics and Motor
    Control of Human Movement, 4th ed. 2009, Fig. 4.1); joint-centre widths are noted per field.
    A benchmark can jitter any of them by a few per cent to vary the build.
    """

    height_m: float = 1.75
    ankle_height: float = 0.039      # floor to ankle joint (Winter)
    knee_height: float = 0.285       # floor to knee joint (Winter)
    hip_height: float = 0.530        # floor to hip joint / greater trochanter (Winter)
    shoulder_height: float = 0.818   # floor to shoulder joint (Winter)
    head_centre_height: float = 0.935  # midway between chin (0.870) and vertex (1.0) (Winter)
    head_depth: float = 0.110        # glabella-opisthocranion length ~19 cm (ANSUR II, ~0.11 H)
    head_breadth: float = 0.090      # head breadth ~15.5 cm (ANSUR II)
    upper_arm: float = 0.186         # shoulder to elbow (Winter)
    forearm: float = 0.146           # elbow to wrist (Winter)
    hand: float = 0.108              # wrist to fingertip (Winter)
    foot_length: float = 0.152       # heel to toe tip (Winter)
    foot_width: float = 0.055        # (Winter)
    shoulder_width: float = 0.210    # glenohumeral centres: biacromial 0.259 H (Winter) less ~2.5 cm a side
    hip_width: float = 0.103         # hip joint centres: 72% of inter-ASIS width ~0.143 H (Bell et al. 1990)
    ankle_from_heel: float = 0.25    # ankle joint sits ~1/4 of the foot length ahead of the heel
    ball_from_heel: float = 0.73     # metatarsal heads (ball of the foot) at ~73% of foot length

    def m(self, frac: float) -> float:
        """A height fraction in metres."""
        return frac * self.height_m

    @property
    def thigh_m(self) -> float:
        return self.m(self.hip_height - self.knee_height)

    @property
    def shank_m(self) -> float:
        return self.m(self.knee_height - self.ankle_height)

    @property
    def leg_m(self) -> float:
        """Hip-to-ankle length of a straight leg (the step-length unit)."""
        return self.thigh_m + self.shank_m

    @property
    def hip_width_m(self) -> float:
        return self.m(self.hip_width)

    @property
    def trunk_m(self) -> float:
        """Hip-joint line to shoulder-joint line."""
        return self.m(self.shoulder_height - self.hip_height)


# ---------------------------------------------------------------------------------------------
# Per-frame pose parameters and the skeleton built from them
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FootState:
    """Where a foot is: its ball, toe-out and heel raise (rear foot rotated about the ball)."""

    ball: np.ndarray                 # (3,) ball of the foot; z > 0 while the foot swings
    yaw_deg: float = 0.0             # + turns the toes toward the person's left
    pitch_deg: float = 0.0           # heel raise; 0 = flat


@dataclass(frozen=True)
class PoseParams:
    """The few numbers that fix a whole-body pose (legs come from IK, arms hang)."""

    pelvis: np.ndarray                            # (3,) midpoint of the hip joint centres
    left_foot: FootState
    right_foot: FootState
    pelvis_yaw_deg: float = 0.0                   # + turns the pelvis toward the left
    pelvis_roll_deg: float = 0.0                  # + lifts the left hip
    trunk_fwd_deg: float = 0.0                    # forward lean of the trunk from vertical
    trunk_side_deg: float = 0.0                   # + leans toward the person's left
    trunk_yaw_deg: float = 0.0                    # relative to the pelvis
    head_pitch_deg: float = 0.0                   # + nods down, relative to a level gaze
    knee_valgus_deg: np.ndarray = field(default_factory=lambda: np.zeros(2))  # [left, right]
    arm_flex_deg: np.ndarray = field(default_factory=lambda: np.full(2, POSTURE.stand_arm_flex_deg))
    elbow_flex_deg: np.ndarray = field(default_factory=lambda: np.full(2, POSTURE.stand_elbow_flex_deg))

    def foot(self, side: Side) -> FootState:
        return self.left_foot if side == "left" else self.right_foot

    def with_foot(self, side: Side, foot: FootState) -> PoseParams:
        return replace(self, **{f"{side}_foot": foot})


def _lerp_value(a: object, b: object, s: float) -> object:
    if isinstance(a, FootState):
        return FootState(*(_lerp_value(getattr(a, f.name), getattr(b, f.name), s) for f in fields(a)))
    return np.asarray(a) * (1.0 - s) + np.asarray(b) * s if isinstance(a, np.ndarray) else (
        float(a) * (1.0 - s) + float(b) * s)


def lerp_params(a: PoseParams, b: PoseParams, s: float) -> PoseParams:
    """Field-wise interpolation between two poses (the pose is rebuilt by IK afterwards)."""
    return PoseParams(**{f.name: _lerp_value(getattr(a, f.name), getattr(b, f.name), s) for f in fields(a)})


@dataclass(frozen=True)
class Pose:
    """One frame of the skeleton: named 3-D points and segment orientations (columns = x, y, z)."""

    points: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]

    def landmarks(self) -> np.ndarray:
        """(33, 3) world positions in MediaPipe landmark order."""
        return np.stack([self.points[n] for n in LANDMARK_NAMES])


@dataclass(frozen=True)
class FaceLayout:
    """Facial landmark offsets in the head frame, as fractions of height (typical adult face)."""

    nose_tip: tuple[float, float, float] = (0.064, 0.0, -0.010)
    eye_inner: tuple[float, float, float] = (0.049, 0.010, 0.003)
    eye: tuple[float, float, float] = (0.047, 0.018, 0.004)
    eye_outer: tuple[float, float, float] = (0.042, 0.026, 0.004)
    ear: tuple[float, float, float] = (-0.004, 0.045, -0.002)
    mouth: tuple[float, float, float] = (0.050, 0.012, -0.032)
    neck_pivot: float = 0.030          # neck pivot above the shoulder line
    arm_abduction_deg: float = 8.0     # arms hang slightly away from the trunk


FACE = FaceLayout()
ARM_FOLLOWS_TRUNK = 1.0   # 0 = arms plumb whatever the trunk does, 1 = arms along the trunk


def foot_points(foot: FootState, body: BodyProportions) -> dict[str, np.ndarray]:
    """Ankle, heel, ball and toe tip of one foot plus its rear-foot and toe frames."""
    fl = body.m(body.foot_length)
    r_yaw = rot_z(foot.yaw_deg)
    r_rear = r_yaw @ rot_y(foot.pitch_deg)
    ankle_local = np.array([-(body.ball_from_heel - body.ankle_from_heel) * fl, 0.0,
                            body.m(body.ankle_height)])
    heel_local = np.array([-body.ball_from_heel * fl, 0.0, 0.3 * body.m(body.ankle_height)])
    toe_local = np.array([(1.0 - body.ball_from_heel) * fl, 0.0, 0.25 * body.m(body.ankle_height)])
    ball = np.asarray(foot.ball, float)
    return {"ankle": ball + r_rear @ ankle_local, "heel": ball + r_rear @ heel_local,
            "toe": ball + r_yaw @ toe_local, "ball": ball, "rear_frame": r_rear, "toe_frame": r_yaw}


def ankle_to_ball(ankle: np.ndarray, yaw_deg: float, pitch_deg: float,
                  body: BodyProportions) -> np.ndarray:
    """Ball position that puts the ankle at ``ankle`` for a given foot yaw and heel raise."""
    probe = foot_points(FootState(np.zeros(3), yaw_deg, pitch_deg), body)["ankle"]
    return np.asarray(ankle, float) - probe


def build_pose(p: PoseParams, body: BodyProportions, arms: ArmStyle = "sides") -> Pose:
    """Whole-body skeleton from pose parameters: legs by two-link IK, arms per ``arms``, head level."""
    pts: dict[str, np.ndarray] = {"pelvis": np.asarray(p.pelvis, float)}
    frames: dict[str, np.ndarray] = {}
    r_pelvis = rot_z(p.pelvis_yaw_deg) @ rot_x(p.pelvis_roll_deg)
    frames["pelvis"] = r_pelvis
    fwd = np.array([1.0, 0.0, 0.0])  # knees point along the travel direction, whatever the hips do
    for i, side in enumerate(SIDES):
        s = side_sign(side)
        hip = pts["pelvis"] + r_pelvis @ np.array([0.0, s * body.hip_width_m / 2, 0.0])
        fp = foot_points(p.foot(side), body)
        knee = two_link_ik(hip, fp["ankle"], body.thigh_m, body.shank_m, pole=fwd,
                           twist_deg=float(p.knee_valgus_deg[i]), twist_toward=np.array([0.0, -s, 0.0]))
        pts.update({f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": fp["ankle"],
                    f"{side}_heel": fp["heel"], f"{side}_foot_index": fp["toe"], f"{side}_ball": fp["ball"]})
        frames[f"{side}_foot"] = fp["rear_frame"]
        frames[f"{side}_toes"] = fp["toe_frame"]

    yaw = p.pelvis_yaw_deg + p.trunk_yaw_deg
    r_trunk = rot_z(yaw) @ rot_y(p.trunk_fwd_deg) @ rot_x(-p.trunk_side_deg)
    frames["trunk"] = r_trunk
    shoulder_mid = pts["pelvis"] + r_trunk @ np.array([0.0, 0.0, body.trunk_m])
    pts["neck"] = shoulder_mid
    for side in SIDES:
        pts[f"{side}_shoulder"] = shoulder_mid + r_trunk @ np.array(
            [0.0, side_sign(side) * body.m(body.shoulder_width) / 2, 0.0])

    # The head keeps the gaze roughly level: it follows only part of the trunk's lean.
    r_head = rot_z(yaw) @ rot_y(0.4 * p.trunk_fwd_deg + p.head_pitch_deg) @ rot_x(-0.5 * p.trunk_side_deg)
    frames["head"] = r_head
    pivot = shoulder_mid + r_trunk @ np.array([0.0, 0.0, body.m(FACE.neck_pivot)])
    head_up = body.m(body.head_centre_height - body.shoulder_height - FACE.neck_pivot)
    head = pivot + r_head @ np.array([0.0, 0.0, head_up])
    pts["head"] = head
    pts["nose"] = head + r_head @ (body.height_m * np.array(FACE.nose_tip))
    for side in SIDES:
        s = np.array([1.0, side_sign(side), 1.0])
        for name, off in (("eye_inner", FACE.eye_inner), ("eye", FACE.eye), ("eye_outer", FACE.eye_outer),
                          ("ear", FACE.ear)):
            pts[f"{side}_{name}"] = head + r_head @ (body.height_m * np.array(off) * s)
        pts[f"mouth_{side}"] = head + r_head @ (body.height_m * np.array(FACE.mouth) * s)

    for i, side in enumerate(SIDES):
        if arms == "sides":
            # Arms stay by the sides of the trunk, so a forward lean carries them back with it
            # (plumb-hanging arms would cover the front knee, and the pose model then loses that knee).
            flex = p.arm_flex_deg[i] - ARM_FOLLOWS_TRUNK * p.trunk_fwd_deg
            _add_arm(pts, frames, side, flex, p.elbow_flex_deg[i], yaw, p.trunk_side_deg, body)
        else:
            _place_arm(pts, frames, side, ARM_TARGETS[arms], r_trunk, body)
    return Pose(pts, frames)


@dataclass(frozen=True)
class ArmTarget:
    """A held arm position in the trunk frame (fractions of height from the pelvis centre)."""

    wrist: tuple[float, float, float]     # y is mirrored for the right arm
    hand_dir: tuple[float, float, float]  # fingers point this way
    thumb_dir: tuple[float, float, float]
    elbow_pole: tuple[float, float, float]


ARM_TARGETS: dict[str, ArmTarget] = {
    # hands on the iliac crests, fingers forward, elbows out and back
    "hips": ArmTarget((-0.02, 0.10, 0.075), (0.75, -0.25, -0.6), (-1.0, 0.0, 0.0), (-0.5, 1.0, 0.0)),
    # fists together in front of the sternum, elbows down
    "chest": ArmTarget((0.12, 0.025, 0.225), (0.3, -1.0, 0.2), (0.0, 0.0, 1.0), (0.0, 1.0, -1.0)),
}


def _hand_points(pts: dict[str, np.ndarray], side: Side, wrist: np.ndarray, r_hand: np.ndarray,
                 body: BodyProportions) -> None:
    """Hand landmarks from the wrist and a hand frame (-z along the fingers, +x toward the thumb)."""
    s = side_sign(side)
    hand = body.m(body.hand)
    pts[f"{side}_wrist"] = wrist
    pts[f"{side}_knuckles"] = wrist + r_hand @ np.array([0.0, 0.0, -0.5 * hand])
    pts[f"{side}_index"] = wrist + r_hand @ np.array([0.10 * hand, 0.0, -0.72 * hand])
    pts[f"{side}_pinky"] = wrist + r_hand @ np.array([-0.12 * hand, 0.0, -0.62 * hand])
    pts[f"{side}_thumb"] = wrist + r_hand @ np.array([0.25 * hand, -s * 0.05 * hand, -0.35 * hand])


def _place_arm(pts: dict[str, np.ndarray], frames: dict[str, np.ndarray], side: Side, target: ArmTarget,
               r_trunk: np.ndarray, body: BodyProportions) -> None:
    """Arm holding a position: wrist on the target by two-link IK, elbow toward the pole."""
    mirror = np.array([1.0, side_sign(side), 1.0])
    shoulder = pts[f"{side}_shoulder"]
    wrist_goal = pts["pelvis"] + r_trunk @ (np.array(target.wrist) * mirror * body.height_m)
    pole = r_trunk @ (np.array(target.elbow_pole) * mirror)
    ua, fa = body.m(body.upper_arm), body.m(body.forearm)
    elbow = two_link_ik(shoulder, wrist_goal, ua, fa, pole)
    wrist = elbow + fa * (wrist_goal - elbow) / np.linalg.norm(wrist_goal - elbow)
    fingers = r_trunk @ (np.array(target.hand_dir) * mirror)
    fingers /= np.linalg.norm(fingers)
    thumb = r_trunk @ (np.array(target.thumb_dir) * mirror)
    thumb = thumb - np.dot(thumb, fingers) * fingers
    thumb /= np.linalg.norm(thumb)
    r_hand = np.stack([thumb, np.cross(-fingers, thumb), -fingers], axis=1)
    pts[f"{side}_elbow"] = elbow
    _hand_points(pts, side, wrist, r_hand, body)
    frames[f"{side}_upper_arm"] = _frame_along(elbow - shoulder)
    frames[f"{side}_forearm"] = r_hand


def _frame_along(v: np.ndarray) -> np.ndarray:
    """Some frame whose -z is along v (for segments whose roll does not matter)."""
    z = -v / np.linalg.norm(v)
    ref = np.array([1.0, 0.0, 0.0]) if abs(z[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    x = np.cross(ref, z)
    x /= np.linalg.norm(x)
    return np.stack([x, np.cross(z, x), z], axis=1)


def _add_arm(pts: dict[str, np.ndarray], frames: dict[str, np.ndarray], side: Side, flex: float,
             elbow_flex: float, yaw: float, trunk_side: float, body: BodyProportions) -> None:
    """Arm hanging under gravity from the shoulder, slightly flexed; hand points for the landmarks."""
    s = side_sign(side)
    abd = s * FACE.arm_abduction_deg - 0.5 * trunk_side
    r_upper = rot_z(yaw) @ rot_y(-flex) @ rot_x(abd)
    r_fore = rot_z(yaw) @ rot_y(-(flex + elbow_flex)) @ rot_x(0.7 * abd)
    elbow = pts[f"{side}_shoulder"] + r_upper @ np.array([0.0, 0.0, -body.m(body.upper_arm)])
    wrist = elbow + r_fore @ np.array([0.0, 0.0, -body.m(body.forearm)])
    # Palm faces the thigh: thumb forward (+x of the forearm frame), pinky back.
    pts[f"{side}_elbow"] = elbow
    _hand_points(pts, side, wrist, r_fore, body)
    frames[f"{side}_upper_arm"] = r_upper
    frames[f"{side}_forearm"] = r_fore


# ---------------------------------------------------------------------------------------------
# Rep form, mistakes and tempo
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LungeForm:
    """Continuous targets for one rep. Defaults are clean form, far from every fault threshold."""

    stance_width_ratio: float = 1.1          # standing ankle separation / hip-joint width (clean 1.0-1.2)
    step_length_ratio: float = 0.97          # ankle-to-ankle along travel / leg length at the bottom
    front_knee_flexion_deg: float = 90.0     # target at the bottom (clean 85-100)
    front_shin_tilt_deg: float = 3.0         # forward tilt of the front shin from vertical
    trunk_lean_forward_deg: float = 4.0      # hip-mid -> shoulder-mid from vertical
    trunk_lean_side_deg: float = 0.0         # + toward the front-leg side
    pelvic_obliquity_deg: float = 0.0        # + = back-leg hip lower
    pelvis_rotation_deg: float = 0.0         # + = back-leg hip turned backward (hips open)
    knee_valgus_deg: float = 0.0             # front knee plane twisted toward the midline
    back_foot_cross_ratio: float | None = None  # back ankle past the front ankle's side / hip width
    back_heel_pitch_deg: float = 45.0        # rear-foot angle on the ball at the bottom
    back_heel_pitch_top_deg: float = 35.0    # ... at the top of the split stance


@dataclass(frozen=True)
class MistakeSpec:
    """How a fault changes the form: field -> value at size 1 (linear in size, 0 = clean)."""

    changes: dict[str, float]
    threshold: str                     # the fault rule, for documentation and reports


MISTAKES: dict[str, MistakeSpec] = {
    "stance_too_narrow": MistakeSpec({"stance_width_ratio": 0.35}, "stance < 0.5 hip widths"),
    # MediaPipe's hip landmarks sit ~1.3x wider than the joint centres, so the stance/crossing faults
    # are sized to stay past their thresholds when measured on the model's hips too.
    "stance_too_wide": MistakeSpec({"stance_width_ratio": 2.8}, "stance > 2.0 hip widths"),
    "step_too_short": MistakeSpec({"step_length_ratio": 0.45, "front_knee_flexion_deg": 85.0},
                                  "step < 0.55 leg lengths"),
    "step_too_long": MistakeSpec({"step_length_ratio": 1.5, "front_knee_flexion_deg": 78.0},
                                 "step > 1.35 leg lengths (the body stretches, knees stay short of 90)"),
    "step_crosses_midline": MistakeSpec({"back_foot_cross_ratio": 0.85},
                                        "back ankle > 0.3 hip widths past the front ankle's side"),
    "knee_past_toes": MistakeSpec({"front_shin_tilt_deg": 46.0, "front_knee_flexion_deg": 100.0,
                                   "step_length_ratio": 0.78},
                                  "front shin > 35 deg and knee > 0.15 shin lengths past the toes"),
    "knee_caving_in": MistakeSpec({"knee_valgus_deg": 20.0}, "frontal-plane projection angle > 15 deg"),
    "back_heel_down": MistakeSpec({"back_heel_pitch_deg": 5.0, "back_heel_pitch_top_deg": 5.0},
                                  "back heel raised < 0.05 leg lengths over its toe at the bottom"),
    "depth_short": MistakeSpec({"front_knee_flexion_deg": 50.0}, "front knee flexion < 65 deg"),
    "trunk_lean_forward": MistakeSpec({"trunk_lean_forward_deg": 40.0}, "trunk lean > 30 deg"),
    "trunk_lean_side": MistakeSpec({"trunk_lean_side_deg": 22.0}, "lateral trunk lean > 15 deg"),
    "hip_drop": MistakeSpec({"pelvic_obliquity_deg": 15.0}, "pelvic obliquity > 10 deg"),
    "hips_rotated": MistakeSpec({"pelvis_rotation_deg": 40.0}, "pelvis rotation > 25 deg"),
}


# Faults of where the feet go: a split squat never moves its feet, so it cannot show them.
FEET_MISTAKES = frozenset({"stance_too_narrow", "stance_too_wide", "step_too_short", "step_too_long",
                           "step_crosses_midline"})


# Where a large fault would pass what a body does: a heel lowered past flat would lift the toes.
FLOORS = {"back_heel_pitch_deg": 0.0, "back_heel_pitch_top_deg": 0.0}


def apply_mistakes(form: LungeForm, mistakes: dict[str, float]) -> LungeForm:
    """Form with each fault blended in: value = clean + size * (wrong - clean)."""
    out = form
    for code, size in mistakes.items():
        if code not in MISTAKES:
            raise ValueError(f"unknown mistake {code!r}; known: {sorted(MISTAKES)}")
        for name, target in MISTAKES[code].changes.items():
            clean = getattr(form, name)
            if clean is None:  # back foot straight back: its crossing ratio is -stance
                clean = -form.stance_width_ratio
            out = replace(out, **{name: max(clean + size * (target - clean), FLOORS.get(name, -np.inf))})
    return out


@dataclass(frozen=True)
class Tempo:
    """Phase durations of one rep in seconds (typical controlled lunge tempo from the brief)."""

    step_s: float = 0.6
    descend_s: float = 0.8
    bottom_s: float = 0.3
    ascend_s: float = 0.8
    return_s: float = 0.6
    stand_s: float = 0.7       # standing between reps of a set
    shuffle_s: float = 0.35    # moving one foot to change the stance width
    scale: float = 1.0         # multiplies every duration (tempo variation)

    def seconds(self, phase: str, rep_scale: float = 1.0) -> float:
        """Duration of a phase ("step", "descend", ...) after the clip and rep tempo scales."""
        return float(getattr(self, f"{phase}_s")) * self.scale * rep_scale


@dataclass(frozen=True)
class RepSpec:
    """One rep: which leg steps, the variant, faults (code -> size, 1 = clearly wrong)."""

    leg: Side = "left"
    variant: Variant = "reverse"
    mistakes: dict[str, float] = field(default_factory=dict)
    tempo_scale: float = 1.0                 # this rep's speed relative to the clip tempo
    cut_after_bottom_s: float | None = None  # end the clip this long after the bottom (incomplete rep)

    @property
    def front_leg(self) -> Side:
        return self.leg if self.variant == "forward" else other_side(self.leg)


@dataclass(frozen=True)
class SetSpec:
    """Reps performed without a break; ``rest_before_s`` is the pause before the set."""

    reps: tuple[RepSpec, ...]
    rest_before_s: float = 3.0


# ---------------------------------------------------------------------------------------------
# Keyframes
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Posture:
    """Constants of the standing and moving posture (typical values, not faults)."""

    stand_knee_flex_deg: float = 4.0       # soft knees when standing
    stand_pelvis_ahead_m: float = 0.02     # pelvis slightly ahead of the ankles (COM over mid-foot)
    toe_out_deg: float = 6.0               # natural foot progression angle
    top_reach: float = 0.985               # hip-ankle distance / leg length at the split-stance top
    max_reach: float = 0.995               # the IK never stretches a leg beyond this
    knee_floor_clear: float = 0.035        # back knee joint centre stays this high (fraction of H)
    swing_lift: float = 0.035              # swing-foot clearance (fraction of H)
    toe_off_pitch_deg: float = 20.0        # extra heel raise while the swing foot peels off
    top_fraction: float = 0.25             # share of bottom trunk/pelvis faults already present at the top
    stand_arm_flex_deg: float = 3.0        # arms by the sides when standing
    stand_elbow_flex_deg: float = 10.0
    # Arms at the bottom: measured on the pose model, plain hanging arms beat arms drifting forward or
    # back (those cover the front knee or the back thigh); hands on hips / at the chest beat both.
    bottom_arm_flex_deg: float = 10.0
    bottom_elbow_flex_deg: float = 10.0
    idle_sway_m: float = 0.004             # breathing/balance sway while standing
    # Limits of the bottom-pose search (what a body can do, not form targets):
    back_knee_max_flex_deg: float = 135.0  # heel meets the buttock beyond this
    back_thigh_max_fwd_deg: float = 40.0   # back knee cannot swing far ahead of the hip
    front_knee_above_hip: float = 0.5      # front knee at most this many thigh lengths above the hip
    knee_ahead_of_toes: float = 0.5        # front knee at most this many shin lengths past the toes
    # A back heel kept down (less raised than this) holds the back shin within the ankle's reach:
    # about 45 deg of tibial inclination at the weight-bearing limit (Bennell et al. 1998, the
    # weight-bearing lunge test). A raised heel turns the foot about its ball instead.
    flat_heel_pitch_deg: float = 20.0
    flat_foot_max_shin_deg: float = 45.0


POSTURE = Posture()


def standing_pose(left_y: float, right_y: float, body: BodyProportions, x: float = 0.0) -> PoseParams:
    """Standing with ankles at x and lateral positions left_y / right_y."""
    feet = {}
    for side, y in (("left", left_y), ("right", right_y)):
        yaw = side_sign(side) * POSTURE.toe_out_deg
        ankle = np.array([x, y, body.m(body.ankle_height)])
        feet[side] = FootState(ankle_to_ball(ankle, yaw, 0.0, body), yaw, 0.0)
    k = np.radians(POSTURE.stand_knee_flex_deg)
    d = np.sqrt(body.thigh_m**2 + body.shank_m**2 + 2 * body.thigh_m * body.shank_m * np.cos(k))
    lateral = max(abs(left_y - body.hip_width_m / 2 - (left_y + right_y) / 2),
                  abs(right_y + body.hip_width_m / 2 - (left_y + right_y) / 2))
    z = body.m(body.ankle_height) + np.sqrt(max(d**2 - lateral**2 - POSTURE.stand_pelvis_ahead_m**2, 0.01))
    pelvis = np.array([x + POSTURE.stand_pelvis_ahead_m, (left_y + right_y) / 2, z])
    return PoseParams(pelvis, feet["left"], feet["right"], trunk_fwd_deg=1.0)


def stance_pose(stance_ratio: float, body: BodyProportions, x: float = 0.0) -> PoseParams:
    half = stance_ratio * body.hip_width_m / 2
    return standing_pose(half, -half, body, x)


@dataclass(frozen=True)
class SplitStance:
    """Feet of a lunge: front ankle and back ball (fixed while the body goes up and down)."""

    front: Side
    front_foot: FootState
    back_ball: np.ndarray
    back_yaw_deg: float


def split_stance(form: LungeForm, front: Side, stand: PoseParams, variant: Variant,
                 body: BodyProportions) -> SplitStance:
    """Feet at the bottom: the stationary foot stays where it stood, the other moves along x."""
    back = other_side(front)
    sf = side_sign(front)
    step = form.step_length_ratio * body.leg_m
    front_yaw = stand.foot(front).yaw_deg
    back_yaw = stand.foot(back).yaw_deg
    front_ankle0 = foot_points(stand.foot(front), body)["ankle"]
    back_ankle0 = foot_points(stand.foot(back), body)["ankle"]
    back_y = back_ankle0[1]
    if form.back_foot_cross_ratio is not None:
        back_y = front_ankle0[1] + sf * form.back_foot_cross_ratio * body.hip_width_m
    if variant == "forward":
        # The back foot stays planted and only rotates about its ball.
        back_ball = stand.foot(back).ball.copy()
        back_ankle = foot_points(FootState(back_ball, back_yaw, form.back_heel_pitch_deg), body)["ankle"]
        front_ankle = np.array([back_ankle[0] + step, front_ankle0[1], front_ankle0[2]])
        front_foot = FootState(ankle_to_ball(front_ankle, front_yaw, 0.0, body), front_yaw, 0.0)
    else:
        front_foot = stand.foot(front)
        back_ankle = np.array([front_ankle0[0] - step, back_y, 0.0])
        probe = foot_points(FootState(np.zeros(3), back_yaw, form.back_heel_pitch_deg), body)["ankle"]
        back_ball = np.array([back_ankle[0] - probe[0], back_y - probe[1], 0.0])
    return SplitStance(front, front_foot, back_ball, back_yaw)


def _pelvis_rotation(form: LungeForm, front: Side, fraction: float = 1.0) -> tuple[float, float]:
    """(yaw, roll) of the pelvis that turns / drops the back-leg hip."""
    sf = side_sign(front)
    return -sf * form.pelvis_rotation_deg * fraction, sf * form.pelvic_obliquity_deg * fraction


def split_pose(form: LungeForm, feet: SplitStance, pelvis: np.ndarray, back_pitch: float,
               fraction: float) -> PoseParams:
    """Pose parameters on a split stance with ``fraction`` of the bottom's trunk/pelvis targets."""
    front, back = feet.front, other_side(feet.front)
    yaw, roll = _pelvis_rotation(form, front, fraction)
    valgus = np.zeros(2)
    valgus[SIDES.index(front)] = form.knee_valgus_deg * fraction
    sf = side_sign(front)
    arm = POSTURE.bottom_arm_flex_deg * fraction + POSTURE.stand_arm_flex_deg * (1 - fraction)
    elbow = POSTURE.bottom_elbow_flex_deg * fraction + POSTURE.stand_elbow_flex_deg * (1 - fraction)
    p = PoseParams(np.asarray(pelvis, float), feet.front_foot, feet.front_foot,
                   pelvis_yaw_deg=yaw, pelvis_roll_deg=roll,
                   trunk_fwd_deg=1.0 + (form.trunk_lean_forward_deg - 1.0) * fraction,
                   trunk_side_deg=sf * form.trunk_lean_side_deg * fraction,
                   trunk_yaw_deg=-yaw * 0.3,
                   knee_valgus_deg=valgus, arm_flex_deg=np.full(2, arm), elbow_flex_deg=np.full(2, elbow))
    return p.with_foot(back, FootState(feet.back_ball, feet.back_yaw_deg, back_pitch))


def _leg_chain(hip: np.ndarray, ankle: np.ndarray, body: BodyProportions) -> tuple[np.ndarray, np.ndarray]:
    knee = two_link_ik(hip, ankle, body.thigh_m, body.shank_m, pole=np.array([1.0, 0.0, 0.0]))
    return knee, np.linalg.norm(ankle - hip, axis=-1)


def solve_bottom(form: LungeForm, feet: SplitStance, body: BodyProportions) -> PoseParams:
    """Bottom pose: pelvis position whose front knee flexion and shin tilt best match the form.

    Constraints: both legs within reach, the back knee above the floor and not far ahead of the
    hip, the back knee not folded shut. When the targets are infeasible (a very long or short
    step) the nearest feasible pose wins, which is what a real body does: it cannot reach depth.
    """
    front, back = feet.front, other_side(feet.front)
    base = split_pose(form, feet, np.zeros(3), form.back_heel_pitch_deg, 1.0)
    r_pelvis = rot_z(base.pelvis_yaw_deg) @ rot_x(base.pelvis_roll_deg)
    off_front = r_pelvis @ np.array([0.0, side_sign(front) * body.hip_width_m / 2, 0.0])
    off_back = r_pelvis @ np.array([0.0, side_sign(back) * body.hip_width_m / 2, 0.0])
    a_front = foot_points(base.foot(front), body)["ankle"]
    a_back = foot_points(base.foot(back), body)["ankle"]
    toe_front = foot_points(base.foot(front), body)["toe"]
    y_mid = (a_front[1] + a_back[1]) / 2 if form.back_foot_cross_ratio is None else (
        a_front[1] - side_sign(front) * body.hip_width_m / 2)

    def evaluate(xs: np.ndarray, zs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        gx, gz = np.meshgrid(xs, zs, indexing="ij")
        pel = np.stack([gx, np.full_like(gx, y_mid), gz], axis=-1)
        hf, hb = pel + off_front, pel + off_back
        kf, df = _leg_chain(hf, a_front, body)
        kb, db = _leg_chain(hb, a_back, body)
        flex_f = flexion_deg(hf, kf, a_front)
        flex_b = flexion_deg(hb, kb, a_back)
        shin = kf - a_front
        tilt = np.degrees(np.arctan2(shin[..., 0], shin[..., 2]))
        thigh_b = kb - hb
        back_thigh_fwd = np.degrees(np.arctan2(thigh_b[..., 0], -thigh_b[..., 2]))
        shin_b = kb - a_back
        ankle_ok = (form.back_heel_pitch_deg >= POSTURE.flat_heel_pitch_deg) | (
            np.degrees(np.arctan2(np.hypot(shin_b[..., 0], shin_b[..., 1]), shin_b[..., 2]))
            <= POSTURE.flat_foot_max_shin_deg)
        reach = POSTURE.max_reach * body.leg_m
        ok = ((df <= reach) & (db <= reach) & (kb[..., 2] >= body.m(POSTURE.knee_floor_clear))
              & (flex_b <= POSTURE.back_knee_max_flex_deg)
              & (back_thigh_fwd <= POSTURE.back_thigh_max_fwd_deg)
              & (hf[..., 2] > kf[..., 2] - POSTURE.front_knee_above_hip * body.thigh_m)
              & (kf[..., 0] - toe_front[0] < POSTURE.knee_ahead_of_toes * body.shank_m) & ankle_ok)
        cost = (flex_f - form.front_knee_flexion_deg) ** 2 + (tilt - form.front_shin_tilt_deg) ** 2
        cost = np.where(ok, cost, np.inf)
        return pel, cost, ok

    # Pelvis search grid (~1 cm), then a 1 mm refinement around the best cell.
    xs = np.linspace(a_front[0] - body.leg_m * 1.2, a_front[0] + body.leg_m * 0.3, 181)
    zs = np.linspace(body.m(0.12), body.m(body.hip_height), 121)
    pel, cost, ok = evaluate(xs, zs)
    if not ok.any():
        raise ValueError(f"no feasible bottom pose for {form}")
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    dx, dz = xs[1] - xs[0], zs[1] - zs[0]
    pel, cost, _ = evaluate(np.linspace(xs[i] - dx, xs[i] + dx, 41), np.linspace(zs[j] - dz, zs[j] + dz, 41))
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    return replace(base, pelvis=pel[i, j])


def split_top(form: LungeForm, feet: SplitStance, bottom: PoseParams, body: BodyProportions) -> PoseParams:
    """Top of the split stance: pelvis straight above the bottom position, legs nearly straight."""
    top = split_pose(form, feet, bottom.pelvis, form.back_heel_pitch_top_deg, POSTURE.top_fraction)
    lo, hi = bottom.pelvis[2], body.m(body.hip_height) + 0.1
    for _ in range(40):  # bisection on pelvis height against the tighter leg's reach
        mid = (lo + hi) / 2
        pose = build_pose(replace(top, pelvis=np.array([*bottom.pelvis[:2], mid])), body)
        reach = max(np.linalg.norm(pose.points[f"{s}_ankle"] - pose.points[f"{s}_hip"]) for s in SIDES)
        lo, hi = (mid, hi) if reach < POSTURE.top_reach * body.leg_m else (lo, mid)
    return replace(top, pelvis=np.array([*bottom.pelvis[:2], lo]))


# ---------------------------------------------------------------------------------------------
# Ground-truth metrics of a pose
# ---------------------------------------------------------------------------------------------

def lunge_metrics(pose: Pose, front: Side, body: BodyProportions) -> dict[str, float]:
    """True 3-D values of every checked quantity for a pose (front = the front leg's side)."""
    p = pose.points
    back = other_side(front)
    sf = side_sign(front)
    hf, kf, af, tf = (p[f"{front}_{n}"] for n in ("hip", "knee", "ankle", "foot_index"))
    hb, kb, ab = (p[f"{back}_{n}"] for n in ("hip", "knee", "ankle"))
    hip_mid = (hf + hb) / 2
    sh_mid = (p["left_shoulder"] + p["right_shoulder"]) / 2
    trunk = sh_mid - hip_mid
    shin = kf - af
    foot_dir = (tf - af) * np.array([1.0, 1.0, 0.0])
    foot_dir /= np.linalg.norm(foot_dir)
    hip_line = p["left_hip"] - p["right_hip"]
    width = np.linalg.norm(hip_line)
    # Frontal plane (y, z): the front knee's deviation from the hip-ankle line, + = medial (valgus).
    th = (kf - hf)[[1, 2]]
    sh = (af - kf)[[1, 2]]
    line = (af - hf)[[1, 2]]
    rel = (kf - hf)[[1, 2]]
    medial = -sf * (rel[0] - line[0] * rel[1] / line[1]) if abs(line[1]) > 1e-9 else 0.0
    # Angle between the thigh and shank LINES (0-90): the thigh's frontal projection is short and can
    # point up at the bottom of a lunge, so the vector angle would jump to 180.
    between = float(angle_between(th, sh))
    fppa = min(between, 180.0 - between) * (1.0 if medial >= 0 else -1.0)
    return {
        "front_knee_flexion_deg": float(flexion_deg(hf, kf, af)),
        "back_knee_flexion_deg": float(flexion_deg(hb, kb, ab)),
        "front_shin_tilt_deg": float(np.degrees(np.arctan2(shin[0], shin[2]))),
        "knee_past_toes_ratio": float(np.dot(kf - tf, foot_dir) / body.shank_m),
        "trunk_lean_forward_deg": float(np.degrees(np.arctan2(trunk[0], trunk[2]))),
        "trunk_lean_side_deg": float(abs(np.degrees(np.arctan2(trunk[1], trunk[2])))),
        "pelvic_obliquity_deg": float(abs(np.degrees(np.arcsin(hip_line[2] / width)))),
        "hip_rotation_deg": float(abs(np.degrees(np.arctan2(hip_line[0], hip_line[1])))),
        "step_length_ratio": float((af[0] - ab[0]) / body.leg_m),
        "back_foot_cross_ratio": float((ab[1] - af[1]) * sf / width),
        # the back ankle past the pelvis midline toward the front-leg side (what the front-view check reads)
        "back_foot_across_midline_ratio": float((ab[1] - hip_mid[1]) * sf / width),
        "knee_valgus_fppa_deg": fppa,
        "knee_medial_offset_ratio": float(medial / body.shank_m),
        "back_heel_height_m": float(p[f"{back}_heel"][2]),
        "back_heel_lift_ratio": float((p[f"{back}_heel"][2] - p[f"{back}_foot_index"][2]) / body.leg_m),
        "back_knee_height_m": float(kb[2]),
        "hip_height_m": float(hip_mid[2]),
    }


def stance_width_ratio(pose: Pose) -> float:
    """Standing lateral ankle separation / hip-joint width."""
    p = pose.points
    width = np.linalg.norm(p["left_hip"] - p["right_hip"])
    return float(abs(p["left_ankle"][1] - p["right_ankle"][1]) / width)


# ---------------------------------------------------------------------------------------------
# Timeline: sets of reps -> segments -> per-frame poses
# ---------------------------------------------------------------------------------------------

PHASES: tuple[str, ...] = ("stand", "shuffle", "step", "descend", "bottom", "ascend", "return",
                           "step_in", "step_out")


@dataclass(frozen=True)
class Segment:
    """A stretch of time interpolating pose ``a`` -> ``b`` (minimum jerk), maybe swinging a foot."""

    t0: float
    t1: float
    a: PoseParams
    b: PoseParams
    phase: str
    rep: int = 0                 # 1-based rep index, 0 between reps
    swing: Side | None = None    # foot that lifts and travels during this segment
    lift_m: float = 0.0
    sway_m: float = 0.0          # idle sway amplitude (standing holds only)

    def at(self, t: float) -> PoseParams:
        tau = 1.0 if self.t1 <= self.t0 else (t - self.t0) / (self.t1 - self.t0)
        p = lerp_params(self.a, self.b, float(minimum_jerk(tau)))
        bump = float(np.sin(np.pi * np.clip(tau, 0.0, 1.0)))
        if self.swing is not None:
            f = p.foot(self.swing)
            lifted = FootState(f.ball + np.array([0.0, 0.0, self.lift_m * bump]), f.yaw_deg,
                               f.pitch_deg + POSTURE.toe_off_pitch_deg * bump)
            p = p.with_foot(self.swing, lifted)
        if self.sway_m:
            wave = np.array([np.sin(2 * np.pi * 0.23 * t), 0.5 * np.sin(2 * np.pi * 0.31 * t + 1), 0.0])
            sway = self.sway_m * bump * wave
            p = replace(p, pelvis=p.pelvis + sway)
        return p


@dataclass(frozen=True)
class RepEvent:
    """What happened in one rep, in plan time (seconds, not yet rounded to frames)."""

    index: int
    set_index: int
    spec: RepSpec
    form: LungeForm
    start_t: float
    bottom_t: float
    end_t: float
    complete: bool = True

    @property
    def front_leg(self) -> Side:
        return self.spec.front_leg


@dataclass(frozen=True)
class Timeline:
    segments: tuple[Segment, ...]
    events: tuple[RepEvent, ...]
    duration_s: float

    def params_at(self, t: float) -> PoseParams:
        starts = np.array([s.t0 for s in self.segments])
        i = int(np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(self.segments) - 1))
        return self.segments[i].at(t)

    def segment_at(self, t: float) -> Segment:
        starts = np.array([s.t0 for s in self.segments])
        return self.segments[int(np.clip(np.searchsorted(starts, t, side="right") - 1, 0,
                                         len(self.segments) - 1))]


class _Planner:
    """Appends segments while tracking the current pose and whether the feet are split."""

    def __init__(self, body: BodyProportions, tempo: Tempo) -> None:
        self.body, self.tempo = body, tempo
        self.t = 0.0
        self.segments: list[Segment] = []
        self.pose: PoseParams | None = None
        self.split: tuple[Side, SplitStance, PoseParams] | None = None  # (stepping leg, feet, stand pose)

    def move(self, target: PoseParams, dur: float, phase: str, rep: int = 0, swing: Side | None = None,
             sway: bool = False) -> None:
        lift = self.body.m(POSTURE.swing_lift) if swing else 0.0
        self.segments.append(Segment(self.t, self.t + dur, self.pose, target, phase, rep, swing, lift,
                                     POSTURE.idle_sway_m if sway else 0.0))
        self.t += dur
        self.pose = target

    def hold(self, dur: float, phase: str, rep: int = 0, sway: bool = True) -> None:
        if dur > 0:
            self.move(self.pose, dur, phase, rep, sway=sway)

    def shuffle_to(self, stance_ratio: float) -> None:
        """Change the stance width one foot at a time."""
        half = stance_ratio * self.body.hip_width_m / 2
        cur = {s: foot_points(self.pose.foot(s), self.body)["ankle"][1] for s in SIDES}
        if abs(cur["left"] - half) < 1e-6 and abs(cur["right"] + half) < 1e-6:
            return
        mid = standing_pose(half, cur["right"], self.body)
        self.move(mid, self.tempo.seconds("shuffle"), "shuffle", swing="left")
        final = stance_pose(stance_ratio, self.body)
        self.move(final, self.tempo.seconds("shuffle"), "shuffle", swing="right")

    def step_out(self) -> None:
        if self.split is not None:
            leg, _, stand = self.split
            self.move(stand, self.tempo.seconds("return") * 1.3, "step_out", swing=leg)
            self.split = None

    def step_in(self, rep: RepSpec, form: LungeForm) -> None:
        stand = self.pose
        feet = split_stance(form, rep.front_leg, stand, "reverse", self.body)
        bottom = solve_bottom(form, feet, self.body)
        top = split_top(form, feet, bottom, self.body)
        self.move(top, self.tempo.seconds("step") * 1.3, "step_in", swing=rep.leg)
        self.split = (rep.leg, feet, stand)


def plan_reps(sets: tuple[SetSpec, ...], body: BodyProportions, tempo: Tempo, lead_in_s: float = 1.0,
              tail_s: float = 1.0, base_form: LungeForm = LungeForm()) -> Timeline:
    """Lay out every set and rep in time. A rep with ``cut_after_bottom_s`` ends the clip."""
    pl = _Planner(body, tempo)
    events: list[RepEvent] = []
    first_form = apply_mistakes(base_form, sets[0].reps[0].mistakes)
    pl.pose = stance_pose(first_form.stance_width_ratio, body)
    for rep in (r for st in sets for r in st.reps):
        feet = sorted(FEET_MISTAKES & set(rep.mistakes))
        if rep.variant == "split_squat" and feet:
            raise ValueError(f"a split squat keeps its feet still, so it cannot show {feet}")
    index = 0
    for si, set_spec in enumerate(sets):
        for ri, rep in enumerate(set_spec.reps):
            index += 1
            form = apply_mistakes(base_form, rep.mistakes)
            gap = (lead_in_s if si == 0 else set_spec.rest_before_s) if ri == 0 else tempo.seconds("stand")
            t_gap = pl.t
            split_ok = rep.variant == "split_squat" and pl.split is not None and pl.split[0] == rep.leg
            if not split_ok:
                pl.step_out()
                pl.shuffle_to(form.stance_width_ratio)
            if rep.variant == "split_squat" and not split_ok:
                pl.hold(gap - (pl.t - t_gap) - tempo.seconds("step") * 1.3 - 0.4, "stand")
                pl.step_in(rep, form)
                pl.hold(0.4, "stand", sway=False)
            else:
                pl.hold(gap - (pl.t - t_gap), "stand", sway=rep.variant != "split_squat")
            event = _perform(pl, rep, form, index, si + 1)
            if rep.cut_after_bottom_s is not None:
                end = event.bottom_t + rep.cut_after_bottom_s
                events.append(replace(event, end_t=end, complete=False))
                return Timeline(tuple(pl.segments), tuple(events), end)
            events.append(event)
    pl.step_out()
    pl.hold(tail_s, "stand")
    return Timeline(tuple(pl.segments), tuple(events), pl.t)


def _perform(pl: _Planner, rep: RepSpec, form: LungeForm, index: int, set_index: int) -> RepEvent:
    """Append the phases of one rep and return its event times."""
    body, tempo, k = pl.body, pl.tempo, rep.tempo_scale
    if rep.variant == "split_squat":
        _, feet, _ = pl.split
        top = pl.pose
    else:
        feet = split_stance(form, rep.front_leg, pl.pose, rep.variant, body)
        stand = pl.pose
    bottom = solve_bottom(form, feet, body)
    if rep.variant != "split_squat":
        top = split_top(form, feet, bottom, body)
    start = pl.t
    if rep.variant != "split_squat":
        pl.move(top, tempo.seconds("step", k), "step", index, swing=rep.leg)
    pl.move(bottom, tempo.seconds("descend", k), "descend", index)
    bottom_t = pl.t + tempo.seconds("bottom", k) / 2
    pl.hold(tempo.seconds("bottom", k), "bottom", index, sway=False)
    pl.move(top, tempo.seconds("ascend", k), "ascend", index)
    if rep.variant != "split_squat":
        pl.move(stand, tempo.seconds("return", k), "return", index, swing=rep.leg)
    return RepEvent(index, set_index, rep, form, start, bottom_t, pl.t)


@dataclass(frozen=True)
class Motion:
    """Per-frame skeleton sampled from a timeline at a fixed frame rate."""

    t: np.ndarray                 # (T,) seconds = frame index / fps
    poses: tuple[Pose, ...]
    rep_index: np.ndarray         # (T,) 1-based rep in progress, 0 between reps
    phase: np.ndarray             # (T,) index into PHASES
    timeline: Timeline

    def landmarks_m(self) -> np.ndarray:
        """(T, 33, 3) world metres in MediaPipe order."""
        return np.stack([p.landmarks() for p in self.poses])

    def knee_flexion_deg(self, side: Side) -> np.ndarray:
        return np.array([float(flexion_deg(p.points[f"{side}_hip"], p.points[f"{side}_knee"],
                                           p.points[f"{side}_ankle"])) for p in self.poses])


def sample_motion(timeline: Timeline, fps: float, body: BodyProportions, arms: ArmStyle = "sides") -> Motion:
    """Evaluate the timeline at t = i / fps for every frame up to its end."""
    n = int(np.floor(timeline.duration_s * fps + 1e-6)) + 1
    t = np.arange(n) / fps
    segs = [timeline.segment_at(ti) for ti in t]
    poses = tuple(build_pose(s.at(ti), body, arms) for s, ti in zip(segs, t, strict=True))
    return Motion(t, poses, np.array([s.rep for s in segs]), np.array([PHASES.index(s.phase) for s in segs]),
                  timeline)

