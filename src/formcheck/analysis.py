"""The pipeline after pose: leg identity -> smoothing -> metrics -> reps -> checks, and the result object.

``Analysis`` is what ``analyze_video`` and ``analyze_landmarks`` return and what the JSON, CSV
and summary table are written from, so the three can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from . import __version__
from .checks import Finding
from .errors import InputError
from .exercises import EXERCISES
from .exercises.base import Assessment, Counted, ExerciseInputs, RepResult
from .exercises.reverse_walk import WalkResult
from .feedback import cue_for
from .identity import IdentitySettings, swap_flags
from .metrics import METRIC_NAMES, FrameMetrics, compute_metrics
from .points import gated_points
from .profile import Profile, load_profile
from .raw_evidence import RawEvidence, raw_evidence
from .reps import DipRecord
from .series import Capture, PoseSeries
from .smoothing import smooth_series
from .view import body_yaw_deg, facing_away

SCHEMA_VERSION = "formcheck-analysis/1"
TARGET_REPS_PER_LEG = (12, 15)  # [article] 12-15 reps per leg
TARGET_SETS = (2, 3)  # [article] 2-3 sets


@dataclass(frozen=True)
class Analysis:
    exercise: str
    source: str
    model: str
    image_size: tuple[int, int]
    view: str
    series: PoseSeries
    metrics: FrameMetrics
    assessment: Assessment  # what the exercise made of it (``exercises.base``)
    profile_path: str
    warnings: list[str] = field(default_factory=list)

    @property
    def phase(self) -> np.ndarray:
        return self.assessment.phase

    @property
    def reps(self) -> list[RepResult]:
        return self.assessment.reps

    @property
    def dips(self) -> list[DipRecord]:
        """Every hip dip and what became of it (``--explain``)."""
        return self.assessment.dips

    @property
    def walk(self) -> WalkResult | None:
        """Walking backwards: its steps and findings (None for other exercises)."""
        return self.assessment.walk

    @property
    def counted(self) -> list[Counted]:
        """What the exercise's counter counts: complete reps, or backward steps."""
        return self.assessment.counted

    @property
    def unit(self) -> str:
        """What the live counter shows beside its counts (``Exercise.UNIT``)."""
        return EXERCISES[self.exercise].UNIT

    @property
    def feet_visible_share(self) -> float:
        """Share of the frames with a person in which both ankles are visible (1.0 if nobody)."""
        detected = self.series.detected
        if not detected.any():
            return 1.0
        ankles = self.metrics.feet.ankle_image
        feet = ~np.isnan(ankles["left"][:, 0]) & ~np.isnan(ankles["right"][:, 0])
        return float(np.mean(feet[detected]))

    @property
    def complete_reps(self) -> list[RepResult]:
        return [r for r in self.reps if r.rep.complete]

    def reps_per_leg(self, complete_only: bool = True) -> dict[str, int]:
        counts = {"left": 0, "right": 0, "unknown": 0}
        for r in self.complete_reps if complete_only else self.reps:
            counts[r.rep.leg if r.rep.leg in counts else "unknown"] += 1
        return counts

    @property
    def sets(self) -> int:
        return max((r.rep.set for r in self.reps), default=0)

    def summary(self) -> dict:
        detected = self.series.detected
        return {
            "complete_reps": len(self.complete_reps),
            "incomplete_reps": len(self.reps) - len(self.complete_reps),
            "reps_per_leg": self.reps_per_leg(),
            "sets": self.sets,
            "target_reps_per_leg": list(TARGET_REPS_PER_LEG),
            "target_sets": list(TARGET_SETS),
            "variants": sorted({r.rep.variant for r in self.reps}),
            "mistake_counts": _code_counts(f for r in self.complete_reps for f in r.mistakes),
            "clean_reps": sum(1 for r in self.complete_reps if not r.mistakes),
            "uncertain_counts": _code_counts(f for r in self.complete_reps for f in r.uncertain),
            "frames": len(self.series),
            "frames_with_person": int(detected.sum()),
            "duration_s": round(float(self.series.t[-1] - self.series.t[0]), 3) if len(self.series) else 0.0,
            "fps": round(self.series.fps, 3),
        } | self.assessment.summary

    def frame_columns(self) -> Iterator[tuple[str, list]]:
        """Per-frame series as JSON-ready columns (NaN -> null), built one at a time."""
        yield "t", [round(float(x), 4) for x in self.metrics.t]
        for name in METRIC_NAMES:
            yield name, [_json_number(x) for x in np.round(self.metrics[name], 3)]
        yield "phase", [str(p) or None for p in self.phase]
        yield "view", [str(v) or None for v in self.metrics.view]

    def frame_table(self) -> dict[str, list]:
        return dict(self.frame_columns())

    def _pose(self, frame: int) -> list[list[float | None]]:
        """(33, 4) smoothed image landmarks of one frame (x, y, z, visibility): what a thumbnail draws."""
        return [[_json_number(v) for v in np.round(p, 4)] for p in self.series.image[frame]]

    def to_dict(self, include_frames: bool = True) -> dict:
        d = {
            "schema_version": SCHEMA_VERSION,
            "formcheck_version": __version__,
            "exercise": self.exercise,
            "source": self.source,
            "model": self.model,
            "mirror_pass": self.series.capture.mirror_pass,
            "mirror_pass_from_s": _seconds_or_none(self.series.capture.mirror_pass_from_s),
            "profile": self.profile_path,
            "image_size": list(self.image_size),
            "view": self.view,
            "warnings": self.warnings,
            "summary": self.summary(),
            "reps": [r.to_dict(_json_number, _finding_dict) | {"bottom_pose": self._pose(r.rep.bottom_frame)}
                     for r in self.reps],
            "explain": [_dip_dict(d) for d in self.dips],
        }
        if self.walk is not None:
            d["walk"] = self.walk.to_dict() | {"findings": [_finding_dict(f) for f in self.walk.findings]}
        if include_frames:
            d["frames"] = self.frame_table()
        return d


