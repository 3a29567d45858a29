"""What a person wants to know first, computed from a saved report (the JSON's dict): pure Python.

The form score, the top things to fix, and the left/right comparison the article cares about
(single-leg work exposes strength imbalances). Working from the report dict means a saved
session renders exactly as a fresh analysis does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..feedback import cue_for, describe

IMBALANCE_DEPTH_DEG = 10.0  # [coaching] a 10 deg difference in front-knee depth between legs is worth saying
IMBALANCE_LEAN_DEG = 5.0  # [coaching] likewise for trunk lean (within-person lean varies 2-4 deg rep to rep)


@dataclass(frozen=True)
class Fix:
    code: str
    reps: int  # complete reps with this mistake
    of_reps: int
    what: str  # plain words
    cue: str


@dataclass(frozen=True)
class LegSummary:
    leg: str  # the stepping leg; the other one (the front leg) does most of the work
    reps: int
    front_knee_deg: float  # mean at the bottom: depth
    back_knee_deg: float
    trunk_lean_deg: float
    mistakes: int  # mistake codes flagged on this leg's reps (one per code per rep)
    clean_reps: int


def complete_reps(report: dict) -> list[dict]:
    return [r for r in report["reps"] if r["complete"]]


def rep_codes(rep: dict) -> set[str]:
    return {m["code"] for m in rep["mistakes"]}


def form_score(report: dict) -> float | None:
    """Per cent of the assessed checks that passed on complete reps (None if nothing was assessed).

    A code checked twice on one rep (depth on both knees) counts once: failed if either failed.
    An ``uncertain`` check (past its threshold without confidence) counts neither way.
    """
    passed = total = 0
    for rep in complete_reps(report):
        status: dict[str, bool] = {}
        for check in rep["checks"]:
            if check["status"] not in ("not_assessed", "uncertain"):
                status[check["code"]] = status.get(check["code"], True) and check["status"] == "ok"
        if any(code == "stepped_forward" for code in rep_codes(rep)):
            status["stepped_forward"] = False
        passed += sum(status.values())
        total += len(status)
    return round(100.0 * passed / total, 1) if total else None


def top_fixes(report: dict, priority: dict[str, float], n: int = 3) -> list[Fix]:
    """The ``n`` most frequent mistakes (ties: the more important first), in plain words."""
    reps = complete_reps(report)
    counts: dict[str, int] = {}
    for rep in reps:
        for code in rep_codes(rep):
            counts[code] = counts.get(code, 0) + 1
    ranked = sorted(counts, key=lambda c: (-counts[c], priority.get(c, math.inf), c))[:n]
    return [Fix(c, counts[c], len(reps), describe(c), cue_for(c)) for c in ranked]


def _mean(values: list) -> float:
    real = [v for v in values if v is not None and not math.isnan(v)]
    return sum(real) / len(real) if real else math.nan


def leg_summaries(report: dict) -> dict[str, LegSummary]:
    out = {}
    for leg in ("left", "right"):
        reps = [r for r in complete_reps(report) if r["leg"] == leg]
        out[leg] = LegSummary(
            leg, len(reps),
            _mean([r["values"].get("front_knee_flexion_deg") for r in reps]),
            _mean([r["values"].get("back_knee_flexion_deg") for r in reps]),
            _mean([r["values"].get("trunk_lean_forward_deg") for r in reps]),
            sum(len(rep_codes(r)) for r in reps), sum(1 for r in reps if not r["mistakes"]))
    return out


def imbalances(legs: dict[str, LegSummary]) -> list[str]:
    """Plain sentences for the left/right differences worth a person's attention."""
    left, right = legs["left"], legs["right"]
    notes = []
    if left.reps and right.reps:
        depth = left.front_knee_deg - right.front_knee_deg
        if abs(depth) >= IMBALANCE_DEPTH_DEG:
            deeper, shallower = ("right", "left") if depth > 0 else ("left", "right")
            notes.append(f"The {deeper} leg works through a deeper lunge than the {shallower} "
                         f"({abs(depth):.0f} deg more front-knee bend): strengthen the {shallower} leg.")
        lean = left.trunk_lean_deg - right.trunk_lean_deg
        if abs(lean) >= IMBALANCE_LEAN_DEG:
            more = "stepping back with the left" if lean > 0 else "stepping back with the right"
            notes.append(f"You lean forward {abs(lean):.0f} deg more when {more} leg.")
        if left.mistakes != right.mistakes and max(left.mistakes, right.mistakes) >= 2:
            worse = "left" if left.mistakes > right.mistakes else "right"
            notes.append(f"More mistakes when stepping back with the {worse} leg "
                         f"({max(left.mistakes, right.mistakes)} against {min(left.mistakes, right.mistakes)}).")
    elif left.reps or right.reps:
        only = "left" if left.reps else "right"
        notes.append(f"Only the {only} leg stepped back: do both legs to compare them.")
    return notes


def target_verdict(count: int, target: tuple[int, int], unit: str) -> str:
    lo, hi = target
    if count < lo:
        return f"{count} of {lo}-{hi} {unit}"
    if count > hi:
        return f"{count} {unit}: more than the {lo}-{hi} suggested"
    return f"{count} {unit}: on target ({lo}-{hi})"
