"""Walking backwards: steps, cadence, step length, symmetry, posture and sway, and their checks.

The source article: walking backwards builds leg strength, balance and coordination with little
load on the knees; keep an upright posture, and start slowly. A step is read from the feet's
split along the direction of travel, label-free: it swings from one extreme to the other each
time a foot passes the other, so every extreme is a foot landing. Which foot stepped is the one
that moved (floor-fixed image) since the previous landing, and its direction (back or forward) is
the way it moved relative to where the person faces. From the side the split is in leg lengths;
from the front it is the toes' height gap in the image (further away = higher), which times the
steps but does not measure their length, so length checks are side-only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .. import geometry as g
from ..checks import Check, Finding, RepViews, not_judged, run_checks
from ..metrics import FrameMetrics
from ..profile import Profile
from ..series import Landmark as L
from .base import Assessment, Counted, ExerciseInputs

NAME = "reverse-walk"
UNIT = "steps back"  # the live counter shows backward steps per foot
SIDE, FRONT = ("side", "oblique"), ("front",)
ANY = ("side", "oblique", "front")

CHECKS: tuple[Check, ...] = (
    Check("walk_slouching", "posture", "trunk_lean_forward_deg", "above", "checks.walk.slouch_deg", SIDE,
          at="walk", side_from="none"),
    Check("walk_leaning_back", "posture", "trunk_lean_back_deg", "above", "checks.walk.lean_back_deg", SIDE,
          at="walk", side_from="none"),
    Check("walk_head_forward", "posture", "head_forward_ratio", "above", "checks.walk.head_forward_ratio", SIDE,
          at="walk", side_from="none"),
    Check("walk_steps_too_long", "foot_placement", "longer_foot_step_length_ratio", "above",
          "checks.walk.step_too_long_ratio", SIDE, at="walk", side_from="longer"),
    Check("walk_uneven_steps", "foot_placement", "step_asymmetry_ratio", "above", "checks.walk.asymmetry_ratio",
          ANY, at="walk", side_from="shorter"),
    Check("walk_unsteady", "balance", "sway_ratio", "above", "checks.walk.sway_ratio", FRONT, at="walk",
          side_from="none"),
    Check("walk_cadence_jump", "pace", "cadence_increase_ratio", "above", "checks.walk.cadence_jump_ratio", ANY,
          at="jump", side_from="none"),
)


@dataclass(frozen=True)
class Step:
    index: int
    foot: str  # "left" | "right"
    direction: str  # "backward" | "forward"
    frame: int  # the landing
    t: float
    length_ratio: float | None  # leg lengths between the feet at landing (side view); None from the front


@dataclass
class WalkResult:
    """One walk: its steps, what they add up to, and the walk-level findings."""

    direction: str  # "backward", "forward", "mixed" or "standing"
    steps: list[Step]
    values: dict[str, float]
    findings: list[Finding] = field(default_factory=list)
    stops: list[tuple[float, float]] = field(default_factory=list)  # (time, seconds)
    turns: list[float] = field(default_factory=list)

    @property
    def backward_steps(self) -> list[Step]:
        return [s for s in self.steps if s.direction == "backward"]

    @property
    def mistakes(self) -> list[Finding]:
        return [f for f in self.findings if f.flagged]

    def steps_per_foot(self) -> dict[str, int]:
        counts = {"left": 0, "right": 0}
        for s in self.backward_steps:
            counts[s.foot] += 1
        return counts

    def to_dict(self) -> dict:
        return {"direction": self.direction, "backward_steps": len(self.backward_steps),
                "forward_steps": len(self.steps) - len(self.backward_steps),
                "steps_per_foot": self.steps_per_foot(),
                "values": {k: _rounded(v) for k, v in self.values.items()},
                "steps": [asdict(s) | {"t": round(s.t, 3), "length_ratio": _rounded(s.length_ratio)}
                          for s in self.steps],
                "stops": [{"t": round(a, 3), "seconds": round(b, 3)} for a, b in self.stops],
                "turns": [round(t, 3) for t in self.turns]}


def _signed_split(metrics: FrameMetrics, pixels: np.ndarray, front: np.ndarray) -> np.ndarray:
    """(T,) left foot minus right foot along travel: + when the left foot is ahead.

    Side/oblique: positions along the facing direction, leg lengths. Front: the toes' image
    heights over the leg length (a toe lower in the frame is nearer the camera, so ahead).
    """
    side = metrics.feet.forward_position["left"] - metrics.feet.forward_position["right"]
    toes = metrics.feet.toe_image["left"][:, 1] - metrics.feet.toe_image["right"][:, 1]
    return np.where(front, toes, side)


def _extremes(d: np.ndarray, prominence: float, plateau_share: float) -> list[int]:
    """Frames where ``d`` turns (zigzag: alternating max and min, each ``prominence`` from the next).

    The split at rest before the first step is not a turn. The last turn counts if the walk
    ends there (no reversal follows when the person stops mid-stride).
    """
    idx = np.flatnonzero(~np.isnan(d))
    out: list[int] = []
    if len(idx) < 3:
        return out
    hi = lo = idx[0]
    trend = 0  # +1: tracking a max, -1: tracking a min, 0: not moving yet
    for i in idx[1:]:
        if d[i] > d[hi]:
            hi = i if trend >= 0 else hi
        if d[i] < d[lo]:
            lo = i if trend <= 0 else lo
        if trend == 0:
            if d[hi] - d[lo] >= prominence:
                trend = 1 if hi > lo else -1
            continue
        if trend == 1 and d[hi] - d[i] >= prominence:
            out.append(int(hi))
            trend, lo = -1, i
        elif trend == -1 and d[i] - d[lo] >= prominence:
            out.append(int(lo))
            trend, hi = 1, i
    last = hi if trend == 1 else lo if trend == -1 else None
    ref = out[-1] if out else idx[0]
    if last is not None and last not in out and abs(d[last] - d[ref]) >= prominence:
        out.append(int(last))
    # a landed foot stays put: the split's extreme is a plateau (within ``plateau_share`` of the
    # minimum swing), and its first frame is the landing
    tol = plateau_share * prominence
    landed = []
    for i in out:
        j = i
        while j > 0 and not np.isnan(d[j - 1]) and abs(d[j - 1] - d[i]) <= tol:
            j -= 1
        landed.append(j)
    return landed


def _unfold(turns: list[int], d: np.ndarray, fold_share: float) -> list[int]:
    """Drop the turns a left/right label swap makes as the legs cross.

    A swap flips the split's sign mid-swing, so one swing reads as split -> ~0 -> split of the
    same sign: a turn with the feet together (under ``fold_share`` of its neighbours' split)
    between two landings on the same side. Real landings alternate sides and leave the feet apart.
    """
    keep = []
    for k, i in enumerate(turns):
        if 0 < k < len(turns) - 1:
            a, b = d[turns[k - 1]], d[turns[k + 1]]
            if np.sign(a) == np.sign(b) and abs(d[i]) < fold_share * min(abs(a), abs(b)):
                continue
        keep.append(i)
    return keep


def _feet_moved(metrics: FrameMetrics, a: int, b: int) -> dict[str, tuple[float, float, float]]:
    """How far each foot moved between frames ``a`` and ``b`` (floor-fixed image, leg lengths):
    (distance, dx, dy) per foot as labelled at ``b``; each end a median over 5 frames.

    The feet are paired by position, not label: the pairing in which one foot stayed put is the
    right one, so a label swap between the two frames does not make both feet look as if they moved.
    """
    ends = [np.array([[g.nan_median(metrics.feet.raw_ankles[max(i - 2, 0): i + 3, k, c]) for c in (0, 1)]
                      for k in (0, 1)]) for i in (a, b)]
    before, after = ends
    pairings = (before, before[::-1])  # keep the labels, or swap them
    moves = [after - p for p in pairings]
    still = [np.nanmin(np.hypot(m[:, 0], m[:, 1])) if not np.isnan(m).all() else np.inf for m in moves]
    move = moves[int(np.argmin(still))]
    return {side: (float(np.hypot(*move[k])), float(move[k, 0]), float(move[k, 1]))
            for k, side in enumerate(("left", "right"))}


def detect_steps(metrics: FrameMetrics, pixels: np.ndarray, profile: Profile) -> list[Step]:
    """Every landing: which foot, which way, when, and how long the step (see the module doc)."""
    t = metrics.t
    if len(t) < 3:
        return []
    front = metrics.view == "front"
    d = _signed_split(metrics, pixels, front)
    d = g.rolling_quantile(d, g.frames_for(profile["walk.glitch_median_s"], t), 50)
    view_front = np.mean(front[~np.isnan(d)]) > 0.5 if (~np.isnan(d)).any() else False  # most frames
    prominence = profile["walk.min_split_front_ratio" if view_front else "walk.min_split_ratio"]
    turns = _unfold(_extremes(d, prominence, profile["walk.plateau_share"]), d, profile["walk.fold_share"])
    lands = [i for k, i in enumerate(turns) if k == 0 or t[i] - t[turns[k - 1]] >= profile["walk.min_step_s"]]
    steps: list[Step] = []
    prev = max(0, lands[0] - g.frames_for(profile["walk.max_step_s"], t)) if lands else 0
    for i in lands:
        moved, start = _feet_moved(metrics, prev, i), prev
        prev = i
        foot = max(moved, key=lambda f: moved[f][0] if not math.isnan(moved[f][0]) else -1.0)
        other = moved["right" if foot == "left" else "left"][0]
        # a step moves one foot; both moving alike is MediaPipe swapping the legs' labels, or a hop
        if not math.isnan(other) and other > profile["walk.both_feet_moved_share"] * moved[foot][0]:
            continue
        _, dx, dy = moved[foot]
        if view_front:
            backward = dy < 0  # up the frame = further from the camera, which the person faces
        else:
            backward = dx * float(np.nanmedian(metrics.facing_sign[start: i + 1])) < 0
        length = None if view_front else abs(float(d[i]))
        steps.append(Step(len(steps) + 1, foot, "backward" if backward else "forward", i, float(t[i]), length))
    return steps


def _walking_frames(steps: list[Step], n: int) -> slice:
    return slice(steps[0].frame, steps[-1].frame + 1) if steps else slice(0, n)


def _cadence(steps: list[Step], stop_gap_s: float) -> tuple[float, list[float]]:
    """Steps per minute from the median interval between landings (stops left out)."""
    gaps = [b.t - a.t for a, b in zip(steps, steps[1:], strict=False)]
    walking = [x for x in gaps if x <= stop_gap_s]
    return (60.0 / float(np.median(walking)) if walking else math.nan), gaps


def _cadence_increase(steps: list[Step], profile: Profile) -> tuple[float, float]:
    """(largest rise of cadence over the first steps' pace, early in the session; when it happened)."""
    window = int(profile["walk.cadence_window_steps"])
    times = np.array([s.t for s in steps])
    if len(times) < 2 * window + 1:
        return math.nan, math.nan
    first = window / (times[window] - times[0])
    early = times <= times[0] + profile["walk.early_session_s"]
    best, when = 0.0, math.nan
    for k in range(window, len(times) - window):
        if not early[k + window]:
            break
        rate = window / (times[k + window] - times[k])
        if rate / first - 1.0 > best:
            best, when = float(rate / first - 1.0), float(times[k + window])
    return best, when


def _asymmetry(values: dict[str, list[float]]) -> tuple[float, str]:
    """|L - R| / mean of the two feet's medians, and the foot with the smaller value."""
    left, right = g.nan_median(np.array(values["left"], float)), g.nan_median(np.array(values["right"], float))
    if math.isnan(left) or math.isnan(right) or left + right <= 0:
        return math.nan, "none"
    return abs(left - right) / ((left + right) / 2), "left" if left < right else "right"


def _sway(metrics: FrameMetrics, pixels: np.ndarray, walk: slice, profile: Profile) -> float:
    """Sideways pelvis excursion from its own running line, in hip widths (front view only)."""
    front = metrics.view == "front"
    hip_mid = g.midpoint(pixels[:, L.LEFT_HIP], pixels[:, L.RIGHT_HIP])[:, 0]
    width = g.distance(pixels[:, L.LEFT_HIP], pixels[:, L.RIGHT_HIP])
    line = g.rolling_quantile(hip_mid, g.frames_for(profile["walk.sway_detrend_s"], metrics.t, minimum=3), 50)
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.where(front, (hip_mid - line) / g.nan_median(width[walk]), np.nan)[walk]
    if np.isnan(offset).all():
        return math.nan
    return float(np.nanpercentile(offset, 95) - np.nanpercentile(offset, 5)) / 2.0


def _head_forward(metrics: FrameMetrics, pixels: np.ndarray, walk: slice) -> float:
    """How far the ears sit ahead of the shoulders along the facing direction, in torso lengths."""
    ears = g.midpoint(pixels[:, L.LEFT_EAR], pixels[:, L.RIGHT_EAR])
    shoulders = g.midpoint(pixels[:, L.LEFT_SHOULDER], pixels[:, L.RIGHT_SHOULDER])
    hips = g.midpoint(pixels[:, L.LEFT_HIP], pixels[:, L.RIGHT_HIP])
    with np.errstate(invalid="ignore", divide="ignore"):
        ahead = (ears[:, 0] - shoulders[:, 0]) * metrics.facing_sign / g.distance(shoulders, hips)
    return g.nan_median(ahead[walk])


def _turns(metrics: FrameMetrics, walk: slice) -> list[float]:
    facing = metrics.facing_sign[walk]
    t = metrics.t[walk]
    return [float(t[i]) for i in np.flatnonzero(np.diff(facing) != 0) + 1]


def analyze_walk(metrics: FrameMetrics, pixels: np.ndarray, profile: Profile) -> WalkResult:
    """Steps, the walk's values and its findings (checks judged on the walking stretch)."""
    steps = detect_steps(metrics, pixels, profile)
    back = [s for s in steps if s.direction == "backward"]
    if not steps:
        direction = "standing"
    elif len(back) >= profile["walk.direction_share"] * len(steps):
        direction = "backward"
    elif len(back) <= (1 - profile["walk.direction_share"]) * len(steps):
        direction = "forward"
    else:
        direction = "mixed"
    walk = _walking_frames(steps, len(metrics.t))
    cadence, gaps = _cadence(back, profile["walk.stop_gap_s"])
    lengths = {f: [s.length_ratio for s in back[1:] if s.foot == f and s.length_ratio is not None]
               for f in ("left", "right")}
    times = {f: [b.t - a.t for a, b in zip(back, back[1:], strict=False) if b.foot == f
                 and b.t - a.t <= profile["walk.stop_gap_s"]] for f in ("left", "right")}
    length_asym, shorter = _asymmetry(lengths)
    time_asym, slower = _asymmetry(times)
    # lengths where they are measured (side); from the front only the timing (landings jitter by
    # ~0.05 s from the side, where the near leg hides the far one: a 13% timing spread on clean walks)
    asym, uneven = (length_asym, shorter) if not math.isnan(length_asym) else (time_asym, slower)
    lean = g.nan_median(metrics["trunk_lean_forward_deg"][walk])
    all_lengths = [x for f in lengths.values() for x in f]
    per_foot = np.array([g.nan_median(np.array(lengths[f], float)) for f in ("left", "right")])
    duration = back[-1].t - back[0].t if len(back) > 1 else math.nan
    increase, jump_t = _cadence_increase(back, profile)
    values = {
        "cadence_spm": cadence,
        "step_length_ratio": g.nan_median(np.array(all_lengths, float)),
        # one foot's steps too long is enough to lose control: judged on the longer foot's median
        "longer_foot_step_length_ratio": np.nanmax(per_foot) if not np.isnan(per_foot).all() else math.nan,
        "speed_leg_lengths_per_s": (sum(all_lengths) / duration) if all_lengths and duration > 0 else math.nan,
        "step_length_asymmetry_ratio": length_asym,
        "step_time_asymmetry_ratio": time_asym,
        "step_asymmetry_ratio": float(asym),
        "trunk_lean_forward_deg": lean,
        "trunk_lean_back_deg": -lean,
        "head_forward_ratio": _head_forward(metrics, pixels, walk),
        "sway_ratio": _sway(metrics, pixels, walk, profile),
        "cadence_increase_ratio": increase,
    }
    result = WalkResult(direction, steps, values)
    result.stops = [(a.t, b.t - a.t) for a, b in zip(back, back[1:], strict=False)
                    if b.t - a.t > profile["walk.stop_gap_s"]]
    result.turns = _turns(metrics, walk)
    if direction == "backward":
        t0 = back[0].t
        longer = ("left", "right")[int(np.nanargmax(per_foot))] if not np.isnan(per_foot).all() else "none"
        side_of = {"none": "none", "shorter": uneven, "longer": longer}
        views = RepViews.whole_clip(metrics.clip_view)
        result.findings = run_checks(CHECKS, values, side_of, views, {"walk": t0, "jump": jump_t if
                                                                      not math.isnan(jump_t) else t0}, profile)
    return result


def assess(inputs: ExerciseInputs, profile: Profile) -> Assessment:
    """The walk (``analyze_walk``); no phases, reps or dips."""
    walk = analyze_walk(inputs.metrics, inputs.series.pixels, profile)
    if inputs.unjudgeable:
        walk = replace(walk, findings=not_judged(walk.findings, inputs.unjudgeable))
    summary = {"direction": walk.direction, "backward_steps": len(walk.backward_steps),
               "steps_per_foot": walk.steps_per_foot(), "cadence_spm": _rounded(walk.values["cadence_spm"], 1),
               "walk_mistakes": sorted({f.code for f in walk.mistakes})}
    return Assessment(np.full(len(inputs.metrics.t), "", dtype=object), walk=walk, summary=summary,
                      counted=[Counted(s.frame, s.foot) for s in walk.backward_steps])


def _rounded(x: float | None, digits: int = 3) -> float | None:
    """For the JSON: rounded, or None where nothing was measured (None, NaN, inf)."""
    return None if x is None or not math.isfinite(x) else round(float(x), digits)
