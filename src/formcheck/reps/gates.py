"""Gates: is a hip dip a rep? Each gate reads its own profile keys and returns a ``Verdict`` with its margin."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import geometry as g
from ..metrics import FrameMetrics
from ..profile import Profile
from .common import _at_least, _band_view, _Candidate, _nan_max, _point_median, _split_from_front, _split_level
from .dips import Verdict, _Dip, _matched_offset


def _lunge_dips(metrics: FrameMetrics, dips: list[_Dip], sep: np.ndarray, profile: Profile,
                settled: np.ndarray) -> tuple[list[_Candidate], list[tuple[_Dip, int, list[Verdict]]]]:
    """The dips that are lunges, and the others with the gate that turned each away.

    Each dip passes the gates in order: it ends where it started (a step into position is no
    rep), the shape of a lunge at its bottom (a split stance and, seen laterally, a bent front knee;
    or the split stance kept from the previous rep), then a sane duration. ``sep``:
    ``metrics.feet.feet_split``; ``settled``: how fast the feet moved (``settled_speed``).
    A rejected dip's entry is (dip, bottom, verdicts)."""
    ctx = _GateInputs.of(metrics, sep, settled)
    out: list[_Candidate] = []
    rejected: list[tuple[_Dip, int, list[Verdict]]] = []
    rest_from = 0
    for dip in dips:
        rest, rest_from = slice(rest_from, dip.start + 1), dip.end
        r = ctx.ratio[dip.start:dip.end + 1]
        if np.isnan(r).all():
            continue
        low = float(np.nanmin(r))
        band = np.where(r <= low + profile["reps.bottom_band_share"] * (1.0 - low))[0] + dip.start
        # the bottom is the middle of the bottom band: the lowest frame of a long hold can be any
        # frame of it, including a glitch
        bottom = int(band[len(band) // 2])
        stepped = _stance_gate(ctx, dip, low, profile)
        if not stepped.passed:
            rejected.append((dip, bottom, [stepped]))
            continue
        verdicts, heel_votes = _shape_gates(ctx, dip, band, rest, profile)
        verdicts.insert(0, stepped)
        if not all(v.passed for v in verdicts):
            # a split the feet never left since the last rep is still there, however this bottom's
            # landmarks read it (from the front the back toe hides behind the front leg)
            kept = bool(out) and _kept_split_stance(metrics, out[-1], band, profile)
            verdicts.append(Verdict("kept_split_stance", kept, float("nan"),
                                    "the feet stayed in the previous rep's split stance" if kept else
                                    "not in the previous rep's split stance either"))
            if not kept:
                rejected.append((dip, bottom, verdicts))
                continue
        verdicts.append(_duration_gate(ctx.t, dip, profile))
        if not verdicts[-1].passed:
            rejected.append((dip, bottom, verdicts))
            continue
        out.append(_Candidate(dip, bottom, band, heel_votes, tuple(verdicts)))
    return out, rejected


@dataclass(frozen=True)
class _GateInputs:
    """The per-frame series the gates read, computed once per clip."""

    metrics: FrameMetrics
    t: np.ndarray
    ratio: np.ndarray
    sep: np.ndarray
    front_knee: np.ndarray
    signed_step: np.ndarray
    heel_gap: np.ndarray
    settled: np.ndarray  # (T,) the faster foot's speed (``settled_speed``), leg lengths per second

    @classmethod
    def of(cls, metrics: FrameMetrics, sep: np.ndarray, settled: np.ndarray) -> _GateInputs:
        front_knee = np.where(metrics.feet.left_leg_behind == 1, metrics["right_knee_flexion_deg"],
                              metrics["left_knee_flexion_deg"])
        signed_step = metrics.feet.forward_position["left"] - metrics.feet.forward_position["right"]
        return cls(metrics, metrics.t, metrics["hip_height_ratio"], sep, front_knee, signed_step,
                   metrics["heel_lift_gap_ratio"], settled)


def _stance_gate(ctx: _GateInputs, dip: _Dip, low: float, profile: Profile) -> Verdict:
    """A dip no lower than a straight-legged split stance (``reps.split_stance_ratio`` of standing
    height) whose feet settle ``reps.moved_away_ratio`` or more from where they started is a step,
    not a rep: walking into position
    or out of a rack, stepping into a split stance. A rep ends where it started: a lunge steps back
    home, a split squat never moves its feet. Clips cut mid-dip have no end to judge."""
    gate = "ends_where_it_started"
    if dip.cut_start or dip.cut_end:
        return Verdict(gate, True, float("nan"), "only part of the dip was seen: no veto")
    ankles = ctx.metrics.feet.raw_ankles
    seen = ~np.isnan(ankles[dip.start:dip.end + 1]).any(axis=(1, 2))
    if not seen.any():
        return Verdict(gate, True, float("nan"), "feet unseen: no veto")
    home = ankles[dip.start + int(np.argmax(seen))]
    end = _feet_settled_after(ctx, dip.end, profile)
    offset = float(_matched_offset(ankles[end:end + 1], home[None])[0])
    tolerance = profile["reps.moved_away_ratio"]
    if np.isnan(offset) or offset <= tolerance:
        return Verdict(gate, True, tolerance - offset, f"the feet ended {offset:.3g} leg lengths from where they "
                       f"started ({tolerance:g} allowed)")
    stance = profile["reps.split_stance_ratio"]
    ok = low <= stance
    return Verdict(gate, ok, tolerance - offset, f"the feet ended {offset:.3g} leg lengths from where they started "
                   f"({tolerance:g} allowed), hips down to {low:.3f} of standing"
                   + (" (lower than a split stance keeps: a rep, wherever the feet went)" if ok else
                      f" only (a split stance keeps {stance:g}): a step into position, not a rep"))


def _feet_settled_after(ctx: _GateInputs, end: int, profile: Profile) -> int:
    """The first frame from ``end`` on where the feet are still (``reps.rest_foot_speed_ratio_per_s``),
    within ``reps.start_lookback_s``; ``end`` itself if they never settle: the hips can be up while
    the stepping foot is still on its way home."""
    t = ctx.t
    last = int(np.searchsorted(t, t[end] + profile["reps.start_lookback_s"]))
    with np.errstate(invalid="ignore"):
        still = np.flatnonzero(ctx.settled[end:last] <= profile["reps.rest_foot_speed_ratio_per_s"])
    return end + int(still[0]) if len(still) else end


def _feet_gap(metrics: FrameMetrics, frames: np.ndarray) -> np.ndarray:
    """How far apart the two ankles are in the image (leg lengths; label-free)."""
    return np.linalg.norm(metrics.feet.ankle_image["left"][frames] - metrics.feet.ankle_image["right"][frames], axis=-1)


def _still_apart(metrics: FrameMetrics, rep_frames: np.ndarray, later: np.ndarray, profile: Profile) -> bool:
    """Seen laterally, the feet stayed about as far apart in ``later`` frames as at the widest of
    ``rep_frames`` (a whole rep: MediaPipe can put a hidden back foot on the front one at the
    bottom): their image gap never fell below ``reps.kept_split_share`` of it (10th and 90th
    percentiles: a glitch is no step). Feet that come together between reps (lunges) read the
    stance width there, a fraction of a split; a split squat set never closes the gap. The
    image gap needs no labels and no facing direction, so it holds from behind too. From the
    front a split shows little in the image gap: no verdict there (False)."""
    if _band_view(metrics, rep_frames) == "front" or not len(later):
        return False
    during, gap = _feet_gap(metrics, rep_frames), _feet_gap(metrics, later)
    if np.isnan(during).all() or np.isnan(gap).all():
        return False
    return bool(np.nanpercentile(gap, 10) >= profile["reps.kept_split_share"] * np.nanpercentile(during, 90))


def _shape_gates(ctx: _GateInputs, dip: _Dip, band: np.ndarray, rest: slice,
                 profile: Profile) -> tuple[list[Verdict], np.ndarray | None]:
    """A lunge's shape at the bottom, and the heel votes where only a raised heel showed the split.

    Knee flexion and step length are read from a side or pseudo-side image. From the front
    MediaPipe's depth reads a 90 deg knee as 20-60 and a jumping jack as a split stance, so there
    the split is the toes' height difference in the frame and the knee goes unjudged."""
    if _split_from_front(ctx.metrics, band):
        return [_front_split_gate(ctx.sep, dip, band, profile)], None
    knee = _knee_gate(ctx.front_knee, band, profile)
    split, heel_votes = _lateral_split_gate(ctx, band, rest, profile)
    return [knee, split], (heel_votes if knee.passed else None)


def _margin_verdict(gate: str, value: float, minimum: float, what: str) -> Verdict:
    """``value`` against ``minimum`` (NaN, unmeasurable, does not veto: ``_at_least``)."""
    if np.isnan(value):
        return Verdict(gate, True, float("nan"), f"{what} not measurable: no veto")
    ok = value >= minimum
    return Verdict(gate, ok, value - minimum, f"{what} {value:.3g} {'>=' if ok else '<'} {minimum:g}")


def _front_split_gate(sep: np.ndarray, dip: _Dip, band: np.ndarray, profile: Profile) -> Verdict:
    """From the front: the toes' height gap at the bottom, or around it (``_split_around``)."""
    level = profile["reps.min_front_split_ratio"]
    verdict = _margin_verdict("front_split", g.nan_median(sep[band]), level, "toes' height gap at the bottom")
    if not verdict.passed and _split_around(sep, dip, band, level):
        return replace(verdict, passed=True, detail=verdict.detail + ", but split on the way down and up")
    return verdict


def _knee_gate(front_knee: np.ndarray, band: np.ndarray, profile: Profile) -> Verdict:
    """Seen laterally: the front knee bent at the bottom (a squat or a sway keeps it straighter)."""
    return _margin_verdict("front_knee_bent", _nan_max(front_knee[band]), profile["reps.min_bottom_knee_flexion_deg"],
                           "front knee flexion (deg)")


def _lateral_split_gate(ctx: _GateInputs, band: np.ndarray, rest: slice,
                        profile: Profile) -> tuple[Verdict, np.ndarray | None]:
    """Seen laterally: the feet split along travel at the bottom, or moved apart since the stand
    (obliquely the stance width projects onto the step and can cancel a short one), or a heel rose
    onto its ball (a short step MediaPipe reads as feet side by side). The heel votes name the back
    leg where only the heel showed the split."""
    minimum = profile["reps.min_step_ratio"]
    step = g.nan_median(ctx.sep[band])
    stepped = abs(g.nan_median(ctx.signed_step[band]) - g.nan_median(ctx.signed_step[rest]))
    if _at_least(step, minimum) or stepped >= minimum:
        best = _nan_max(np.array([step, stepped]))
        return Verdict("feet_split", True, best - minimum, f"feet split {step:.3g} along travel, moved {stepped:.3g} "
                       f"since the stand (leg lengths; {minimum:g} needed)"), None
    lifted = ctx.heel_gap[band] - g.nan_median(ctx.heel_gap[rest])
    lift = abs(g.nan_median(lifted))
    level = profile["reps.min_heel_lift_ratio"]
    if lift >= level:
        votes = np.where(np.isnan(lifted), np.nan, (lifted > 0).astype(float))
        return Verdict("feet_split", True, lift - level, f"feet side by side ({step:.3g}), but a heel rose onto its "
                       f"ball by {lift:.3g} >= {level:g}"), votes
    return Verdict("feet_split", False, max(step, stepped) - minimum,
                   f"feet split {step:.3g} (moved {stepped:.3g}) < {minimum:g}, no heel raised "
                   f"({lift:.3g} < {level:g})"), None


def _duration_gate(t: np.ndarray, dip: _Dip, profile: Profile) -> Verdict:
    """A rep lasts between ``reps.min_duration_s`` (complete reps only) and ``reps.max_duration_s``."""
    duration = float(t[dip.end] - t[dip.start])
    longest, shortest = profile["reps.max_duration_s"], profile["reps.min_duration_s"]
    if duration > longest:
        return Verdict("duration", False, longest - duration, f"{duration:.2f} s > {longest:g} s")
    if not (dip.cut_start or dip.cut_end) and duration < shortest:
        return Verdict("duration", False, duration - shortest, f"{duration:.2f} s < {shortest:g} s")
    return Verdict("duration", True, min(longest - duration, duration - shortest), f"{duration:.2f} s")


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
    hips never came back to standing height (``reps.stand_ratio``) in between, or (from behind)
    the feet never came together (``_still_apart``), or no foot left where it stood at ``a``'s
    bottom and the feet never came level.

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

    From behind the toes are hidden and MediaPipe's guess of them moves with the back knee (half a
    leg length between the top and the bottom of the gym clip's planted back foot), so there the
    ankles' image gap decides: a split squat never closes it (``_still_apart``). Not in other
    views: obliquely a wide stance reads as far apart as a short step, and lunges from one would
    pass for a split squat.
    """
    between = slice(a.band[-1], band[0] + 1)  # the bottoms themselves can lose the hidden back foot
    if _nan_max(metrics["hip_height_ratio"][between]) < profile["reps.stand_ratio"]:
        return True
    if metrics.from_behind(a.band) and _still_apart(metrics, np.arange(a.dip.start, a.dip.end + 1),
                                                     np.arange(a.band[-1], band[0] + 1), profile):
        return True  # from behind the toes are hidden: the feet never came together (``_still_apart``)
    toes = np.stack([metrics.feet.toe_image["left"], metrics.feet.toe_image["right"]], axis=1)
    with np.errstate(invalid="ignore"):
        home = np.array([_point_median(toes[a.band, k]) for k in (0, 1)])
    offset = _matched_offset(toes[between], home[None])
    if np.isnan(home).any() or np.isnan(offset).all():
        return False
    level = _split_level(metrics, a.band, profile)
    with np.errstate(invalid="ignore"):
        came_level = bool(np.any(metrics.feet.feet_split[between] < level))
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


def _in_the_sets_stance(candidates: list[_Candidate], groups: list[int], metrics: FrameMetrics,
                        profile: Profile) -> tuple[list[_Candidate], list[int], list[tuple[_Dip, int, list[Verdict]]]]:
    """A split-squat set keeps one stance and one depth. A member that, seen laterally, has
    neither (its feet split less than ``reps.set_split_share`` of the set's median bottom split,
    its hips dropping less than ``reps.set_depth_share`` of the set's median drop) was stepping
    into or out of the stance, not a rep: the gym clip brings the right foot in and steps it back
    (split 0.13 of the set's, drop 0.26). Either alone is not enough: MediaPipe can put a hidden
    back foot on the front one for a whole bottom (split ~0, full depth), and a true shallow rep
    keeps the stance. Judged in sets of three or more lateral bottoms (a median needs a
    majority); from the front the split is read another way. Returns the kept candidates, their
    groups, and the turned-away ones with their verdicts."""
    ratio = metrics["hip_height_ratio"]
    split_share, depth_share = profile["reps.set_split_share"], profile["reps.set_depth_share"]
    lateral = [not _split_from_front(metrics, c.band) for c in candidates]  # the split in lateral units
    splits = [g.nan_median(metrics.feet.feet_split[c.band]) if side else float("nan")
              for c, side in zip(candidates, lateral, strict=True)]
    drops = [_nan_max(ratio[c.dip.start:c.bottom + 1]) - g.nan_median(ratio[c.band]) for c in candidates]
    median: dict[int, tuple[float, float]] = {}
    for gid in set(groups) - {-1}:
        members = [k for k, (grp, split) in enumerate(zip(groups, splits, strict=True))
                   if grp == gid and not np.isnan(split)]
        if len(members) >= 3:
            median[gid] = (float(np.median([splits[k] for k in members])),
                           float(np.nanmedian([drops[k] for k in members])))
    kept, kept_groups, rejected = [], [], []
    for c, gid, split, drop in zip(candidates, groups, splits, drops, strict=True):
        if gid not in median or np.isnan(split):
            kept.append(c)
            kept_groups.append(gid)
            continue
        set_split, set_drop = median[gid]
        ok = split >= split_share * set_split or drop >= depth_share * set_drop
        margin = max(split / set_split - split_share, drop / set_drop - depth_share)
        verdict = Verdict("in_the_sets_stance", ok, margin,
                          f"feet split {split:.3g} at the bottom and hips down {drop:.3g}, the set's reps "
                          f"{set_split:.3g} and {set_drop:.3g} (shares {split_share:g} / {depth_share:g} needed, "
                          "either)" + ("" if ok else ": stepping into or out of the stance"))
        if ok:
            kept.append(replace(c, verdicts=(*c.verdicts, verdict)))
            kept_groups.append(gid)
        else:
            rejected.append((c.dip, c.bottom, [*c.verdicts, verdict]))
    return kept, kept_groups, rejected
