"""Reverse lunge: the article's three mistake families as checks, and the per-rep values.

Form (source article): start standing, feet hip-width apart; step back and land on the ball of
the back foot; lower until both knees are at about 90 degrees; trunk upright, hips facing
forward; push off the back foot to return. Every value is a median over a short window at the
moment it describes (the rep's start or bottom), so one noisy frame cannot raise a finding.
"""

from __future__ import annotations

import numpy as np

from .. import geometry as g
from ..checks import Check, Precondition
from ..knee_readings import back_knee_deg, front_knee_deg
from ..metrics import FrameMetrics
from ..profile import Profile
from ..reps import Rep, level_run, segment_reps
from ..series import Landmark
from .base import Assessment, Counted, ExerciseInputs, judge_reps

NAME = "reverse-lunge"
UNIT = "set"  # the live counter shows reps per leg and the set
SIDE_ONLY, FRONT_ONLY = ("side",), ("front",)
SIDE_OR_OBLIQUE, FRONT_OR_OBLIQUE = ("side", "oblique"), ("front", "oblique")
ANY_VIEW = ("side", "oblique", "front")

CHECKS: tuple[Check, ...] = (
    # foot placement
    Check("stepped_forward", "foot_placement", "stepped_forward", "is", "", ANY_VIEW, side_from="leg",
          classified="the stepping foot went forward: this rep was a forward lunge"),
    Check("stance_too_narrow", "foot_placement", "stance_width_ratio", "below",
          "checks.stance.too_narrow_ratio", FRONT_ONLY, at="start", side_from="none"),
    Check("stance_too_wide", "foot_placement", "stance_width_ratio", "above",
          "checks.stance.too_wide_ratio", FRONT_ONLY, at="start", side_from="none"),
    Check("step_too_short", "foot_placement", "step_length_ratio", "below",
          "checks.step.too_short_ratio", SIDE_ONLY, side_from="leg"),
    Check("step_too_long", "foot_placement", "step_length_ratio", "above",
          "checks.step.too_long_ratio", SIDE_ONLY, side_from="leg"),
    Check("step_crosses_midline", "foot_placement", "back_foot_across_midline_ratio", "above",
          "checks.step.crosses_midline_ratio", FRONT_ONLY, side_from="back_leg"),
    Check("back_heel_down", "foot_placement", "back_heel_lift_ratio", "below",
          "checks.foot.back_heel_min_lift_ratio", SIDE_OR_OBLIQUE, side_from="back_leg",
          requires=Precondition("step_length_ratio", "below", "checks.step.too_long_ratio",
                                "the step was too long to read the back foot: MediaPipe misplaced the back foot "
                                "of every overlong step on the rendered benchmark")),
    # knee placement
    Check("knee_past_toes", "knee_placement", "front_knee_past_toe_ratio", "above",
          "checks.knee.past_toes_ratio", SIDE_ONLY),
    Check("knee_caving_in", "knee_placement", "front_knee_valgus_deg", "above",
          "checks.knee.valgus_deg", FRONT_ONLY),
    Check("depth_short", "knee_placement", "front_knee_flexion_deg", "below",
          "checks.knee.depth_front_min_flexion_deg", SIDE_OR_OBLIQUE),
    Check("depth_short", "knee_placement", "back_knee_flexion_deg", "below",
          "checks.knee.depth_back_min_flexion_deg", SIDE_OR_OBLIQUE, side_from="back_leg"),
    # posture
    Check("trunk_lean_forward", "posture", "trunk_lean_forward_deg", "above",
          "checks.posture.trunk_forward_deg", SIDE_ONLY, side_from="none"),
    Check("trunk_lean_side", "posture", "trunk_lean_side_abs_deg", "above",
          "checks.posture.trunk_side_deg", FRONT_ONLY, side_from="lean_side"),
    Check("hip_drop", "posture", "pelvis_tilt_abs_deg", "above",
          "checks.posture.hip_drop_deg", FRONT_ONLY, side_from="dropped_hip",
          unavailable="MediaPipe's hip landmarks barely follow pelvic tilt (a true 15 deg drop reads as "
                      "about 7 deg, as much as leaning sideways does), so a hip drop cannot be told apart"),
    Check("hips_rotated", "posture", "pelvis_rotation_abs_deg", "above",
          "checks.posture.hip_rotation_deg", ("oblique",), side_from="none",
          unavailable="MediaPipe's hip depth is too rough to see the pelvis turn: on the accuracy benchmark "
                      "it read rotation with a 10 deg median error against a 20 deg threshold (F1 0.13)"),
)


