"""Rep-level truth for the benchmark: which mistakes each true rep really shows.

A rendered rep is labelled from the generator's true 3-D values, not from which fault was asked
for: a small injected fault can leave the rep clean, and a big one can push another value past
its threshold (a step too long keeps the back knee from bending). Each rule compares one true
value with the tool's own threshold; values within ``band`` of it are "borderline" and either
answer is accepted there, because a 2-D pose model cannot place a rep exactly on its threshold.

Real clips carry rep-by-rep labels with free-text mistakes; ``MISTAKE_CODES`` is the reading of
them, written once here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..exercises import reverse_lunge
from ..profile import Profile

POS, NEG, BORDER, UNKNOWN = "pos", "neg", "border", "unknown"
STEPPED_FORWARD = "stepped_forward"


@dataclass(frozen=True)
class Rule:
    """A code is present when the true value is past the profile threshold by more than ``band``."""

    code: str
    true_value: str   # key of the generator's true_values, or of _DERIVED
    threshold: str    # profile key (the same threshold the tool uses)
    compare: str      # "above" | "below"
    band: float       # half-width of the borderline band, in the value's unit


# Bands: the accuracy a monocular 2-D pose model can promise for each value, measured as the
# spread of the tool's value around the truth on the rendered samples (README, "Accuracy").
RULES: tuple[Rule, ...] = (
    Rule("stance_too_narrow", "stance_width_ratio", "checks.stance.too_narrow_ratio", "below", 0.12),
    Rule("stance_too_wide", "stance_width_ratio", "checks.stance.too_wide_ratio", "above", 0.25),
    Rule("step_too_short", "step_length_ratio", "checks.step.too_short_ratio", "below", 0.08),
    Rule("step_too_long", "step_length_ratio", "checks.step.too_long_ratio", "above", 0.10),
    Rule("step_crosses_midline", "back_foot_across_midline_ratio", "checks.step.crosses_midline_ratio", "above",
         0.15),
    Rule("back_heel_down", "back_heel_lift_ratio", "checks.foot.back_heel_min_lift_ratio", "below", 0.02),
    Rule("knee_past_toes", "knee_front_past_toes_ratio", "checks.knee.past_toes_ratio", "above", 0.08),
    Rule("knee_caving_in", "knee_valgus_deg", "checks.knee.valgus_deg", "above", 5.0),
    Rule("depth_short", "front_knee_flexion_deg", "checks.knee.depth_front_min_flexion_deg", "below", 8.0),
    Rule("depth_short", "back_knee_flexion_deg", "checks.knee.depth_back_min_flexion_deg", "below", 8.0),
    Rule("trunk_lean_forward", "trunk_lean_forward_deg", "checks.posture.trunk_forward_deg", "above", 5.0),
    Rule("trunk_lean_side", "trunk_lean_side_deg", "checks.posture.trunk_side_deg", "above", 4.0),
    Rule("hip_drop", "pelvic_obliquity_deg", "checks.posture.hip_drop_deg", "above", 3.0),
    Rule("hips_rotated", "hip_rotation_deg", "checks.posture.hip_rotation_deg", "above", 7.0),
)
CODES: tuple[str, ...] = tuple(dict.fromkeys([r.code for r in RULES] + [STEPPED_FORWARD]))


def _valgus_deg(values: dict, profile: Profile) -> float | None:
    """Valgus as the FPPA an equal-length thigh and shin make with the knee off the hip-ankle
    line by the generator's medial knee offset (shin lengths): 2 asin(offset). The generator's
    own 3-D FPPA is not used: at a lunge's bottom the thigh's frontal projection is nearly a
    point, and a 4 deg twist of the knee already reads 55 deg."""
    offset = values.get("knee_medial_offset_ratio")
    if offset is None:
        return None
    return math.copysign(2.0 * math.degrees(math.asin(min(abs(offset), 1.0))), offset)


def _knee_front_past_toes(values: dict, profile: Profile) -> float | None:
    """The front of the knee past the toes, as the tool defines it (``geometry.knee_front_past_toes``):
    the generator's joint centre past the toe tip along the floor plus the knee's anthropometric
    depth in front of it. Derived here, so the published renders keep their stored truth."""
    centre = values.get("knee_past_toes_ratio")
    return None if centre is None else centre + profile["checks.knee.knee_front_ratio"]


_DERIVED = {"knee_valgus_deg": _valgus_deg, "knee_front_past_toes_ratio": _knee_front_past_toes}


def true_value(values: dict, key: str, profile: Profile) -> float | None:
    """One true value of a rendered rep: the generator's, or derived from it (``_DERIVED``)."""
    return _DERIVED[key](values, profile) if key in _DERIVED else values.get(key)


