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
from .checks import UNCERTAIN, Finding, RepViews, run_checks
from .confidence import rep_confidence, rep_evidence
from .errors import InputError
from .exercises import reverse_lunge, reverse_walk
from .feedback import cue_for
from .identity import leg_distances, mirrored_knee_flexion_deg, runs_disagree, swap_flags
from .metrics import METRIC_NAMES, FrameMetrics, compute_metrics
from .points import raw_ankle_pixels
from .profile import Profile, load_profile
from .reps import CUT_START_REASON, DipRecord, Rep, segment_reps, stand_view
from .series import Capture, PoseSeries
from .smoothing import smooth_series

SCHEMA_VERSION = "formcheck-analysis/1"
EXERCISES = {reverse_lunge.NAME: reverse_lunge, reverse_walk.NAME: reverse_walk}
TARGET_REPS_PER_LEG = (12, 15)  # [article] 12-15 reps per leg
TARGET_SETS = (2, 3)  # [article] 2-3 sets


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

    def to_dict(self) -> dict:
        d = asdict(self.rep)
        d["values"] = {k: _json_number(v) for k, v in self.values.items()}
        d["confidence"] = self.confidence
        d["mistakes"] = [_finding_dict(f) for f in self.mistakes]
        d["uncertain"] = [_finding_dict(f) for f in self.uncertain]
        d["checks"] = [_finding_dict(f) for f in self.findings]
        return d


@dataclass(frozen=True)
class Analysis:
    exercise: str
    source: str
    model: str
    image_size: tuple[int, int]
    view: str
    series: PoseSeries
    metrics: FrameMetrics
    phase: np.ndarray
    reps: list[RepResult]
    profile_path: str
    warnings: list[str] = field(default_factory=list)
    walk: reverse_walk.WalkResult | None = None  # walking backwards: steps instead of reps
    dips: list[DipRecord] = field(default_factory=list)  # every hip dip and what became of it (``--explain``)

    @property
    def feet_visible_share(self) -> float:
        """Share of the frames with a person in which both ankles are visible (1.0 if nobody)."""
        detected = self.series.detected
        if not detected.any():
            return 1.0
        feet = ~np.isnan(self.metrics.ankle_image["left"][:, 0]) & ~np.isnan(self.metrics.ankle_image["right"][:, 0])
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
        } | (self._walk_summary() if self.walk is not None else {})

    def _walk_summary(self) -> dict:
        w = self.walk
        return {"direction": w.direction, "backward_steps": len(w.backward_steps),
                "steps_per_foot": w.steps_per_foot(),
                "cadence_spm": _json_number(round(w.values["cadence_spm"], 1)),
                "walk_mistakes": sorted({f.code for f in w.mistakes})}

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
            "reps": [r.to_dict() | {"bottom_pose": self._pose(r.rep.bottom_frame)} for r in self.reps],
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


def _stepped_forward(rep: Rep) -> Finding:
    t = rep.bottom_s
    return Finding("stepped_forward", "foot_placement", "flagged", rep.leg, "major", None, 0.0,
                   "variant", t, "the stepping foot went forward: this rep was a forward lunge")


