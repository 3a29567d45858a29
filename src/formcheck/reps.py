"""Rep segmentation: hip height with hysteresis, leg and variant from foot positions.

A rep starts when the hip dips below ``descend_ratio`` of its standing height and ends when the
person is back at rest: hip above ``stand_ratio`` and the feet back where they started or
settled where they are, held for ``stand_hold_s``
or to the end of the clip (a foot still swinging back in when the clip ends is an incomplete
rep). The gap between the two hip thresholds (hysteresis) and the hold mean that jitter near a
threshold never starts or ends a rep twice.

Which leg stepped, and whether it stepped back or forward, is read from the ankles' positions
along the direction of travel. Ankles are taken by position (front-most, back-most) first and by
MediaPipe's left/right label only through a vote over the bottom of the rep, so a left/right
swap for a few frames, which side views produce, cannot flip a rep's leg.
"""

from __future__ import annotations

import warnings
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


def _matched_offset(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T,) how far the worse-matched foot is from ``b``, pairing feet by position, not label.

    ``a``: (T, 2, 2) and ``b``: (T|1, 2, 2) ankle positions (left, right) in leg lengths. Pairing
    by position makes the test immune to MediaPipe swapping the left/right labels.
    """
    keep = np.fmax(np.linalg.norm(a[:, 0] - b[:, 0], axis=-1), np.linalg.norm(a[:, 1] - b[:, 1], axis=-1))
    swap = np.fmax(np.linalg.norm(a[:, 0] - b[:, 1], axis=-1), np.linalg.norm(a[:, 1] - b[:, 0], axis=-1))
    return np.fmin(keep, swap)


def foot_speed(ankles: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T,) speed of the faster foot in leg lengths per second (label-free, see _matched_offset)."""
    speed = np.full(len(t), np.nan)
    if len(t) > 1:
        speed[1:] = _matched_offset(ankles[1:], ankles[:-1]) / np.diff(t)
        speed[0] = speed[1]
    return speed


@dataclass
class _Tracker:
    """Hysteresis state machine over the hip-height ratio and the feet (one pass, O(T)).

    The feet are judged in the image, which is fixed to the floor: "at rest" means the hip is up
    and the feet back where they started or settled.
    """

    ratio: np.ndarray
    ankles: np.ndarray  # (T, 2, 2) image positions of the left and right ankle, leg lengths
    t: np.ndarray
    profile: Profile

    def __post_init__(self) -> None:
        p = self.profile
        self.descend, self.stand = p["reps.descend_ratio"], p["reps.stand_ratio"]
        self.max_gap, self.hold_s = p["smoothing.max_gap_s"], p["reps.stand_hold_s"]
        self.feet_tol = p["reps.return_feet_tolerance_ratio"]
        fps = 1.0 / float(np.median(np.diff(self.t))) if len(self.t) > 1 else 30.0
        self.lookback = max(1, int(round(p["reps.start_lookback_s"] * fps)))
        self.rest_speed = p["reps.rest_foot_speed_ratio_per_s"]
        settle = max(1, int(round(p["reps.settle_s"] * fps)))
        speed = np.concatenate([np.full(settle - 1, np.nan), foot_speed(self.ankles, self.t)])
        windows = np.lib.stride_tricks.sliding_window_view(speed, settle)
        with warnings.catch_warnings():  # all-NaN windows (nobody seen) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            self.settled_speed = np.nanmean(windows, axis=-1)  # trailing mean over settle_s

    def _at_rest(self, i: int, ref: np.ndarray) -> bool:
        """Hip up, and the feet either back where they started or settled (still) elsewhere.

        Either is enough: people shuffle their stance between reps, and jittery real footage can
        look unsettled while the feet are plainly back. A foot still swinging in at the end of a
        clip is neither. Without a reference (feet unseen, or the rep was already under way when
        the person appeared, so its start was no resting position) the hip alone decides.
        """
        if not self.ratio[i] >= self.stand:
            return False
        offset = _matched_offset(self.ankles[i:i + 1], ref[None])[0]
        return bool(np.isnan(offset) or offset <= self.feet_tol or self.settled_speed[i] <= self.rest_speed)

    def _start(self, entry: int, floor: int) -> int:
        """The rep's start: the last settled moment before the dip (hip up, feet on average
        slower than ``rest_foot_speed`` over the past ``settle_s``), else the most settled one.

        One still frame is not enough (a quick step can pause for a frame with the foot already
        back), and people lunging in a rhythm barely stop, hence the fallback."""
        lo = max(floor, entry - self.lookback)
        hips_up = lo + np.where(self.ratio[lo:entry + 1] >= self.stand)[0]
        if len(hips_up) == 0:  # already down when first seen: start where the person appears
            return lo + int(np.argmax(~np.isnan(self.ratio[lo:entry + 1])))
        speed = self.settled_speed[hips_up]
        calm = hips_up[speed <= self.rest_speed]
        if len(calm):
            return int(calm[-1])
        if np.isnan(speed).all():
            return int(hips_up[0])
        return int(hips_up[np.nanargmin(speed)])

    def _feet_at(self, start: int, entry: int) -> np.ndarray:
        """Both feet's positions at the start, or at the first frame after it that shows both."""
        seen = ~np.isnan(self.ankles[start:entry + 1]).any(axis=(1, 2))
        return self.ankles[start + int(np.argmax(seen))] if seen.any() else np.full((2, 2), np.nan)

    def dips(self) -> list[_Dip]:
        out: list[_Dip] = []
        in_rep = False
        segment_start = 0  # first valid frame after the last long gap
        stood = False  # seen standing since segment_start
        start = entry = 0
        ref = np.full((2, 2), np.nan)
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
                    start = self._start(i, segment_start)
                    ref = np.full((2, 2), np.nan) if cut_start else self._feet_at(start, i)
                continue
            if self._at_rest(i, ref):
                hold_from = i if hold_from < 0 else hold_from
                if self.t[i] - self.t[hold_from] >= self.hold_s:
                    out.append(_Dip(start, entry, hold_from, cut_start, False, ""))
                    in_rep, stood = False, True
            else:
                hold_from = -1
        if in_rep:
            if hold_from >= 0:  # back at rest when the clip ended
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
    front_pos, back_pos = np.maximum(fl, fr), np.minimum(fl, fr)  # NaN if either foot is unseen
    back_is_left = metrics.left_ankle_behind
    front_knee = np.where(back_is_left == 1, metrics["right_knee_flexion_deg"], metrics["left_knee_flexion_deg"])
    tracker = _Tracker(ratio, metrics.raw_ankles, t, profile)
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
        left_behind = metrics.left_ankle_behind[band]
        stepping_is_behind = np.where(moved_l >= moved_r, left_behind == 1, left_behind == 0)
        valid = ~(np.isnan(moved_l) | np.isnan(moved_r) | np.isnan(left_behind))
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
