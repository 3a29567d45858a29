"""A report dict -> the rows the progress history keeps: one session, its reps, its findings.

Pure: everything comes from the report (``Analysis.to_dict(include_frames=False)``, or a saved
report read back) and from the session's ``Origin`` (its key and date), so ``history import
REPORT.json`` and a fresh analysis record exactly the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..report.insights import form_score, top_fixes

LEGS = ("left", "right")
# the rep values the history keeps, as the report's schema names them (``$defs.rep.values``)
DEPTH, LEAN, STEP = "front_knee_flexion_deg", "trunk_lean_forward_deg", "step_length_ratio"
ASSESSED = ("ok", "flagged")  # statuses that judged the movement (uncertain and not_assessed did not)


@dataclass(frozen=True)
class Origin:
    """Where a session comes from: its key (the same session twice is one row) and when it took place."""

    key: str  # "video:<fingerprint>:<exercise>", "live:<started_at>:<source>" or "report:<sha256>"
    kind: str  # video, live or report
    started_at: str  # ISO 8601 in UTC, seconds

    @staticmethod
    def at(key: str, kind: str, when: datetime) -> Origin:
        return Origin(key, kind, when.astimezone(timezone.utc).isoformat(timespec="seconds"))


@dataclass(frozen=True)
class RepRow:
    rep: int  # the rep's index in its report, from 1
    set_no: int
    leg: str  # the stepping leg
    variant: str
    complete: bool
    bottom_s: float
    depth_deg: float | None  # front knee flexion at the bottom
    trunk_lean_deg: float | None
    step_length_ratio: float | None
    confidence: float


@dataclass(frozen=True)
class FindingRow:
    rep: int | None  # None: a finding on the whole walk
    code: str
    family: str
    status: str  # flagged, uncertain, ok, not_assessed
    side: str


@dataclass(frozen=True)
class SessionRow:
    key: str
    kind: str
    started_at: str
    source: str
    exercise: str
    view: str
    model: str
    profile_hash: str | None
    formcheck_version: str
    duration_s: float
    unit: str  # what the counts count: reps, or backward steps of a walk
    left_count: int
    right_count: int
    unknown_count: int
    sets: int
    form_score: float | None  # per cent of the assessed checks passed on complete reps (``insights``)
    top_mistake: str | None  # the most frequent mistake's code

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)


@dataclass(frozen=True)
class SessionRecord:
    session: SessionRow
    reps: tuple[RepRow, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    id: int | None = field(default=None, compare=False)  # the database's id, once stored


def is_report(doc: object) -> bool:
    """A formcheck analysis or live-session report (any ``formcheck-analysis/N``)."""
    return isinstance(doc, dict) and str(doc.get("schema_version", "")).startswith("formcheck-analysis/")


def from_report(report: dict, origin: Origin, profile_hash: str | None,
                priority: dict[str, float]) -> SessionRecord:
    """The rows of one report. Raises KeyError or TypeError on a report missing what the schema requires."""
    s = report["summary"]
    walk = report.get("walk")
    counts = walk["steps_per_foot"] | {"unknown": 0} if walk is not None else s["reps_per_leg"]
    reps = tuple(_rep_row(r) for r in report["reps"])
    findings = tuple(FindingRow(r["index"], f["code"], f["family"], f["status"], f["side"])
                     for r in report["reps"] for f in r["checks"])
    if walk is not None:
        findings += tuple(FindingRow(None, f["code"], f["family"], f["status"], f["side"]) for f in walk["findings"])
    score, top = scores(reps, findings, priority)
    session = SessionRow(origin.key, origin.kind, origin.started_at, str(report["source"]), report["exercise"],
                         report["view"], report["model"], profile_hash, report["formcheck_version"],
                         float(s["duration_s"]), "steps" if walk is not None else "reps", int(counts["left"]),
                         int(counts["right"]), int(counts["unknown"]), int(s["sets"]), score, top)
    return SessionRecord(session, reps, findings)


def _rep_row(r: dict) -> RepRow:
    v = r["values"]
    return RepRow(int(r["index"]), int(r["set"]), r["leg"], r["variant"], bool(r["complete"]), float(r["bottom_s"]),
                  v.get(DEPTH), v.get(LEAN), v.get(STEP), float(r["confidence"]))


def scores(reps: tuple[RepRow, ...] | list[RepRow], findings: tuple[FindingRow, ...] | list[FindingRow],
           priority: dict[str, float]) -> tuple[float | None, str | None]:
    """(form score, most frequent mistake) from the rows, by the report's own rules (``insights``):
    the rows are turned back into the report's shape, so the two can never disagree. A walk is
    one unit (its findings have no rep): it has no form score, as its report has none."""
    complete = {r.rep for r in reps if r.complete}
    by_rep: dict[int, list[dict]] = {r.rep: [] for r in reps}
    walk: list[dict] = []
    for f in findings:
        check = {"code": f.code, "status": f.status}
        (walk if f.rep is None else by_rep.setdefault(f.rep, [])).append(check)
    units = [{"complete": rep in complete, "checks": checks,
              "mistakes": [c for c in checks if c["status"] == "flagged"]} for rep, checks in by_rep.items()]
    score = form_score({"reps": units})
    if walk:
        units.append({"complete": True, "checks": walk, "mistakes": [c for c in walk if c["status"] == "flagged"]})
    fixes = top_fixes({"reps": units}, priority, n=1)
    return score, fixes[0].code if fixes else None
