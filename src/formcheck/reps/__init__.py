"""Rep segmentation in named stages: hip dips (``dips``) -> gates that accept or reject a dip as a rep
(``gates``) -> leg, variant (``legs``) and sets. Every dip is kept with its verdicts (``DipRecord``).

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

import logging
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from ..metrics import FrameMetrics
from ..profile import Profile
from .common import _band_view
from .dips import Verdict, _Dip, _Tracker
from .gates import _in_the_sets_stance, _lunge_dips, _split_stance_groups
from .legs import _order_since, _split_frames, _step_direction, _vote, level_run, stand_view

__all__ = ["CUT_START_REASON", "PHASES", "DipRecord", "Rep", "Segmentation", "Verdict", "level_run", "segment_reps",
           "stand_view"]

PHASES = ("standing", "descending", "bottom", "ascending")
CUT_START_REASON = "clip started mid-rep"
log = logging.getLogger(__name__)


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
    # the hip rose half a descent from the bottom before the rep was cut off: its bottom was seen
    # (always true of a complete rep, never of one the clip started in)
    bottom_seen: bool = True


@dataclass(frozen=True)
class DipRecord:
    """Every hip dip of a clip and what became of it: a rep (``rep``: its index) or the gate that
    turned it away. What ``--explain`` prints and the JSON's ``explain`` block keeps."""

    start_s: float
    bottom_s: float
    end_s: float
    rep: int | None
    gate: str  # the gate that rejected it ("" for a rep)
    verdicts: tuple[Verdict, ...]

    @property
    def outcome(self) -> str:
        return f"rep {self.rep}" if self.rep is not None else f"rejected: {self.gate}"


class Segmentation(NamedTuple):
    """What rep segmentation found: the reps, the per-frame phase labels (see PHASES; "" where
    nobody is seen) and every dip with its verdicts (``DipRecord``)."""

    reps: list[Rep]
    phase: np.ndarray
    dips: list[DipRecord]


def segment_reps(metrics: FrameMetrics, profile: Profile) -> Segmentation:
    """Hip dips -> gates (is the dip a rep?) -> leg, variant and sets."""
    t = metrics.t
    ratio = metrics["hip_height_ratio"]
    phase = np.where(np.isnan(ratio), "", "standing").astype(object)
    back_is_left = metrics.feet.left_leg_behind
    feet_split = metrics.feet.feet_split
    tracker = _Tracker(ratio, metrics.feet.raw_ankles, t, profile, metrics.view == "front")
    dips = tracker.dips()
    candidates, rejected = _lunge_dips(metrics, dips, feet_split, profile, tracker.settled_speed)
    groups = _split_stance_groups(candidates, metrics, profile)
    candidates, groups, outside = _in_the_sets_stance(candidates, groups, metrics, profile)
    rejected += outside
    # the feet stay put through a split-squat set, so its reps share their back leg: one vote
    # over all their bottoms outvotes a stretch where MediaPipe swapped the legs
    group_bands: dict[int, list[np.ndarray]] = {}
    for c, gid in zip(candidates, groups, strict=True):
        if gid >= 0:
            group_bands.setdefault(gid, []).append(c.band)
    reps: list[Rep] = []
    notes: list[Verdict] = []  # per rep, how its leg and variant were read (``--explain``)
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
        notes.append(_leg_note(variant, back_leg, confidence, order, view, c.heel_votes is not None,
                               groups.count(gid) if gid >= 0 else 0))
        other = {"left": "right", "right": "left"}.get(back_leg, "unknown")
        reason = CUT_START_REASON if dip.cut_start else dip.reason
        reps.append(Rep(len(reps) + 1, 0, other if variant == "forward" else back_leg, other, variant,
                        dip.start, c.bottom, dip.end, float(t[dip.start]), float(t[c.bottom]),
                        float(t[dip.end]), not (dip.cut_start or dip.cut_end), reason, view, round(confidence, 3),
                        _bottom_seen(ratio, dip, band, profile)))
        phase[dip.start:band[0]] = "descending"
        phase[band[0]:band[-1] + 1] = "bottom"
        phase[band[-1] + 1:dip.end + 1] = "ascending"
    records = _records(t, ratio, reps, [(*c.verdicts, n) for c, n in zip(candidates, notes, strict=True)], rejected,
                       tracker.dropped)
    return Segmentation(_assign_sets(reps, profile["reps.set_pause_s"]), phase, records)


def _bottom_seen(ratio: np.ndarray, dip: _Dip, band: np.ndarray, profile: Profile) -> bool:
    """A dip's bottom was seen: it ran to its return, or the hip rose half a descent
    (``reps.descend_ratio``) from its bottom band before the clip or the person's track ended.
    A dip the clip started in never shows where it began, so its bottom is not known either."""
    if dip.cut_start:
        return False
    if not dip.cut_end:
        return True
    with np.errstate(invalid="ignore"):
        rise = np.nanmax(ratio[band[-1]:dip.end + 1]) - np.nanmin(ratio[band]) if len(band) else np.nan
    return bool(rise >= (1.0 - profile["reps.descend_ratio"]) / 2)


def _leg_note(variant: str, back_leg: str, share: float, order: np.ndarray, view: str, heel: bool,
              group: int) -> Verdict:
    """How a rep's leg and variant were read, for ``--explain``."""
    votes = int(np.count_nonzero(~np.isnan(order)))
    if group:
        how = f"one split stance kept through {group} reps (their bottoms vote together)"
    elif heel:
        how = "the back foot's heel rose onto its ball (the feet read side by side)"
    elif view == "oblique":
        how = "the feet's change since the stand before the rep (obliquely)"
    else:
        how = f"the feet's order at the bottom ({view or 'unknown'} view)"
    return Verdict("leg_and_variant", True, float("nan"),
                   f"{variant}, back leg {back_leg} ({share:.0%} of {votes} frames agree): {how}")


def _records(t: np.ndarray, ratio: np.ndarray, reps: list[Rep], passed: list[tuple[Verdict, ...]],
             rejected: list[tuple[_Dip, int, list[Verdict]]], dropped: list[tuple[_Dip, Verdict]]) -> list[DipRecord]:
    """Every dip in time order: the reps with the gates they passed (and how their leg was read),
    the others with the gate that turned them away."""
    def lowest(dip: _Dip) -> int:
        r = ratio[dip.start:dip.end + 1]
        return dip.start + (int(np.nanargmin(r)) if not np.isnan(r).all() else 0)

    out = [DipRecord(rep.start_s, rep.bottom_s, rep.end_s, rep.index, "", verdicts)
           for rep, verdicts in zip(reps, passed, strict=True)]
    out += [DipRecord(float(t[d.start]), float(t[b]), float(t[d.end]), None,
                      next(v.gate for v in vs if not v.passed), tuple(vs)) for d, b, vs in rejected]
    out += [DipRecord(float(t[d.start]), float(t[lowest(d)]), float(t[d.end]), None, v.gate, (v,)) for d, v in dropped]
    out.sort(key=lambda r: r.start_s)
    for r in out:
        log.debug("dip %.2f-%.2f-%.2f s: %s (%s)", r.start_s, r.bottom_s, r.end_s, r.outcome,
                  "; ".join(f"{v.gate} {'ok' if v.passed else 'NO'}: {v.detail}" for v in r.verdicts))
    return out


def _assign_sets(reps: list[Rep], pause_s: float) -> list[Rep]:
    out: list[Rep] = []
    current = 1
    for i, rep in enumerate(reps):
        if i and rep.start_s - reps[i - 1].end_s > pause_s:
            current += 1
        out.append(replace(rep, set=current))
    return out