def _judge_rep(rep: Rep, rules, metrics, pixels: np.ndarray, image: np.ndarray, bottom: np.ndarray,
               profile: Profile, unjudgeable: str = "") -> RepResult:
    """Values and findings of one rep. ``unjudgeable``: why no check can be judged in this video
    (its exposure). A rep seen only in part is not judged on "too little" (too shallow, too short
    a step): its lowest seen frame need not be its bottom, and such a cue would be invented. Its
    "too much" findings stand (the unseen part can only have shown more), unless the clip started
    mid-rep: then its start was never seen, and neither was a stand to measure it against.
    ``image``: the smoothed landmarks with their visibility; ``bottom``: the rep's bottom frames
    (their evidence makes the findings' confidence)."""
    values = rules.rep_values(rep, metrics, pixels, profile)
    evidence = rep_evidence(image, metrics.runs_disagree, bottom, profile)
    times = {"start": rep.start_s, "bottom": rep.bottom_s}
    views = RepViews(rep.view, stand_view(metrics, rep, profile["view.stand_window_s"]), metrics.clip_view,
                     from_behind=metrics.from_behind(np.arange(rep.start_frame, rep.end_frame + 1)))
    findings = run_checks(rules.CHECKS, values, rules.sides_for(rep, values), views, times, profile, evidence)
    if unjudgeable:
        findings = _not_judged(findings, unjudgeable)
    elif not rep.complete:
        partial = f"only part of this rep was seen ({rep.incomplete_reason})"
        started_unseen = rep.incomplete_reason == CUT_START_REASON  # its stance and step were never seen
        findings = [_not_judged([f], partial)[0] if started_unseen or f.compare == "below" else f
                    for f in findings]
    if rep.variant == "forward" and not unjudgeable:  # the step's direction shows even in part of a rep
        findings.insert(0, _stepped_forward(rep))
    return RepResult(rep, values, findings, rep_confidence(rep.leg_confidence, evidence))


def _bottom_frames(phase: np.ndarray, rep: Rep) -> np.ndarray:
    """The frames of a rep labelled "bottom" (its bottom frame alone if none)."""
    frames = rep.start_frame + np.flatnonzero(phase[rep.start_frame:rep.end_frame + 1] == "bottom")
    return frames if len(frames) else np.array([rep.bottom_frame])


def _not_judged(findings: list[Finding], reason: str) -> list[Finding]:
    return [replace(f, status="not_assessed", severity="", value=None, reason=reason, confidence=0.0) for f in findings]


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


def _smoothed(series: PoseSeries, profile: Profile, zero_phase: bool) -> tuple[PoseSeries, dict]:
    """Leg identity, then smoothing; also what the metrics take from the raw series: its ankles,
    the frames where the mirrored run disagrees (``identity.runs_disagree``) and the mirrored
    run's knees. The relabelled series is never built (smoothing reads through the swap flags),
    so a long video holds at most two copies of its landmarks at once: the raw and the smoothed."""
    swapped = swap_flags(series, profile["smoothing.max_gap_s"], profile["pose.leg_swap_price_per_s"],
                         profile["pose.mirror_undecided_shins"], profile["pose.leg_slide_s"],
                         profile["pose.leg_slide_min_shins"], profile["pose.leg_slide_path_ratio"])
    raw_ankles = raw_ankle_pixels(series, profile["pose.min_visibility"])
    raw_ankles[swapped] = raw_ankles[swapped][:, ::-1]
    smoothed = smooth_series(series, zero_phase=zero_phase, relabel=swapped, **profile.section("smoothing"))
    distances = leg_distances(series) if series.mirrored is not None else None
    raw = {"raw_ankles_px": raw_ankles,
           "mirrored_knees_deg": mirrored_knee_flexion_deg(series, swapped, profile["pose.min_visibility"], distances),
           "runs_disagree": runs_disagree(series, profile["pose.mirror_disagree_shins"], distances)}
    return replace(smoothed, mirrored=None), raw  # the second opinion is spent: no third copy kept


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
    metrics = compute_metrics(smoothed, profile, **raw)
    if rules is reverse_walk:
        reps, phase, results, dips = [], np.full(len(metrics.t), "", dtype=object), [], []
        walk = reverse_walk.analyze_walk(metrics, smoothed.pixels, profile)
        if unjudgeable:
            walk = replace(walk, findings=_not_judged(walk.findings, unjudgeable))
    else:
        walk = None
        reps, phase, dips = segment_reps(metrics, profile)
        seen = smoothed.seen_pixels(profile["pose.min_visibility"])
        results = [_judge_rep(rep, rules, metrics, seen, smoothed.image, _bottom_frames(phase, rep), profile,
                              unjudgeable) for rep in reps]
    result = Analysis(exercise, smoothed.source, smoothed.capture.model, smoothed.image_size,
                      metrics.clip_view_label, smoothed, metrics, phase, results, profile.path, walk=walk, dips=dips)
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