def _dip_dict(d: DipRecord) -> dict:
    return {"start_s": round(d.start_s, 3), "bottom_s": round(d.bottom_s, 3), "end_s": round(d.end_s, 3),
            "rep": d.rep, "outcome": d.outcome,
            "verdicts": [{"gate": v.gate, "passed": v.passed, "margin": _json_number(round(v.margin, 4)),
                          "detail": v.detail} for v in d.verdicts]}


def _code_counts(findings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _seconds_or_none(x) -> float | None:
    return None if x is None else round(float(x), 3)


def _json_number(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _finding_dict(f: Finding) -> dict:
    d = asdict(f)
    d["cue"] = cue_for(f.code) if f.flagged else ""
    return d


def _more_than_one_person(capture: Capture) -> list[str]:
    """A warning when a second person was seen (``pose.PeopleCounter``): MediaPipe tracks one
    body, and with another in view it can take that one's legs, or follow it."""
    if capture.people_count_failed:
        return [f"the people in view could not be counted ({capture.people_count_failed}): a second person "
                "would go unnoticed"]
    t, n = capture.people_t, capture.people_n
    seen = t[n >= 2]
    if len(seen) < 2:  # one check is not enough: the detector can split a body cut by the frame in two
        return []
    return [f"more than one person was in view ({len(seen)} of {len(t)} checks, from {seen[0]:.1f} s to "
            f"{seen[-1]:.1f} s): formcheck follows one person, and reps or cues there may mix the two up"]


def _out_of_view(series: PoseSeries, min_s: float) -> list[str]:
    """Warnings for each stretch longer than ``min_s`` with nobody found, between frames with a
    person: reps there cannot be counted, and the user should know where."""
    seen = np.flatnonzero(series.detected)
    if len(seen) < 2:
        return []
    t = series.t
    gaps = np.flatnonzero(t[seen[1:]] - t[seen[:-1]] > min_s)
    return [f"the person was out of view from {t[seen[k]]:.1f} s to {t[seen[k + 1]]:.1f} s: reps there cannot "
            "be counted" for k in gaps]


def _smoothed(series: PoseSeries, profile: Profile, zero_phase: bool) -> tuple[PoseSeries, RawEvidence]:
    """Leg identity, then smoothing; and what the metrics take from the raw series
    (``raw_evidence.RawEvidence``). The relabelled series is never built (smoothing reads through the
    swap flags), so a long video holds at most two copies of its landmarks at once: the raw and
    the smoothed."""
    swapped = swap_flags(series, IdentitySettings.of(profile), _facing(series, profile))
    raw = raw_evidence(series, swapped, profile["pose.min_visibility"], profile["pose.mirror_disagree_shins"])
    smoothed = smooth_series(series, zero_phase=zero_phase, relabel=swapped, **profile.section("smoothing"))
    return replace(smoothed, mirrored=None), raw  # the second opinion is spent: no third copy kept


def _facing(series: PoseSeries, profile: Profile) -> np.ndarray:
    """(T,) +1 where the raw series faces the camera from the front, -1 from behind, 0 elsewhere
    (an oblique or side view): where the hips' order can say which leg is which (``identity``)."""
    px, world = gated_points(series, profile["pose.min_visibility"])
    front = body_yaw_deg(px, world, series.t, profile) <= profile["view.front_max_yaw_deg"]
    return np.where(front, np.where(facing_away(world, series.t, profile), -1.0, 1.0), 0.0)


def analyze_series(series: PoseSeries, exercise: str = "reverse-lunge",
                   profile: Profile | None = None, zero_phase: bool = True) -> Analysis:
    """Everything after pose estimation, for a whole series."""
    if exercise not in EXERCISES:
        raise InputError(f"unknown exercise '{exercise}' (choose from: {', '.join(EXERCISES)})")
    rules = EXERCISES[exercise]
    profile = profile or load_profile()
    found = float(series.detected.mean()) if len(series) else 1.0
    out_of_view = _out_of_view(series, profile["pose.warn_out_of_view_s"]) + _more_than_one_person(series.capture)
    exposure = series.capture.exposure_problem  # set by the video source (api.analyze_video)
    unjudgeable = f"the video is {exposure}" if exposure else ""
    smoothed, raw = _smoothed(series, profile, zero_phase)
    del series  # the raw landmarks are not needed again: freed here if the caller handed them over
    metrics = compute_metrics(smoothed, profile, raw)
    assessment = rules.assess(ExerciseInputs(smoothed, metrics, unjudgeable), profile)
    result = Analysis(exercise, smoothed.source, smoothed.capture.model, smoothed.image_size,
                      metrics.clip_view_label, smoothed, metrics, assessment, profile.path)
    if unjudgeable:
        result.warnings.append(f"{unjudgeable}: the pose model cannot see the person well, so no check is judged")
    result.warnings.extend(out_of_view)
    if len(smoothed) and found == 0.0:
        result.warnings.append("no person was found in any frame")
    elif found < profile["pose.warn_person_found_share"]:
        result.warnings.append(f"a person was found in only {100 * found:.0f}% of the frames (too small in the "
                               "picture, or out of view): reps or steps in the others cannot be counted")
    elif result.feet_visible_share < profile["pose.warn_feet_visible_share"]:
        result.warnings.append(f"the feet are out of frame in {100 * (1 - result.feet_visible_share):.0f}% of "
                               "the frames with a person: reps there cannot be counted")
    return result