def _window(t: np.ndarray, center: int, half_s: float, lo: int, hi: int) -> slice:
    a, b = center, center
    while a > lo and t[center] - t[a - 1] <= half_s:
        a -= 1
    while b < hi and t[b + 1] - t[center] <= half_s:
        b += 1
    return slice(a, b + 1)


def _agreed(window: slice, runs_disagree: np.ndarray | None) -> np.ndarray:
    """The frames of ``window`` where the main and the mirrored pose runs agree on the legs
    (``identity.runs_disagree``): where they part, one of them lost a leg, and such frames can
    carry a bottom's median. All of them if none agree: there is nothing better to go on."""
    frames = np.arange(window.start, window.stop)
    if runs_disagree is None:
        return frames
    agreed = frames[~runs_disagree[frames]]
    return agreed if len(agreed) else frames


def rep_values(rep: Rep, metrics: FrameMetrics, pixels: np.ndarray, profile: Profile) -> dict[str, float]:
    """The numbers a rep is judged on. Front/back legs are taken per frame by ankle position
    (obliquely, the rep's)."""
    t = metrics.t
    half = profile["reps.bottom_window_s"] / 2.0
    window = _window(t, rep.bottom_frame, half, rep.start_frame, rep.end_frame)
    bottom = _agreed(window, metrics.runs_disagree)
    # obliquely the rep's legs are read against its stand (``reps._order_since``), which the
    # per-frame order cannot know; elsewhere each frame's own order outlasts a swapped frame
    left_front = (np.full(len(bottom), rep.front_leg == "left") if rep.view == "oblique"
                  else metrics.feet.left_leg_behind[bottom] == 0)

    def front_back(left: np.ndarray, right: np.ndarray) -> tuple[float, float]:
        lv, rv = left[bottom], right[bottom]
        return g.nan_median(np.where(left_front, lv, rv)), g.nan_median(np.where(left_front, rv, lv))

    def front_back_in(per_side: dict[str, np.ndarray]) -> tuple[float, float]:
        return front_back(per_side["left"], per_side["right"])

    def front_back_of(name: str) -> tuple[float, float]:
        return front_back_in({s: metrics[f"{s}_{name}"] for s in ("left", "right")})

    front_knee, back_knee = front_back_of("knee_flexion_deg")
    readings = metrics.knee_readings
    front_knee = front_knee_deg(front_knee, lambda reading: front_back_in(reading)[0], readings, profile)
    if rep.view == metrics.clip_view == "side":
        back_knee = back_knee_deg(back_knee, front_back_in(readings.mirrored)[1])
    tilt = g.nan_median(metrics["pelvis_tilt_deg"][bottom])
    side_lean = g.nan_median(metrics["trunk_lean_side_deg"][bottom])
    values = {
        "front_knee_flexion_deg": front_knee,
        "back_knee_flexion_deg": back_knee,
        "front_hip_flexion_deg": front_back_of("hip_flexion_deg")[0],
        "front_knee_past_toe_ratio": front_back_of("knee_past_toe_ratio")[0],
        "back_heel_lift_ratio": front_back_of("heel_lift_ratio")[1],
        "front_knee_valgus_deg": front_back_of("knee_valgus_deg")[0],
        "trunk_lean_forward_deg": g.nan_median(metrics["trunk_lean_forward_deg"][bottom]),
        "trunk_lean_side_deg": side_lean,
        "trunk_lean_side_abs_deg": abs(side_lean),
        "pelvis_tilt_deg": tilt,
        "pelvis_tilt_abs_deg": abs(tilt),
        "pelvis_rotation_abs_deg": abs(g.nan_median(metrics["pelvis_rotation_deg"][bottom])),
        "step_length_ratio": _step_length(rep, metrics, window, profile),
        "stance_width_ratio": g.nan_median(metrics["stance_width_ratio"][_stance_frames(rep, metrics, profile)]),
        "back_foot_across_midline_ratio": g.nan_median(np.where(_back_foot_known(metrics, window, profile),
                                                           _across_midline(pixels, rep.start_frame, window,
                                                                           rep.variant == "forward",
                                                                           profile["checks.step.lane_hip_widths"]),
                                                           np.nan)),
        "hip_height_ratio": g.nan_median(metrics["hip_height_ratio"][bottom]),
        "stepped_forward": float(rep.variant == "forward"),  # the rep stage's decision (``reps.legs``)
    }
    return {k: round(v, 3) if not np.isnan(v) else float("nan") for k, v in values.items()}


