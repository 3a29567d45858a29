"""Findings to words: one short cue per mistake code, said the way a coach would say it.

Cues are short enough to read from 3 m and to speak in about a second.
"""

from __future__ import annotations

CUES: dict[str, str] = {
    "stance_too_narrow": "Start with your feet hip-width apart",
    "stance_too_wide": "Bring your feet in to hip width",
    "step_too_short": "Take a longer step back",
    "step_too_long": "Shorten your step",
    "step_crosses_midline": "Step straight back, not across",
    "stepped_forward": "Step back, not forward",
    "knee_past_toes": "Keep your front knee over your ankle",
    "knee_caving_in": "Push your front knee out over your toes",
    "depth_short": "Lower until both knees reach 90 degrees",
    "trunk_lean_forward": "Chest up, keep your trunk upright",
    "trunk_lean_side": "Stay tall, don't lean sideways",
    "hip_drop": "Keep your hips level",
    "hips_rotated": "Keep your hips facing forward",
}

PLAIN: dict[str, str] = {
    "stance_too_narrow": "feet too close together at the start",
    "stance_too_wide": "feet too wide apart at the start",
    "step_too_short": "step back too short",
    "step_too_long": "step too long",
    "step_crosses_midline": "back foot stepped across the midline",
    "stepped_forward": "stepped forward instead of back",
    "knee_past_toes": "front knee travelled past the toes",
    "knee_caving_in": "front knee caved inward",
    "depth_short": "did not lower to about 90 degrees",
    "trunk_lean_forward": "trunk leaned forward",
    "trunk_lean_side": "trunk leaned sideways",
    "hip_drop": "one hip dropped",
    "hips_rotated": "hips turned away from forward",
}


def cue_for(code: str) -> str:
    return CUES.get(code, code.replace("_", " "))


def describe(code: str) -> str:
    return PLAIN.get(code, code.replace("_", " "))
