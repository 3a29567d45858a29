"""What every exercise provides and returns: the ``Exercise`` interface and its one result type.

An exercise is a module (``reverse_lunge``, ``reverse_walk``) that names itself, says what its
counter counts, lists its checks, and turns the smoothed series and its metrics into an
``Assessment``. The analysis calls ``assess`` and nothing else, so a third exercise is a new
module and one entry in ``exercises.EXERCISES``. Judging a rep is shared here, for every
exercise made of reps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..checks import UNCERTAIN, Check, Finding, RepViews, not_judged, run_checks
from ..confidence import rep_confidence, rep_evidence
from ..metrics import FrameMetrics
from ..profile import Profile
from ..reps import CUT_START_REASON, DipRecord, Rep, stand_view
from ..series import PoseSeries

if TYPE_CHECKING:
    from .reverse_walk import WalkResult


@dataclass(frozen=True)
class ExerciseInputs:
    """What an exercise judges: the smoothed series (legs named), its metrics, and why no check
    can be judged in this video ("" when they can: see ``api._with_exposure``)."""

    series: PoseSeries
    metrics: FrameMetrics
    unjudgeable: str = ""


@dataclass(frozen=True)
class RepResult:
    rep: Rep
    values: dict[str, float]
    findings: list[Finding]
    confidence: float = 1.0  # the weakest of the leg vote, the legs' visibility and the mirror's agreement

    @property
    def mistakes(self) -> list[Finding]:
        return [f for f in self.findings if f.flagged]

    @property
    def uncertain(self) -> list[Finding]:
        """Past a threshold, but not confidently: shown, never cued or scored."""
        return [f for f in self.findings if f.status == UNCERTAIN]

    def to_dict(self, number: Callable[[float], float | None], finding: Callable[[Finding], dict]) -> dict:
        d = asdict(self.rep)
        d["values"] = {k: number(v) for k, v in self.values.items()}
        d["confidence"] = self.confidence
        d["mistakes"] = [finding(f) for f in self.mistakes]
        d["uncertain"] = [finding(f) for f in self.uncertain]
        d["checks"] = [finding(f) for f in self.findings]
        return d


@dataclass(frozen=True)
class Counted:
    """One movement the counter counts (a complete rep, a backward step): the frame it was done
    by, and the leg that did it."""

    frame: int
    leg: str


@dataclass(frozen=True)
class Assessment:
    """The one result type of every exercise.

    ``phase``: (T,) each frame's phase ("" where none); ``reps`` and ``dips``: the reps judged and
    every hip dip with what became of it (``--explain``), empty for an exercise without reps;
    ``walk``: a walk's steps and findings, None for other exercises; ``summary``: the exercise's
    own entries for ``Analysis.summary``; ``counted``: what its counter counts."""

    phase: np.ndarray
    reps: list[RepResult] = field(default_factory=list)
    dips: list[DipRecord] = field(default_factory=list)
    walk: WalkResult | None = None
    summary: dict = field(default_factory=dict)
    counted: list[Counted] = field(default_factory=list)


@runtime_checkable
class Exercise(Protocol):
    """An exercise module: ``NAME`` as the command line spells it, ``UNIT`` what the live counter
    shows beside its counts, ``CHECKS`` every check it can judge, and ``assess``."""

    NAME: str
    UNIT: str
    CHECKS: tuple[Check, ...]

    def assess(self, inputs: ExerciseInputs, profile: Profile) -> Assessment: ...


RepValues = Callable[[Rep, FrameMetrics, np.ndarray, Profile], dict[str, float]]
RepSides = Callable[[Rep, dict[str, float]], dict[str, str]]


def judge_reps(reps: list[Rep], phase: np.ndarray, checks: tuple[Check, ...], rep_values: RepValues,
               sides_for: RepSides, inputs: ExerciseInputs, profile: Profile) -> list[RepResult]:
    """Values and findings of every rep (``judge_rep``)."""
    seen = inputs.series.seen_pixels(profile["pose.min_visibility"])
    return [judge_rep(rep, checks, rep_values(rep, inputs.metrics, seen, profile), sides_for, inputs,
                      bottom_frames(phase, rep), profile) for rep in reps]


def judge_rep(rep: Rep, checks: tuple[Check, ...], values: dict[str, float], sides_for: RepSides,
              inputs: ExerciseInputs, bottom: np.ndarray, profile: Profile) -> RepResult:
    """The findings of one rep. A rep seen only in part is not judged on "too little" (too
    shallow, too short a step): its lowest seen frame need not be its bottom, and such a cue would
    be invented. Its "too much" findings stand (the unseen part can only have shown more), unless
    the clip started mid-rep: then its start was never seen, and neither was a stand to measure it
    against. A rep cut off after its bottom (``Rep.bottom_seen``) is judged whole. A check of the
    rep stage's own classification (``Check.classified``) stands on any part of a rep that was
    seen. ``bottom``: the rep's bottom frames (their evidence makes the findings' confidence)."""
    metrics = inputs.metrics
    evidence = rep_evidence(inputs.series.image, metrics.runs_disagree, bottom, profile)
    times = {"start": rep.start_s, "bottom": rep.bottom_s}
    views = RepViews(rep.view, stand_view(metrics, rep, profile["view.stand_window_s"]), metrics.clip_view,
                     from_behind=metrics.from_behind(np.arange(rep.start_frame, rep.end_frame + 1)))
    findings = run_checks(checks, values, sides_for(rep, values), views, times, profile, evidence)
    if inputs.unjudgeable:
        findings = not_judged(findings, inputs.unjudgeable)
    elif not rep.complete and not rep.bottom_seen:
        partial = f"only part of this rep was seen ({rep.incomplete_reason})"
        started_unseen = rep.incomplete_reason == CUT_START_REASON  # its stance and step were never seen
        classified = {c.code for c in checks if c.classified}
        findings = [not_judged([f], partial)[0]
                    if f.code not in classified and (started_unseen or f.compare == "below") else f
                    for f in findings]
    return RepResult(rep, values, findings, rep_confidence(rep.leg_confidence, evidence))


def bottom_frames(phase: np.ndarray, rep: Rep) -> np.ndarray:
    """The frames of a rep labelled "bottom" (its bottom frame alone if none)."""
    frames = rep.start_frame + np.flatnonzero(phase[rep.start_frame:rep.end_frame + 1] == "bottom")
    return frames if len(frames) else np.array([rep.bottom_frame])