def _before_start(rep: Rep, metrics: FrameMetrics, profile: Profile) -> int:
    """The first frame of the ``bottom_window_s`` before the rep's start: the stance it left."""
    return int(np.searchsorted(metrics.t, metrics.t[rep.start_frame] - profile["reps.bottom_window_s"]))


def _step_length(rep: Rep, metrics: FrameMetrics, bottom: slice, profile: Profile) -> float:
    """Leg lengths along travel between the feet at the bottom.

    For a step from standing, the change of the feet's along-travel offset since the stance
    before the step (the last ``bottom_window_s`` of the feet seen level before the bottom, which
    a start placed in the previous rep's return cannot shift): away from a pure side view the stance width
    projects onto the travel axis and adds to or cancels a share of the step (0.1 leg lengths
    at 65 deg). With no stance seen (feet out of view before the step), the split itself. A
    split squat has no stance before it and its feet never move: its split is the median over
    the whole rep, which outvotes a bottom where the far foot was lost."""
    split = metrics["step_length_ratio"]
    if rep.variant == "split_squat":
        return g.nan_median(split[rep.start_frame:rep.end_frame + 1])
    if not rep.complete:
        return g.nan_median(split[bottom])
    signed = metrics.feet.forward_position["left"] - metrics.feet.forward_position["right"]
    stance = level_run(metrics, metrics.feet.feet_split, np.arange(bottom.start, bottom.stop), rep.start_frame, profile)
    window = g.frames_for(profile["reps.bottom_window_s"], metrics.t)
    stance = stance[-window:] if len(stance) else np.arange(_before_start(rep, metrics, profile), rep.start_frame + 1)
    base = g.nan_median(signed[stance])
    rep_frames = slice(rep.start_frame, rep.end_frame + 1)
    change = split[rep_frames] if np.isnan(base) else np.abs(signed[rep_frames] - base)
    if np.isnan(change).all():
        return g.nan_median(split[bottom])
    # the feet stay planted from landing to push-off: the step is read over that whole plateau,
    # as frames at the bottom can lose the far foot (which only ever shortens it); its upper
    # quartile, as the back ankle drifts back a little while the back knee drops
    with np.errstate(invalid="ignore"):
        plateau = change[change >= profile["checks.step.plateau_share"] * np.nanmax(change)]
    return float(np.percentile(plateau, profile["checks.step.plateau_percentile"]))


def _stance_frames(rep: Rep, metrics: FrameMetrics, profile: Profile) -> np.ndarray:
    """The frames showing the stance the rep started from: the last ``bottom_window_s`` with the
    feet level (not yet split) before the step, looking from ``bottom_window_s`` before the rep's
    start up to the first split frame after it. A shuffle of the feet after the start would
    otherwise be measured instead of the stance it ended in; frames near the bottom can read
    level when MediaPipe merges the feet. Empty if the feet were never level: the far foot of a
    split stance looks closer to the midline by perspective, so its width would read narrow."""
    t = metrics.t
    span = np.arange(_before_start(rep, metrics, profile), rep.bottom_frame + 1)
    with np.errstate(invalid="ignore"):
        is_level = metrics.feet.feet_split[span] < profile["reps.min_front_split_ratio"]
    split_after_start = np.flatnonzero(~is_level & (span >= rep.start_frame))
    if len(split_after_start):
        span, is_level = span[:split_after_start[0]], is_level[:split_after_start[0]]
    level = span[is_level]
    if not len(level):
        return level  # never side by side (a split squat from its split stance): not measurable
    return level[t[level] >= t[level[-1]] - profile["reps.bottom_window_s"]]


def _back_foot_known(metrics: FrameMetrics, window: slice, profile: Profile) -> np.ndarray:
    """The frames of ``window`` seen from the front whose back foot is known: the toes' height gap
    (``metrics.feet_split``) at least ``reps.min_front_split_ratio``, the split a front view needs
    to call a dip a lunge. With the feet level in the image, which one is behind is a coin's toss:
    MediaPipe puts a back foot hidden behind the front leg onto the front one (dev seed 4040: both
    ankles at one height, the 'back' one read 0.8 hip widths across the midline)."""
    with np.errstate(invalid="ignore"):
        split = metrics.feet.feet_split[window] >= profile["reps.min_front_split_ratio"]
    return (metrics.view[window] == "front") & split


