"""Hip dips: a hysteresis state machine over the hip-height ratio and the feet (one pass, O(T)).

A dip starts when the hip falls below ``descend_ratio`` of its standing height and ends when it is back
above ``stand_ratio`` for ``stand_hold_s``. Dips too shallow to be a rep (a sway) and the step into a
split stance are dropped here, each with its ``Verdict``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import geometry as g
from ..profile import Profile


@dataclass(frozen=True)
class Verdict:
    """One gate's word on one dip: passed or not, and by how much (``margin``: the measured value's
    distance past its threshold in the gate's units, negative when short; NaN when unmeasured)."""

    gate: str
    passed: bool
    margin: float
    detail: str


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


def _turns(r: np.ndarray, start: int, end: int, prominence: float) -> tuple[list[int], list[int]]:
    """The lows and the peaks between them of ``r[start:end + 1]`` (NaN skipped), each turn at
    least ``prominence`` from the one before: lows[k] precedes peaks[k], and a last low follows
    the last peak."""
    lows: list[int] = []
    peaks: list[int] = []
    low = high = -1
    for i in range(start, end + 1):
        if np.isnan(r[i]):
            continue
        if high < 0:  # looking for a low, then the rise out of it
            low = i if low < 0 or r[i] < r[low] else low
            if r[i] >= r[low] + prominence:
                lows.append(low)
                high = i
        elif r[i] > r[high]:
            high = i
        elif r[i] <= r[high] - prominence:
            peaks.append(high)
            high, low = -1, i
    if high >= 0 and len(lows) > len(peaks):
        lows.pop()  # a rise the dip ends on is its return, not a peak between two lows
    return lows, peaks


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
        self.lookback = g.frames_for(p["reps.start_lookback_s"], self.t)
        self.rest_speed = p["reps.rest_foot_speed_ratio_per_s"]
        self.settle_frames = g.frames_for(p["reps.settle_s"], self.t)
        self.settled_speed = settled_speed(self.ankles, self.t, self.settle_frames)
        # rises that split a dip are judged on a rolling median: a glitch of a few frames is no rep boundary
        self.steady_ratio = g.rolling_quantile(self.ratio, g.frames_for(p["reps.glitch_median_s"], self.t), 50)
        self.dropped: list[tuple[_Dip, Verdict]] = []  # dips no rep was made of, with why

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
        which the hip was (within ``reps.top_tolerance_ratio``) as high as it got since the last rep. That
        is before the step of a lunge, and at the split stance of a split squat."""
        lo = max(floor, entry - self.lookback)
        window = self.ratio[lo:entry + 1]
        if np.isnan(window).all():
            return entry
        return lo + int(np.where(window >= np.nanmax(window) - self.profile["reps.top_tolerance_ratio"])[0][-1])

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

    def _rests_at(self, peak: int, before: int, after: int) -> bool:
        """The hip rested near frame ``peak``'s height with the feet still, somewhere between the
        lows ``before`` and ``after``: within ``reps.top_tolerance_ratio`` of it for
        ``reps.stand_hold_s``, as in a split squat's stance between reps (a lunge's wobble at its
        bottom turns at once). Anywhere near the peak, not at it: the highest frame can be a
        landmark glitch that also jolts the feet."""
        r, tolerance = self.steady_ratio[before:after + 1], self.profile["reps.top_tolerance_ratio"]
        with np.errstate(invalid="ignore"):
            resting = (np.abs(r - self.steady_ratio[peak]) <= tolerance) \
                & (self.settled_speed[before:after + 1] <= self.rest_speed)
        return bool(g.runs_lasting(resting, self.t[before:after + 1], self.hold_s))

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
                    lowest, deepest = float(np.nanmin(self.ratio[entry:hold_from + 1])), up + slack - depth / 2
                    if lowest <= deepest:
                        out.append(_Dip(start, entry, hold_from if self._feet_back(hold_from, ref) else i,
                                        cut_start, False, ""))
                    else:
                        self.dropped.append((_Dip(start, entry, hold_from, cut_start, False, ""), Verdict(
                            "dip_depth", False, deepest - lowest,
                            f"hips low {lowest:.3f} of standing, not below {deepest:.3f}: a sway, not a rep")))
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
        """Split a dip that holds two descents at the peak between them: the hip rose ``rise``
        from the lowest point since the last cut and fell ``rise`` again after it, or did one of
        the two by half of that where it rested at the peak below standing height
        (``_rests_at``: a split stance between reps; a lunge's wobble at its bottom turns at
        once, and a sag before standing up rests at standing height).

        Split squat reps return to the split stance, not to standing, and stepping into that
        stance already lowers the hip; so the first rep of a set can run on into the next, and a
        shallow rep (back heel down, short of depth) starts from the stance a little above it.
        """
        r, stance = self.steady_ratio, self.profile["reps.split_stance_ratio"]
        lows, peaks = _turns(r, dip.start, dip.end, rise / 2)
        cuts: list[int] = []
        valley = np.inf
        for k, peak in enumerate(peaks):
            valley = min(valley, r[lows[k]])
            higher = [q for q in peaks[k + 1:] if r[q] >= r[peak]]
            after = slice(peak, (higher[0] if higher else dip.end) + 1)
            next_low = peak + int(np.nanargmin(r[after]))
            up, down = r[peak] - valley, r[peak] - float(r[next_low])
            if min(up, down) >= rise or (min(up, down) >= rise / 2 and max(up, down) >= rise
                                         and r[peak] < self.stand and self._rests_at(peak, lows[k], next_low)):
                cuts.append(peak)
                valley = np.inf
        if not cuts:
            return [dip]
        bounds = [dip.start, *cuts, dip.end]
        pieces = []
        for k in range(len(bounds) - 1):
            first, last = k == 0, k == len(bounds) - 2
            a, b = bounds[k], bounds[k + 1]
            entry = dip.entry if first else a + int(np.nanargmax(r[a:b + 1] < r[a] - rise))
            if (first and not dip.cut_start and np.nanmin(r[a:b + 1]) > stance
                    and not self._feet_back(b, self.ankles[a])):
                # only as low as a split stance, feet ending apart: stepping into the stance
                low = float(np.nanmin(r[a:b + 1]))
                self.dropped.append((_Dip(a, entry, b, False, False, ""), Verdict(
                    "stepping_into_stance", False, low - stance,
                    f"hips only down to {low:.3f} of standing (a split stance keeps {stance:g}) and the "
                    "feet ended apart: stepping into a split stance")))
                continue
            pieces.append(_Dip(a, entry, b, dip.cut_start and first, dip.cut_end and last,
                               dip.reason if last else ""))
        return pieces
