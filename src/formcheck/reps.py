"""Rep segmentation: hip height with hysteresis, leg and variant from foot positions.

A rep starts when the hip dips below ``descend_ratio`` of its standing height and ends when the
person is back in the position they started from: hip above ``stand_ratio`` and the feet where
they were (together after a reverse lunge, still split in a split squat), held for
``stand_hold_s`` or to the end of the clip. The gap between the two hip thresholds (hysteresis)
and the hold mean that jitter near a threshold never starts or ends a rep twice.

Which leg stepped, and whether it stepped back or forward, is read from the ankles' positions
along the direction of travel. Ankles are taken by position (front-most, back-most) first and by
MediaPipe's left/right label only through a vote over the bottom of the rep, so a left/right
swap for a few frames, which side views produce, cannot flip a rep's leg.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .metrics import FrameMetrics
from .profile import Profile

PHASES = ("standing", "descending", "bottom", "ascending")
BOTTOM_BAND = 0.15  # frames within 15% of the rep's range from its lowest point are "bottom"


@dataclass(frozen=True)
class Rep:
    """One lunge rep. Frames index the pose series; times are seconds."""

    index: int
    set: int
    leg: str  # the stepping leg: back leg (reverse, split squat) or front leg (forward)
    front_leg: str
    variant: str  # "reverse" | "forward" | "split_squat"
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    complete: bool
    incomplete_reason: str
    view: str
    leg_confidence: float  # share of bottom frames whose labels agree on the leg


@dataclass(frozen=True)
class _Dip:
    start: int
    entry: int
    end: int
    cut_start: bool
    cut_end: bool
    reason: str


@dataclass
class _Tracker:
    """Hysteresis state machine over the hip-height ratio and the feet (one pass, O(T))."""

    ratio: np.ndarray
    sep: np.ndarray  # foot separation along travel, leg lengths (label-free)
    lift: np.ndarray  # ankle height difference, leg lengths
    t: np.ndarray
    profile: Profile

    def __post_init__(self) -> None:
        p = self.profile
        self.descend, self.stand = p["reps.descend_ratio"], p["reps.stand_ratio"]
        self.max_gap, self.hold_s = p["smoothing.max_gap_s"], p["reps.stand_hold_s"]
        self.feet_tol = p["reps.return_feet_tolerance_ratio"]
        self.lookback = max(1, int(round(p["reps.start_lookback_s"] * self._fps())))

    def _fps(self) -> float:
        return 1.0 / float(np.median(np.diff(self.t))) if len(self.t) > 1 else 30.0

    def _at_rest(self, i: int, ref_sep: float, ref_lift: float) -> bool:
        """Hip up and feet as they were at the start (NaN feet: judged by the hip alone)."""
        if not self.ratio[i] >= self.stand:
            return False
        sep_ok = np.isnan(self.sep[i]) or np.isnan(ref_sep) or abs(self.sep[i] - ref_sep) <= self.feet_tol
        lift_ok = np.isnan(self.lift[i]) or np.isnan(ref_lift) or abs(self.lift[i] - ref_lift) <= self.feet_tol / 2
        return bool(sep_ok and lift_ok)

    def _reference(self, entry: int, floor: int) -> tuple[int, float, float]:
        """Start frame and the resting foot layout (lower quartiles: robust to label swaps)."""
        lo = max(floor, entry - self.lookback)
        hips_up = lo + np.where(self.ratio[lo:entry + 1] >= self.stand)[0]
        if len(hips_up) == 0:
            return lo, np.nan, np.nan
        ref_sep = _nan_stat(lambda x: np.nanpercentile(x, 25), self.sep[hips_up])
        ref_lift = _nan_stat(lambda x: np.nanpercentile(x, 25), self.lift[hips_up])
        start = int(hips_up[0])
        for j in hips_up[::-1]:  # the last resting frame before the dip
            if self._at_rest(int(j), ref_sep, ref_lift):
                start = int(j)
                break
        return start, ref_sep, ref_lift

    def dips(self) -> list[_Dip]:
        out: list[_Dip] = []
        in_rep = False
        segment_start = 0  # first valid frame after the last long gap
        stood = False  # seen standing since segment_start
        start = entry = 0
        ref_sep = ref_lift = np.nan
        cut_start = False
        hold_from, last_valid = -1, -1
        for i, r in enumerate(self.ratio):
            if np.isnan(r):
                if last_valid >= 0 and self.t[i] - self.t[last_valid] > self.max_gap:
                    if in_rep:
                        out.append(_Dip(start, entry, last_valid, cut_start, True, "person lost from view"))
                        in_rep = False
                    stood, segment_start = False, i + 1
                continue
            last_valid = i
            if not in_rep:
                stood = stood or r >= self.stand
                if r < self.descend:
                    in_rep, entry, hold_from = True, i, -1
                    cut_start = not stood
                    start, ref_sep, ref_lift = self._reference(i, segment_start)
                continue
            if self._at_rest(i, ref_sep, ref_lift):
                hold_from = i if hold_from < 0 else hold_from
                if self.t[i] - self.t[hold_from] >= self.hold_s:
                    out.append(_Dip(start, entry, hold_from, cut_start, False, ""))
                    in_rep, stood = False, True
            else:
                hold_from = -1
        if in_rep:
            if hold_from >= 0 and hold_from <= last_valid:  # back at rest when the clip ended
                out.append(_Dip(start, entry, hold_from, cut_start, False, ""))
            else:
                out.append(_Dip(start, entry, last_valid, cut_start, True, "clip ended before the return"))
        return out


def _vote(back_is_left: np.ndarray) -> tuple[str, float]:
    valid = back_is_left[~np.isnan(back_is_left)]
    if len(valid) == 0:
        return "unknown", 0.0
    share = float(np.mean(valid))
    return ("left", share) if share >= 0.5 else ("right", 1.0 - share)


def segment_reps(metrics: FrameMetrics, profile: Profile) -> tuple[list[Rep], np.ndarray]:
    """Reps of a clip and the per-frame phase labels (see PHASES; "" where nobody is seen)."""
    t = metrics.t
    ratio = metrics["hip_height_ratio"]
    phase = np.where(np.isnan(ratio), "", "standing").astype(object)
    fl, fr = metrics.forward_position["left"], metrics.forward_position["right"]
    front_pos, back_pos = np.fmax(fl, fr), np.fmin(fl, fr)
    with np.errstate(invalid="ignore"):
        back_is_left = np.where(np.isnan(fl) | np.isnan(fr), np.nan, (fl < fr).astype(float))
    front_knee = np.where(back_is_left == 1, metrics["right_knee_flexion_deg"], metrics["left_knee_flexion_deg"])
    tracker = _Tracker(ratio, front_pos - back_pos, metrics["foot_lift_ratio"], t, profile)
    reps: list[Rep] = []
    for dip in tracker.dips():
        r = ratio[dip.start:dip.end + 1]
        if np.isnan(r).all():
            continue
        bottom = dip.start + int(np.nanargmin(r))
        low = float(np.nanmin(r))
        band = np.where(r <= low + BOTTOM_BAND * (1.0 - low))[0] + dip.start
        step = _nan_stat(np.nanmedian, (front_pos - back_pos)[band])
        knee = _nan_stat(np.nanmax, front_knee[band])
        duration = t[dip.end] - t[dip.start]
        complete = not (dip.cut_start or dip.cut_end)
        if not (_at_least(knee, profile["reps.min_bottom_knee_flexion_deg"])
                and _at_least(step, profile["reps.min_step_ratio"])):
            continue  # a dip without a lunge's split stance and bent knee: squat, jump, noise
        if duration > profile["reps.max_duration_s"] or (complete and duration < profile["reps.min_duration_s"]):
            continue
        variant = _variant(dip, band, metrics, profile)
        back_leg, confidence = _vote(back_is_left[band])
        other = {"left": "right", "right": "left"}.get(back_leg, "unknown")
        reason = "clip started mid-rep" if dip.cut_start else dip.reason
        views = [v for v in metrics.view[band] if v]
        view = max(set(views), key=views.count) if views else metrics.clip_view
        reps.append(Rep(len(reps) + 1, 0, other if variant == "forward" else back_leg, other, variant,
                        dip.start, bottom, dip.end, float(t[dip.start]), float(t[bottom]),
                        float(t[dip.end]), complete, reason, view, round(confidence, 3)))
        phase[dip.start:band[0]] = "descending"
        phase[band[0]:band[-1] + 1] = "bottom"
        phase[band[-1] + 1:dip.end + 1] = "ascending"
    return _assign_sets(reps, profile["reps.set_pause_s"]), phase


def _nan_stat(fn, values: np.ndarray) -> float:
    return float(fn(values)) if len(values) and not np.isnan(values).all() else float("nan")


def _at_least(value: float, minimum: float) -> bool:
    """Unmeasurable (NaN) does not veto a rep; a measured value below the minimum does."""
    return bool(np.isnan(value) or value >= minimum)


def _variant(dip: _Dip, band: np.ndarray, metrics: FrameMetrics, profile: Profile) -> str:
    """reverse / forward / split_squat from how the feet moved between the start and the bottom.

    The foot that moved further in the image (floor-fixed) is the stepping foot; whether it ended
    in front or behind comes from positions along travel (which, in world coordinates, are
    relative to the hips and so cannot say on their own which foot moved).
    """
    fl, fr = metrics.forward_position["left"], metrics.forward_position["right"]
    il, ir = metrics.ankle_image["left"], metrics.ankle_image["right"]
    with np.errstate(invalid="ignore"):
        start_sep = abs(fl[dip.start] - fr[dip.start])
        bottom_sep = np.nanmedian(np.abs(fl[band] - fr[band]))
        origin = (il[dip.start] + ir[dip.start]) / 2.0
        moved_l = np.linalg.norm(il[band] - origin, axis=-1)
        moved_r = np.linalg.norm(ir[band] - origin, axis=-1)
        stepping_is_behind = np.where(moved_l >= moved_r, fl[band] < fr[band], fr[band] < fl[band])
        valid = ~(np.isnan(moved_l) | np.isnan(moved_r) | np.isnan(fl[band]) | np.isnan(fr[band]))
    if np.isnan([start_sep, bottom_sep]).any() or not valid.any():
        return "reverse"
    if start_sep >= profile["reps.split_squat_start_ratio"] * bottom_sep:
        return "split_squat"
    return "reverse" if np.mean(stepping_is_behind[valid]) >= 0.5 else "forward"


def _assign_sets(reps: list[Rep], pause_s: float) -> list[Rep]:
    out: list[Rep] = []
    current = 1
    for i, rep in enumerate(reps):
        if i and rep.start_s - reps[i - 1].end_s > pause_s:
            current += 1
        out.append(replace(rep, set=current))
    return out
