"""The history as CSV: one row per rep, each with its session's columns, for spreadsheets.

A session without reps (a walk, or a set with none found) still has its row, its rep columns
empty, so no session is missing from the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .record import SessionRecord

SESSION_COLUMNS = ("session", "started_at", "kind", "source", "exercise", "view", "model", "profile_hash",
                   "formcheck_version", "duration_s", "unit", "left_count", "right_count", "sets", "form_score",
                   "top_mistake")
REP_COLUMNS = ("rep", "set", "leg", "variant", "complete", "bottom_s", "depth_deg", "trunk_lean_deg",
               "step_length_ratio", "confidence", "mistakes")


def _cell(x) -> object:
    return "" if x is None else x


def history_csv(sessions: Sequence[SessionRecord]) -> str:
    """``started_at`` in local time with its UTC offset; ``mistakes``: the rep's flagged codes, sorted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SESSION_COLUMNS + REP_COLUMNS)
    for s in sessions:
        r = s.session
        head = [s.id, r.started.astimezone().isoformat(timespec="seconds"), r.kind, r.source, r.exercise, r.view,
                r.model, r.profile_hash, r.formcheck_version, r.duration_s, r.unit, r.left_count, r.right_count,
                r.sets, r.form_score, r.top_mistake]
        flagged: dict[int | None, set[str]] = {}
        for f in s.findings:
            if f.status == "flagged":
                flagged.setdefault(f.rep, set()).add(f.code)
        if not s.reps:
            writer.writerow([_cell(x) for x in head] + [""] * (len(REP_COLUMNS) - 1)
                            + [";".join(sorted(flagged.get(None, ())))])
        for rep in s.reps:
            writer.writerow([_cell(x) for x in head + [rep.rep, rep.set_no, rep.leg, rep.variant, rep.complete,
                                                       rep.bottom_s, rep.depth_deg, rep.trunk_lean_deg,
                                                       rep.step_length_ratio, rep.confidence]]
                            + [";".join(sorted(flagged.get(rep.rep, ())))])
    return buffer.getvalue()
