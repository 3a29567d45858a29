"""Rep-level truth for the benchmark: which mistakes each true rep really shows.

A rendered rep is labelled from the generator's true 3-D values, not from which fault was asked
for: a small injected fault can leave the rep clean, and a big one can push another value past
its threshold (a step too long keeps the back knee from bending). Each rule compares one true
value with the tool's own threshold; values within ``band`` of it are "borderline" and either
answer is accepted there, because a 2-D pose model cannot place a rep exactly on its threshold.

Real clips carry free-text labels; ``REAL_LABELS`` is the reading of them, written once here.
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


# Reading of labels.json's free text: per clip, the codes every true rep shows (pos) or is
# described as free of (neg), the stepping leg when stated, and the view. Unlisted codes are unknown.
REAL_LABELS: dict[str, dict] = {
    "reverse_lunge_band_34side": {   # "good: trunk upright, front knee over the ankle"
        "view": "oblique", "leg": "left",
        "pos": (), "neg": ("trunk_lean_forward", "knee_past_toes", STEPPED_FORWARD, "depth_short")},
    # "textbook forward lunge". labels.json says "the same leg forward every rep", but the frames
    # show the legs alternate: the leggings' reflective calf stripe, on the leg nearer the camera,
    # is on the back shin at the bottoms at frames 197, 295, 393, 495 and on the front shin at 245, 345,
    # 445, 542. Both MediaPipe models, tracked or frame by frame, agree; so it is scored as alternating.
    "forward_lunge_side": {
        "view": "side", "leg": "alternating",
        "pos": (STEPPED_FORWARD,), "neg": ("trunk_lean_forward", "knee_past_toes", "depth_short")},
    "split_squat_side_trunk_lean": {  # "deliberate forward trunk lean at every bottom"; "rear knee nearly touches"
        "view": "side", "leg": "same",
        "pos": ("trunk_lean_forward",), "neg": (STEPPED_FORWARD, "depth_short")},
    "jumping_jacks_front": {         # negative control: no lunge at all
        "view": "front", "leg": None, "pos": (), "neg": ()},
}


def real_truth(name: str, entry: dict) -> dict:
    """Rendered-style truth (reps with bottoms, completeness, labels) for a labelled real clip."""
    spec = REAL_LABELS.get(name, {"view": "", "leg": None, "pos": (), "neg": ()})
    fps = float(entry["fps"])
    bottoms = entry.get("bottom_frames_approx", [])
    complete = int(entry.get("complete_reps", 0))
    labels = {code: UNKNOWN for code in CODES}
    labels.update({code: NEG for code in spec["neg"]})
    labels.update({code: POS for code in spec["pos"]})
    reps = [{"index": i + 1, "bottom_s": round(f / fps, 4), "complete": i < complete, "leg": spec["leg"],
             "labels": dict(labels)} for i, f in enumerate(bottoms)]
    return {"view": spec["view"], "leg": spec["leg"], "complete_reps": complete, "reps": reps}