def _across_midline(pixels: np.ndarray, start: int, window: slice, forward: bool, lane_hip_widths: float) -> np.ndarray:
    """How far the back ankle sits past the body's midline, in hip widths (front view).

    0 = on the midline, negative = in its own lane (a hip-width stance is about -0.5), positive =
    crossed over. Label-free, because crossed feet are exactly where MediaPipe's left/right
    labels go wrong: the back ankle is the higher one in the image (further away), its own side
    is where it stood at the start: the start ankle the planted foot did not take when the
    back foot stepped (a reverse lunge: the front foot is planted), the one it took itself when
    the front foot stepped (``forward``: the back foot is planted). That needs the start's ankles
    ``lane_hip_widths`` apart or more: from the front MediaPipe can put the ankles of feet
    standing a hip width apart nearly on one spot (dev seeds 4025, 4083, 4115: clean reps read
    0.4-0.7 across). Short of that, the own side is the other side of the midline from the front
    foot in the same frame, where the front foot stands that far from the midline (at a deep
    bottom the hips can move over it); else unknown (NaN). ``pixels`` has hidden landmarks NaN
    (``PoseSeries.seen_pixels``): a frame missing either ankle cannot say which one is behind,
    and gives NaN.
    """
    la, ra = pixels[:, Landmark.LEFT_ANKLE], pixels[:, Landmark.RIGHT_ANKLE]
    lh, rh = pixels[:, Landmark.LEFT_HIP], pixels[:, Landmark.RIGHT_HIP]
    mid = (lh + rh) / 2.0
    hip_w = np.linalg.norm(lh - rh, axis=-1)
    hip_w[hip_w == 0] = np.nan  # hip points on one spot: no width to measure in (never an infinite ratio)
    with np.errstate(invalid="ignore", divide="ignore"):
        left_is_back = la[window, 1] < ra[window, 1]
        back = np.where(left_is_back[:, None], la[window], ra[window])
        front = np.where(left_is_back[:, None], ra[window], la[window])
        feet0 = np.stack([la[start], ra[start]])  # (2, 2): where the feet stood at the start
        planted = back if forward else front
        planted_took_left = np.linalg.norm(planted - feet0[0], axis=-1) <= np.linalg.norm(planted - feet0[1], axis=-1)
        back_took_left = planted_took_left == forward
        back_start = np.where(back_took_left[:, None], feet0[0], feet0[1])
        from_start = np.sign(back_start[:, 0] - mid[start, 0])
        front_off = (front[:, 0] - mid[window, 0]) / hip_w[window]
        from_front = np.where(np.abs(front_off) >= lane_hip_widths, -np.sign(front_off), np.nan)
        start_apart = abs(feet0[0, 0] - feet0[1, 0]) / hip_w[start] >= lane_hip_widths
        own_side = from_start if start_apart else from_front
        across = -(back[:, 0] - mid[window, 0]) * own_side / hip_w[window]
    return np.where(np.isnan(la[window, 1]) | np.isnan(ra[window, 1]), np.nan, across)


def sides_for(rep: Rep, values: dict[str, float]) -> dict[str, str]:
    """Which leg each kind of finding is about."""
    back = rep.leg if rep.variant != "forward" else rep.front_leg
    tilt = values.get("pelvis_tilt_deg", float("nan"))
    lean = values.get("trunk_lean_side_deg", float("nan"))
    return {
        "front_leg": rep.front_leg, "back_leg": back, "leg": rep.leg, "none": "none",
        # + tilt means the left hip is higher, so the right one dropped; + lean is toward the left
        "dropped_hip": "right" if tilt > 0 else "left" if tilt < 0 else "none",
        "lean_side": "left" if lean > 0 else "right" if lean < 0 else "none",
    }


def assess(inputs: ExerciseInputs, profile: Profile) -> Assessment:
    """Reps (``reps.segment_reps``), each judged on the checks above."""
    reps, phase, dips = segment_reps(inputs.metrics, profile)
    results = judge_reps(reps, phase, CHECKS, rep_values, sides_for, inputs, profile)
    return Assessment(phase, results, dips, counted=[Counted(r.end_frame, r.leg) for r in reps if r.complete])
