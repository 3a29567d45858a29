"""CSV report: one row per rep, for spreadsheets."""

from __future__ import annotations

import csv
import io
import os

from ..analysis import Analysis
from ..feedback import cue_for
from .atomic import write_text_atomic

VALUE_COLUMNS = (
    "front_knee_flexion_deg", "back_knee_flexion_deg", "trunk_lean_forward_deg", "trunk_lean_side_deg",
    "pelvis_tilt_deg", "pelvis_rotation_abs_deg", "step_length_ratio", "stance_width_ratio",
    "front_knee_past_toe_ratio", "front_knee_valgus_deg", "back_foot_across_midline_ratio", "back_heel_lift_ratio",
)
COLUMNS = ("rep", "set", "leg", "front_leg", "variant", "complete", "incomplete_reason", "view",
           "start_s", "bottom_s", "end_s") + VALUE_COLUMNS + ("mistakes", "uncertain", "not_assessed", "cues",
                                                       "confidence")


STEP_COLUMNS = ("step", "foot", "direction", "t_s", "length_ratio")


def to_csv(analysis: Analysis) -> str:
    """One row per rep; for a walk, one row per step."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if analysis.walk is not None:
        writer.writerow(STEP_COLUMNS)
        for st in analysis.walk.steps:
            writer.writerow([st.index, st.foot, st.direction, round(st.t, 3),
                             "" if st.length_ratio is None else round(st.length_ratio, 3)])
        return buffer.getvalue()
    writer.writerow(COLUMNS)
    for r in analysis.reps:
        rep = r.rep
        mistakes = sorted({f.code for f in r.mistakes})
        skipped = sorted({f.code for f in r.findings if f.status == "not_assessed"} - set(mistakes))
        values = ["" if r.values.get(k) != r.values.get(k) else r.values.get(k, "") for k in VALUE_COLUMNS]
        writer.writerow([rep.index, rep.set, rep.leg, rep.front_leg, rep.variant, rep.complete,
                         rep.incomplete_reason, rep.view, round(rep.start_s, 3), round(rep.bottom_s, 3),
                         round(rep.end_s, 3), *values, ";".join(mistakes),
                         ";".join(sorted({f.code for f in r.uncertain} - set(mistakes))), ";".join(skipped),
                         " / ".join(cue_for(c) for c in mistakes), r.confidence])
    return buffer.getvalue()


def write_csv(analysis: Analysis, path: str | os.PathLike) -> None:
    write_text_atomic(path, to_csv(analysis))