def rule_label(rule: Rule, value: float | None, profile: Profile) -> str:
    """pos / neg / border for one true value (unknown when the generator has none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    past = value - profile[rule.threshold] if rule.compare == "above" else profile[rule.threshold] - value
    return POS if past > rule.band else NEG if past < -rule.band else BORDER


def combine(labels: list[str]) -> str:
    """Several rules for one code (depth of either knee): any pos wins, then border, then neg."""
    for label in (POS, BORDER, NEG):
        if label in labels:
            return label
    return UNKNOWN


def rendered_rep_labels(rep: dict, profile: Profile) -> dict[str, str]:
    """Label every code for one true rep of a rendered clip."""
    by_code: dict[str, list[str]] = {}
    for rule in RULES:
        value = true_value(rep["true_values"], rule.true_value, profile)
        by_code.setdefault(rule.code, []).append(rule_label(rule, value, profile))
    labels = {code: combine(found) for code, found in by_code.items()}
    labels[STEPPED_FORWARD] = POS if rep["variant"] == "forward" else NEG
    return labels


def assessable_codes(view: str) -> set[str]:
    """Codes the tool promises to judge from this (true) view."""
    codes = {c.code for c in reverse_lunge.CHECKS if view in c.views and not c.unavailable}
    return codes | {STEPPED_FORWARD}


# Reading of real-labels.json's mistake descriptions: the codes each one names (the labels give a
# family and plain words). A rep labelled clean is negative for every code, one with mistakes is
# positive for the codes they name and negative for the rest, an unjudged one unknown for all; a
# description not read here leaves its rep unknown too. A forward lunge is stepped_forward.
MISTAKE_CODES: dict[str, tuple[str, ...]] = {
    "posture: trunk leans forward": ("trunk_lean_forward",),
    "foot_placement: the feet land in one line": ("stance_too_narrow", "step_crosses_midline"),
}
# The tool names a split squat by its back leg; the labels name its front leg.
_OTHER_LEG = {"left": "right", "right": "left"}


def _rep_labels(rep: dict) -> dict[str, str]:
    """Every code's label for one labelled real rep (see ``MISTAKE_CODES``)."""
    form = rep.get("form")
    if isinstance(form, str) and form.startswith("clean"):
        labels = dict.fromkeys(CODES, NEG)
    elif isinstance(form, list):
        named = [next((codes for text, codes in MISTAKE_CODES.items() if item.startswith(text)), None) for item in form]
        labels = dict.fromkeys(CODES, UNKNOWN if None in named else NEG)
        labels.update({code: POS for codes in named if codes for code in codes})
    else:
        labels = dict.fromkeys(CODES, UNKNOWN)
    labels[STEPPED_FORWARD] = POS if rep.get("variant") == "forward" else NEG
    return labels


def _stepping_leg(rep: dict) -> str:
    """The labelled leg as the tool names it: a split squat's back leg, a lunge's stepping leg."""
    leg = rep.get("leg", "?")
    return _OTHER_LEG.get(leg, leg) if rep.get("variant") == "split_squat" else leg


def real_truth(entry: dict) -> dict:
    """Rendered-style truth (reps with bottoms, completeness, legs, labels) for a clip of
    real-labels.json: its complete reps, then the clip's leg (left / right when every rep says
    which, else same / alternating / ?) and the lower end of its labelled count."""
    fps = float(entry["fps"])
    reps = [{"index": i + 1, "bottom_s": round(r["bottom_frame"] / fps, 4), "complete": True,
             "leg": _stepping_leg(r), "labels": _rep_labels(r)} for i, r in enumerate(entry.get("reps", []))]
    legs = {r["leg"] for r in reps}
    leg = legs.pop() if len(legs) == 1 else "mixed" if legs <= {"left", "right"} else "?"
    return {"view": view_class(entry["view"]), "leg": leg, "complete_reps": int(entry["complete_reps"][0]),
            "reps": reps}


def view_class(text: str) -> str:
    """A label's free-text view as the tool's view classes: 'rear oblique: ...' -> rear-oblique,
    'three-quarter side ...' -> oblique, 'pure side, ...' -> side, 'front, ...' -> front."""
    head = text.split(":")[0].split(",")[0].lower()
    if head.startswith("rear"):
        return "rear-oblique" if "oblique" in head else "rear"
    if "three-quarter" in head or "oblique" in head:
        return "oblique"
    return "side" if "side" in head else "front" if "front" in head else ""
