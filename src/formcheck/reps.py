"""Rep segmentation: hip height with hysteresis, leg and variant from foot positions.

A rep starts when the hip dips below ``descend_ratio`` of its standing height and ends when the
hip is back above ``stand_ratio`` for ``stand_hold_s``. The gap between the two thresholds
(hysteresis) and the hold mean that jitter near a threshold never starts or ends a rep twice.
A clip that ends during the return counts the rep only if the feet are home as well (back where
they started, or settled): a foot still swinging back in is an incomplete rep.

Which leg stepped, and whether it stepped back or forward, is read from the ankles' positions
along the direction of travel. Ankles are taken by position (front-most, back-most) first and by
MediaPipe's left/right label only through a vote over the bottom of the rep, so a left/right
swap for a few frames, which side views produce, cannot flip a rep's leg.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import geometry as g
from .metrics import FrameMetrics
from .profile import Profile

PHASES = ("standing", "descending", "bottom", "ascending")
BOTTOM_BAND = 0.15  # frames within 15% of the rep's range from its lowest point are "bottom"
SPLIT_STANCE_RATIO = 0.85  # a split stance with straight legs keeps the hips at ~0.88 of standing height
TOP_TOLERANCE = 0.02  # hip heights within 2% of the highest count as the top of the cycle


CUT_START_REASON = "clip started mid-rep"


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


def settled_speed(ankles: np.ndarray, t: np.ndarray, frames: int) -> np.ndarray:
    """(T,) how fast the faster foot moved over the last ``frames`` frames, leg lengths per second.

    Net displacement over a window, not the sum of per-frame steps: landmark jitter of a few
    pixels per frame would otherwise look like motion. Label-free (see _matched_offset).
    """
    speed = np.full(len(t), np.nan)
    k = min(frames, len(t) - 1)
    if k >= 1:
        speed[k:] = _matched_offset(ankles[k:], ankles[:-k]) / (t[k:] - t[:-k])
    return speed


@dataclass
class _Tracker:
    """Hysteresis state machine over the hip-height ratio and the feet (one pass, O(T)).

    Mid-clip the hip decides where a rep ends; when the clip ends during the return, the feet
    must be home too (judged in the image, which is fixed to the floor).
    """

    ratio: np.ndarray
    ankles: np.ndarray  # (T, 2, 2) image positions of the left and right ankle, leg lengths
    t: np.ndarray
    profile: Profile
    front: np.ndarray  # (T,) bool: the frame is seen from the front

    def __post_init__(self) -> None:
        p = self.profile
        self.descend, self.stand = p["reps.descend_ratio"], p["reps.stand_ratio"]
        # from the front MediaPipe reads a hip drop smaller than it is, so a rep starts sooner
        self.descend_at = np.where(self.front, p["reps.front_descend_ratio"], self.descend)
        self.max_gap, self.hold_s = p["smoothing.max_gap_s"], p["reps.stand_hold_s"]
        self.feet_tol = p["reps.return_feet_tolerance_ratio"]
        fps = 1.0 / float(np.median(np.diff(self.t))) if len(self.t) > 1 else 30.0
        self.lookback = max(1, int(round(p["reps.start_lookback_s"] * fps)))
        self.rest_speed = p["reps.rest_foot_speed_ratio_per_s"]
        self.settle_frames = max(1, int(round(p["reps.settle_s"] * fps)))
        self.settled_speed = settled_speed(self.ankles, self.t, self.settle_frames)
        # rises that split a dip are judged on a rolling median: a glitch of a few frames is no rep boundary
        self.steady_ratio = g.rolling_quantile(self.ratio, max(1, int(round(p["reps.glitch_median_s"] * fps))), 50)

    def _feet_home(self, i: int, ref: np.ndarray) -> bool:
        """The feet are back where they started, or settled (still) elsewhere.

        Either is enough: people shuffle their stance, and jittery footage can look unsettled
        while the feet are plainly back. A foot still swinging in is neither. Without a reference
        (feet unseen, or a rep already under way when the person appeared) there is no evidence
        against it.
        """
        return self._feet_back(i, ref) or bool(self.settled_speed[i] <= self.rest_speed)

    def _start(self, entry: int, floor: int) -> int:
        """The rep's start: the top of the movement cycle, the latest frame before the dip at
        which the hip was (within ``TOP_TOLERANCE``) as high as it got since the last rep. That
        is before the step of a lunge, and at the split stance of a split squat."""
        lo = max(floor, entry - self.lookback)
        window = self.ratio[lo:entry + 1]
        if np.isnan(window).all():
            return entry
        return lo + int(np.where(window >= np.nanmax(window) - TOP_TOLERANCE)[0][-1])

    def _level_before(self, entry: int, top: float) -> float:
        """The hip height the dip started from: the highest point of the settled stretch that
        leads into it (a split squat's split stance), or the local top if the feet were moving
        (a lunge's step). The rep is over once the hip is back near this level."""
        j = entry
        while j > 0 and self.settled_speed[j - 1] <= self.rest_speed and self.ratio[j - 1] <= top:
            j -= 1
            if entry - j >= self.lookback:
                break
        run = self.ratio[j:entry]
        return float(np.nanmax(run)) if (entry - j) >= self.settle_frames and not np.isnan(run).all() else top

    def _step_start(self, early: int, entry: int) -> int | None:
        """Where the last foot movement before the dip began (None if the feet stayed still).

        A lunge starts with its step, before the hip drops; the hip alone can put the start
        after the step, because a foot stepping toward the camera lands lower in the frame and
        makes the hips look as high as standing. A split squat never moves its feet.
        """
        with np.errstate(invalid="ignore"):
            moving = np.where(self.settled_speed[early:entry + 1] > self.rest_speed)[0]
        if not len(moving):
            return None
        k = early + int(moving[-1])
        while k > early and not self.settled_speed[k - 1] <= self.rest_speed:
            k -= 1
        # settled_speed looks back settle_frames: the feet were last still that much earlier
        return max(early, k - self.settle_frames)

    def _feet_back(self, i: int, ref: np.ndarray) -> bool:
        """Both feet within tolerance of where they stood at the start (or unseen)."""
        offset = _matched_offset(self.ankles[i:i + 1], ref[None])[0]
        return bool(np.isnan(offset) or offset <= self.feet_tol)

    def _feet_at(self, start: int, entry: int) -> np.ndarray:
        """Both feet's positions at the start, or at the first frame after it that shows both."""
        seen = ~np.isnan(self.ankles[start:entry + 1]).any(axis=(1, 2))
        return self.ankles[start + int(np.argmax(seen))] if seen.any() else np.full((2, 2), np.nan)

    def dips(self) -> list[_Dip]:
        """One pass over the frames. Thresholds are relative to the local top (the highest hip
        since the last rep), so a split squat, whose top is a split stance below full standing
        height, still returns "up" between reps; from full standing they are the profile's
        ``descend_ratio`` (``front_descend_ratio`` in frames seen from the front) and
        ``stand_ratio``."""
        out: list[_Dip] = []
        depth, slack = 1.0 - self.descend, 1.0 - self.stand
        in_rep = False
        segment_start = 0  # first valid frame after the last long gap
        top = np.nan  # highest hip since the last rep ended (NaN: none seen in this segment)
        start = entry = 0
        up, low = self.stand, np.inf
        ref = np.full((2, 2), np.nan)
        cut_start = False
        hold_from, last_valid = -1, -1
        floor = 0  # a rep's start is looked for after the previous rep's end
        early = 0  # earliest allowed start of the current rep (the previous rep's end)
        for i, r in enumerate(self.ratio):
            if np.isnan(r):
                if last_valid >= 0 and self.t[i] - self.t[last_valid] > self.max_gap:
                    if in_rep:
                        out.append(_Dip(start, entry, last_valid, cut_start, True, "person lost from view"))
                        in_rep = False
                    top, segment_start = np.nan, i + 1
                continue
            last_valid = i
            if not in_rep:
                descend = self.descend_at[i]
                first_seen_down = np.isnan(top) and r < descend
                top = r if np.isnan(top) else max(top, r)
                if first_seen_down or r < min(top - (1.0 - descend), descend + slack):
                    in_rep, entry, hold_from, cut_start = True, i, -1, first_seen_down
                    low = r
                    up = self.stand if first_seen_down else min(self._level_before(i, top) - slack, self.stand)
                    early = max(segment_start, floor)
                    start = i if first_seen_down else self._start(i, early)
                    if not first_seen_down:
                        step = self._step_start(early, i)
                        start = start if step is None else step
                    ref = np.full((2, 2), np.nan) if cut_start else self._feet_at(start, i)
                continue
            low = min(low, r)
            # back up: above the exit level, and risen from the lowest point by half a descent
            # (the exit level of a lunge that pauses after landing can sit within noise of its low)
            if r >= max(up, low + depth / 2):
                hold_from = i if hold_from < 0 else hold_from
                if self.t[i] - self.t[hold_from] >= self.hold_s:
                    # the rep ends where the hip came up, or later if the feet were not back yet;
                    # a dip less deep than ``depth`` below the level it returned to is a sway
                    # (the hips settling after a step), not a rep
                    if np.nanmin(self.ratio[entry:hold_from + 1]) <= up + slack - depth / 2:
                        out.append(_Dip(start, entry, hold_from if self._feet_back(hold_from, ref) else i,
                                        cut_start, False, ""))
                    in_rep, top, floor = False, r, hold_from
            else:
                hold_from = -1
        if in_rep:  # the clip ended inside a rep: complete only if the person was clearly back
            if hold_from >= 0 and self._feet_home(last_valid, ref):
                out.append(_Dip(start, entry, hold_from, cut_start, False, ""))
            else:
                out.append(_Dip(start, entry, last_valid, cut_start, True, "clip ended before the return"))
        return [piece for dip in out for piece in self._split_double(dip, depth)]

    def _split_double(self, dip: _Dip, rise: float) -> list[_Dip]:
        """Split a dip that holds two descents: the hip rose by ``rise`` between two lows.

        Split squat reps return to the split stance, not to standing, and stepping into that
        stance already lowers the hip; so the first rep of a set can run on into the next.
        A rep has one low (a pause at the bottom is not a rise), so a rise between two lows is
        a rep boundary, placed at the highest point between them.
        """
        r = self.steady_ratio
        cuts: list[int] = []
        valley, peak = np.inf, -1
        for i in range(dip.start, dip.end + 1):
            if np.isnan(r[i]):
                continue
            if peak < 0:
                valley = min(valley, r[i])
                if r[i] >= valley + rise:
                    peak = i
            elif r[i] > r[peak]:
                peak = i
            elif r[i] <= r[peak] - rise:
                cuts.append(peak)
                valley, peak = r[i], -1
        if not cuts:
            return [dip]
        bounds = [dip.start, *cuts, dip.end]
        pieces = []
        for k in range(len(bounds) - 1):
            first, last = k == 0, k == len(bounds) - 2
            a, b = bounds[k], bounds[k + 1]
            entry = dip.entry if first else a + int(np.nanargmax(r[a:b + 1] < r[a] - rise))
            if (first and not dip.cut_start and np.nanmin(r[a:b + 1]) > SPLIT_STANCE_RATIO
                    and not self._feet_back(b, self.ankles[a])):
                continue  # only as low as a split stance, feet ending apart: stepping into the stance
            pieces.append(_Dip(a, entry, b, dip.cut_start and first, dip.cut_end and last,
                               dip.reason if last else ""))
        return pieces


def _vote(back_is_left: np.ndarray) -> tuple[str, float]:
    valid = back_is_left[~np.isnan(back_is_left)]
    if len(valid) == 0:
        return "unknown", 0.0
    share = float(np.mean(valid))
    return ("left", share) if share >= 0.5 else ("right", 1.0 - share)


@dataclass(frozen=True)
class _Candidate:
    dip: _Dip
    bottom: int
    band: np.ndarray
    heel_votes: np.ndarray | None = None  # back-is-left per bottom frame, where only the heels showed the split


def segment_reps(metrics: FrameMetrics, profile: Profile) -> tuple[list[Rep], np.ndarray]:
    """Reps of a clip and the per-frame phase labels (see PHASES; "" where nobody is seen)."""
    t = metrics.t
    ratio = metrics["hip_height_ratio"]
    phase = np.where(np.isnan(ratio), "", "standing").astype(object)
    back_is_left = metrics.left_leg_behind
    feet_split = metrics.feet_split
    dips = _Tracker(ratio, metrics.raw_ankles, t, profile, metrics.view == "front").dips()
    candidates = _lunge_dips(metrics, dips, feet_split, profile)
    groups = _split_stance_groups(candidates, metrics, profile)
    # the feet stay put through a split-squat set, so its reps share their back leg: one vote
    # over all their bottoms outvotes a stretch where MediaPipe swapped the legs
    group_bands: dict[int, list[np.ndarray]] = {}
    for c, gid in zip(candidates, groups, strict=True):
        if gid >= 0:
            group_bands.setdefault(gid, []).append(c.band)
    reps: list[Rep] = []
    rest_from = 0  # the stand before a rep starts after the previous rep
    for c, gid in zip(candidates, groups, strict=True):
        dip, band = c.dip, c.band
        view = _band_view(metrics, band)
        if gid < 0:
            voters = _split_frames(metrics, dip, band, profile)
            stand = level_run(metrics, feet_split, voters, rest_from, profile)
            if c.heel_votes is not None:
                order = c.heel_votes
            elif view == "oblique":
                order = _order_since(metrics, np.arange(rest_from, dip.start + 1), voters, back_is_left)
            else:
                order = back_is_left[voters]
            if not dip.cut_start:
                dip = replace(dip, start=min(dip.start, int(stand[-1]) if len(stand) else int(band[0])))
            variant = _step_direction(dip, band, voters, metrics, rest_from, stand, profile,
                                      heel_rose=c.heel_votes is not None)
        else:
            variant, voters = "split_squat", np.concatenate(group_bands[gid])
            order = back_is_left[voters]
        rest_from = dip.end
        back_leg, confidence = _vote(order)
        other = {"left": "right", "right": "left"}.get(back_leg, "unknown")
        reason = CUT_START_REASON if dip.cut_start else dip.reason
        reps.append(Rep(len(reps) + 1, 0, other if variant == "forward" else back_leg, other, variant,
                        dip.start, c.bottom, dip.end, float(t[dip.start]), float(t[c.bottom]),
                        float(t[dip.end]), not (dip.cut_start or dip.cut_end), reason, view, round(confidence, 3)))
        phase[dip.start:band[0]] = "descending"
        phase[band[0]:band[-1] + 1] = "bottom"
        phase[band[-1] + 1:dip.end + 1] = "ascending"
    return _assign_sets(reps, profile["reps.set_pause_s"]), phase


def level_run(metrics: FrameMetrics, feet_split: np.ndarray, band: np.ndarray, rest_from: int,
              profile: Profile) -> np.ndarray:
    """The last stand after ``rest_from`` and before the bottom: a run of frames with the feet
    not yet split and the hips at standing height (``reps.stand_ratio``), at least
    ``reps.settle_s`` long (empty if there is none). Its last frame is where the step began.

    The hip and the feet's last movement can both put a start after the step (a foot that
    settles, then shifts its weight), and a previous rep can end with a foot still on its way
    home; measuring the stance, the crossing or the step's direction from there would measure
    the split instead. Feet that only look level are no stand either: as a caving front knee
    crosses the back leg, MediaPipe exchanges the feet's labels, and for a few frames on the way
    down the toes' gap passes through zero."""
    level = _split_level(metrics, band, profile)
    with np.errstate(invalid="ignore"):
        standing = ((feet_split[rest_from:band[0]] < level)
                    & (metrics["hip_height_ratio"][rest_from:band[0]] >= profile["reps.stand_ratio"]))
    frames = rest_from + np.flatnonzero(standing)
    runs = np.split(frames, np.flatnonzero(np.diff(frames) > 1) + 1)
    long_enough = [r for r in runs if len(r) and metrics.t[r[-1]] - metrics.t[r[0]] >= profile["reps.settle_s"]]
    return long_enough[-1] if long_enough else np.empty(0, dtype=int)


def _split_level(metrics: FrameMetrics, band: np.ndarray, profile: Profile) -> float:
    """The ``feet_split`` at which the feet count as split, in the units of the view ``band`` was
    seen from: the toes' height gap from the front, the step along travel otherwise."""
    return profile["reps.min_front_split_ratio" if _band_view(metrics, band) == "front" else "reps.min_step_ratio"]


def stand_view(metrics: FrameMetrics, rep: Rep, window_s: float) -> str:
    """The view most frames of the last ``window_s`` before a rep's start were seen from (the
    rep's own if none): the stand it stepped from, where the shoulders read the yaw best."""
    t = metrics.t
    frames = np.arange(int(np.searchsorted(t, t[rep.start_frame] - window_s)), rep.start_frame + 1)
    return _view_mode(metrics, frames, rep.view)


def _band_view(metrics: FrameMetrics, band: np.ndarray) -> str:
    """The view most frames of a rep's bottom were seen from (the clip's view if none)."""
    return _view_mode(metrics, band, metrics.clip_view)


def _view_mode(metrics: FrameMetrics, frames: np.ndarray, unknown: str) -> str:
    views = [v for v in metrics.view[frames] if v]
    return max(set(views), key=views.count) if views else unknown


def _lunge_dips(metrics: FrameMetrics, dips: list[_Dip], sep: np.ndarray, profile: Profile) -> list[_Candidate]:
    """The dips that are lunges: split stance and a bent front knee at the bottom, sane duration
    (``sep``: ``metrics.feet_split``)."""
    t, ratio = metrics.t, metrics["hip_height_ratio"]
    front_knee = np.where(metrics.left_leg_behind == 1, metrics["right_knee_flexion_deg"],
                          metrics["left_knee_flexion_deg"])
    signed_step = metrics.forward_position["left"] - metrics.forward_position["right"]
    heel_gap = metrics["heel_lift_gap_ratio"]
    out = []
    rest_from = 0
    for dip in dips:
        rest, rest_from = slice(rest_from, dip.start + 1), dip.end
        r = ratio[dip.start:dip.end + 1]
        if np.isnan(r).all():
            continue
        low = float(np.nanmin(r))
        band = np.where(r <= low + BOTTOM_BAND * (1.0 - low))[0] + dip.start
        step = g.nan_median(sep[band])
        # obliquely, the stance width projects onto the step and can cancel a short one: the
        # change of the feet's offset since the stand before the rep is a step as well
        stepped = abs(g.nan_median(signed_step[band]) - g.nan_median(signed_step[rest]))
        knee = _nan_max(front_knee[band])
        duration = t[dip.end] - t[dip.start]
        heel_votes = None
        complete = not (dip.cut_start or dip.cut_end)
        # Knee flexion and step length are read from a side or pseudo-side image. From the front
        # MediaPipe's depth reads a 90 deg knee as 20-60 and a jumping jack as a split stance,
        # so there the split is the toes' height difference in the frame and the knee goes unjudged.
        if _band_view(metrics, band) == "front":
            level = profile["reps.min_front_split_ratio"]
            lunge = _at_least(step, level) or _split_around(sep, dip, band, level)
        else:
            split = _at_least(step, profile["reps.min_step_ratio"]) or stepped >= profile["reps.min_step_ratio"]
            # a short step MediaPipe reads as feet side by side still puts the back foot on its ball
            lifted = heel_gap[band] - g.nan_median(heel_gap[rest])
            on_ball = abs(g.nan_median(lifted)) >= profile["reps.min_heel_lift_ratio"]
            lunge = _at_least(knee, profile["reps.min_bottom_knee_flexion_deg"]) and (split or on_ball)
            if lunge and not split:
                heel_votes = np.where(np.isnan(lifted), np.nan, (lifted > 0).astype(float))
        bottom = int(band[len(band) // 2])
        # a split the feet never left since the last rep is still there, however this bottom's
        # landmarks read it (from the front the back toe hides behind the front leg)
        if not (lunge or (out and _kept_split_stance(metrics, out[-1], band, profile))):
            continue  # a dip without a lunge's split stance and bent knee: squat, jump, noise
        if duration > profile["reps.max_duration_s"] or (complete and duration < profile["reps.min_duration_s"]):
            continue
        # the bottom is the middle of the bottom band: the lowest frame of a long hold can be any
        # frame of it, including a glitch
        out.append(_Candidate(dip, bottom, band, heel_votes))
    return out


def _split_frames(metrics: FrameMetrics, dip: _Dip, band: np.ndarray, profile: Profile) -> np.ndarray:
    """The frames whose feet say which leg is back and which way it stepped: the bottom's, unless
    most of the bottom shows the feet level (a back foot MediaPipe lost onto the front one), then
    the frames of the rep's lower half that show the split. Level feet have no order, so their
    label is noise; in the upper half a foot may still be in the air."""
    level = _split_level(metrics, band, profile)
    ratio = metrics["hip_height_ratio"]
    with np.errstate(invalid="ignore"):
        split = metrics.feet_split >= level
        if split[band].mean() >= 0.5:
            return band
        rep = np.arange(dip.start, dip.end + 1)
        low = np.nanmin(ratio[rep])
        lower = ratio[rep] <= (low + np.nanmax(ratio[rep])) / 2.0
    chosen = rep[split[rep] & lower]
    return chosen if len(chosen) else band


def _split_around(sep: np.ndarray, dip: _Dip, band: np.ndarray, level: float) -> bool:
    """The feet were split on the way down and on the way up, for a quarter of each.

    From the front, a front knee that caves in covers the back leg at the bottom, and MediaPipe
    then puts the hidden back foot on the front one: the split reads ~0 there and nowhere else."""
    def split_for_a_quarter(part: np.ndarray) -> bool:
        seen = part[~np.isnan(part)]
        return len(seen) > 0 and float(np.percentile(seen, 75)) >= level

    return split_for_a_quarter(sep[dip.start:band[0]]) and split_for_a_quarter(sep[band[-1] + 1:dip.end + 1])


def _kept_split_stance(metrics: FrameMetrics, a: _Candidate, band: np.ndarray, profile: Profile) -> bool:
    """The feet stayed in the split stance of rep ``a`` up to a later rep's bottom ``band``: the
    hips never came back to standing height (``reps.stand_ratio``) in between, or no foot left
    where it stood at ``a``'s bottom and the feet never came level.

    A lunge steps back in and out between reps, so the person stands up in between; rising no
    higher than that is a split squat's next rep, however MediaPipe's feet wander meanwhile (a
    quarter leg length as the back knee rises, on the benchmark). On its 96 clips no pair of
    lunges stayed below 0.95 of standing height between their bottoms; 31 of 76 pairs of split
    squats did. A split squat set may still stand up tall between reps: the feet decide then.

    However long it pauses in the split stance, a lunge moves a foot between reps; a split squat
    set keeps both feet planted. Judged in the image (fixed to the floor, label-free),
    on the toes, not the ankles: the back ankle of a split squat swings forward and down as the
    back knee drops (0.15 leg lengths), while the ball of the foot stays put. From the front a
    step back moves a foot little in the image, so two lunges can keep their toes within the
    tolerance: the feet coming level between them tells them apart. Step lengths alone cannot
    decide it: seen obliquely, feet side by side already look a third of a leg apart. However long
    the pause, feet that never moved never left the split stance.
    """
    between = slice(a.band[-1], band[0] + 1)  # the bottoms themselves can lose the hidden back foot
    if _nan_max(metrics["hip_height_ratio"][between]) < profile["reps.stand_ratio"]:
        return True
    toes = np.stack([metrics.toe_image["left"], metrics.toe_image["right"]], axis=1)
    with np.errstate(invalid="ignore"):
        home = np.array([_point_median(toes[a.band, k]) for k in (0, 1)])
    offset = _matched_offset(toes[between], home[None])
    if np.isnan(home).any() or np.isnan(offset).all():
        return False
    level = _split_level(metrics, a.band, profile)
    with np.errstate(invalid="ignore"):
        came_level = bool(np.any(metrics.feet_split[between] < level))
    # 90th percentile: a landmark glitch is not a step
    return bool(np.nanpercentile(offset, 90) <= profile["reps.return_feet_tolerance_ratio"]) and not came_level


def _split_stance_groups(candidates: list[_Candidate], metrics: FrameMetrics, profile: Profile) -> list[int]:
    """Per rep, the index of its split-squat group (-1: not a split squat): reps that kept one
    split stance with a neighbouring rep (``_kept_split_stance``) are split squats of it."""
    group = [-1] * len(candidates)
    for k in range(len(candidates) - 1):
        if _kept_split_stance(metrics, candidates[k], candidates[k + 1].band, profile):
            group[k] = k if group[k] < 0 else group[k]
            group[k + 1] = group[k]
    return group


def _point_median(points: np.ndarray) -> np.ndarray:
    """(2,) per-coordinate median of (n, 2) points, ignoring unseen ones (NaN if none, silently)."""
    seen = points[~np.isnan(points).any(axis=-1)]
    return np.median(seen, axis=0) if len(seen) else np.full(points.shape[-1], np.nan)


def _nan_max(values: np.ndarray) -> float:
    """Largest seen (non-NaN) value; NaN, without a warning, when there is none."""
    return float(np.nanmax(values)) if len(values) and not np.isnan(values).all() else float("nan")


def _at_least(value: float, minimum: float) -> bool:
    """Unmeasurable (NaN) does not veto a rep; a measured value below the minimum does."""
    return bool(np.isnan(value) or value >= minimum)


def _feet_image(metrics: FrameMetrics, at: np.ndarray | slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """The left and right feet in the floor-fixed image at frames ``at``: the toe tip where seen
    (a foot on its ball keeps it planted), else the ankle."""
    return tuple(np.where(np.isnan(metrics.toe_image[s][at]), metrics.ankle_image[s][at], metrics.toe_image[s][at])
                 for s in ("left", "right"))


def _ahead(offset: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """How far an image ``offset`` (..., 2) points forward in an oblique view: along the facing
    direction and toward the camera (down the frame)."""
    return offset[..., 0] * facing + offset[..., 1]


def _order_since(metrics: FrameMetrics, rest: np.ndarray, frames: np.ndarray, back_is_left: np.ndarray) -> np.ndarray:
    """Obliquely, which leg is behind in ``frames`` as the feet's offset has changed since the
    ``rest`` before the rep (``back_is_left`` of those frames where the rest shows no feet).

    The pseudo side view stretches x by 1/sin(yaw), and with it the stance width's share of the
    image (width x cot(yaw)), which near a front view outweighs a short step: at 30 deg, feet 0.2
    leg lengths apart sideways read 0.35 apart along travel. Their change since the stand is the
    step alone. Forward is ``_ahead``, as in ``_step_direction``.
    """
    def gap(at: np.ndarray) -> np.ndarray:
        il, ir = _feet_image(metrics, at)
        return il - ir

    rest_gap = _point_median(gap(rest)) if len(rest) else np.full(2, np.nan)
    if np.isnan(rest_gap).any():
        return back_is_left[frames]
    with np.errstate(invalid="ignore"):
        change = gap(frames) - rest_gap
        ahead = _ahead(change, metrics.facing_sign[frames])
        return np.where(np.isnan(ahead), np.nan, (ahead < 0).astype(float))


def _step_direction(dip: _Dip, band: np.ndarray, seen_split: np.ndarray, metrics: FrameMetrics, rest_from: int,
                    stand: np.ndarray, profile: Profile, heel_rose: bool = False) -> str:
    """reverse, forward or split_squat: which way the step went, judged against the stand before
    the rep in the floor-fixed image (world positions are relative to the hips, so they alone
    cannot say which foot moved).

    From the front, the feet's mean height in the frame; obliquely, the feet's midpoint along
    the facing direction and toward the camera; both without left/right labels. From the side,
    the foot that moved further is the stepping foot and the per-view ankle order says whether
    it ended behind. A rep whose feet did not leave where they stood is a split squat. Toes are
    tracked where seen: the planted foot of a forward lunge rolls onto its ball, which lifts its
    ankle about as far, seen from the front, as the stepping foot travels. ``stand``: the last
    run of frames with the feet level before the bottom (``level_run``); ``seen_split``: the
    frames that show the split (``_split_frames``), which the front view reads: its mean foot
    height is the planted foot's alone where MediaPipe put the back foot on the front one.
    ``heel_rose``: only a heel rising onto its ball showed the split (``_lunge_dips``); a foot
    that went onto its ball during the rep stepped, however little the ankles moved.
    """
    il, ir = _feet_image(metrics)
    view = _band_view(metrics, band)
    if view == "front":
        # The floor recedes upward in the frame: a forward lunge brings the feet (on average)
        # lower in it, a reverse lunge higher. Which foot moved is too subtle from a low camera:
        # the stepping foot may move 10 px while the planted one rolls onto its ball.
        with np.errstate(invalid="ignore"):
            feet_y = (il[:, 1] + ir[:, 1]) / 2.0
            before = stand if len(stand) else np.arange(rest_from, dip.start + 1)
            moved = g.nan_median(feet_y[seen_split]) - g.nan_median(feet_y[before])
        if not np.isnan(moved):
            return "forward" if moved > 0 else "reverse"
    with np.errstate(invalid="ignore"):
        rest = slice(rest_from, dip.start + 1)
        moved_l = np.linalg.norm(il[band] - _point_median(il[rest]), axis=-1)
        moved_r = np.linalg.norm(ir[band] - _point_median(ir[rest]), axis=-1)
        left_behind = metrics.left_leg_behind[band]
        stepping_is_behind = np.where(moved_l >= moved_r, left_behind == 1, left_behind == 0)
        valid = ~(np.isnan(moved_l) | np.isnan(moved_r) | np.isnan(left_behind))
    if not valid.any():
        return "reverse"
    if not heel_rose and max(np.median(moved_l[valid]), np.median(moved_r[valid])) \
            <= profile["reps.return_feet_tolerance_ratio"]:
        return "split_squat"  # neither foot left where it stood before: lowered from a split stance
    if view == "oblique":
        # obliquely the feet's midpoint travels half a step forward (``_ahead``) in a forward
        # lunge, back in a reverse one. No left/right labels needed, and MediaPipe mixes them up
        # obliquely.
        with np.errstate(invalid="ignore"):
            mid = (il + ir) / 2.0
            along = float(_ahead(_point_median(mid[band]) - _point_median(mid[rest]),
                                 float(np.median(metrics.facing_sign[band]))))
        if not np.isnan(along):
            return "forward" if along > 0 else "reverse"
    return "reverse" if np.mean(stepping_is_behind[valid]) >= 0.5 else "forward"


def _assign_sets(reps: list[Rep], pause_s: float) -> list[Rep]:
    out: list[Rep] = []
    current = 1
    for i, rep in enumerate(reps):
        if i and rep.start_s - reps[i - 1].end_s > pause_s:
            current += 1
        out.append(replace(rep, set=current))
    return out
