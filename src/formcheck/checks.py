"""Checks as data: a Check compares one per-rep value with one profile threshold.

An exercise module lists its checks; ``run_checks`` applies them. A check names the views that
can observe its value: from any other view (``RepViews.show``), or when the value could not be
measured, the result is "not assessed" with the reason, never a pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .confidence import Evidence, finding_confidence, margin_factor
from .profile import Profile

FAMILIES = ("foot_placement", "knee_placement", "posture")
UNCERTAIN = "uncertain"  # past the threshold, but not confidently: shown, never cued


@dataclass(frozen=True)
class Precondition:
    """A check is judged only while another of the rep's values stays on the near side of a
    threshold: past it, the landmarks the check reads are known to fail (``reason`` says how).
    An unmeasured value does not stop the check."""

    value: str
    compare: str  # "below": judged while value <= threshold; "above": while value >= threshold
    threshold: str  # profile key
    reason: str

    def blocks(self, values: dict[str, float], profile: Profile) -> bool:
        value = values.get(self.value, math.nan)
        if value is None or math.isnan(value):
            return False
        limit = profile[self.threshold]
        return value > limit if self.compare == "below" else value < limit


@dataclass(frozen=True)
class Check:
    code: str
    family: str
    value: str  # key into a rep's values
    compare: str  # "above" flags value > threshold, "below" flags value < threshold ("is": ``classified``)
    threshold: str  # profile key ("" for a classified check)
    views: tuple[str, ...]
    at: str = "bottom"  # which moment the value describes: "start" or "bottom"
    side_from: str = "front_leg"  # which leg a finding belongs to: front_leg, back_leg, leg, none, ...
    unavailable: str = ""  # why this check cannot be assessed from any view with today's pose model
    requires: Precondition | None = None  # judged only while this holds
    # A check of a decision the rep stage made, not of a measurement: the value is 1 when the
    # movement happened, 0 when not, and this is what a flagged finding says. No threshold or noise
    # margin applies (the decision's confidence is the rep's), and every view that showed the rep
    # showed it, from behind too.
    classified: str = ""


def _seen_as(view: str) -> str:
    """How a view's values are measured: in the image from the side or obliquely, else from the front."""
    return "front" if view == "front" else "lateral"


@dataclass(frozen=True)
class RepViews:
    """The view one rep was seen from, read three ways (``view.classify_view`` modes): at its
    bottom, at the stand it stepped from, and over the whole clip."""

    bottom: str
    stand: str
    clip: str
    from_behind: bool = False  # the person faced away from the camera (``view.facing_away``)

    @classmethod
    def whole_clip(cls, view: str) -> RepViews:
        """One reading for everything judged over a whole clip (a walk)."""
        return cls(view, view, view)

    def show(self, needed: tuple[str, ...]) -> bool:
        """Whether a check needing one of ``needed`` views can be judged on this rep.

        The clip's view must show it, and so must the rep's bottom, so a rep near a view boundary
        gets no verdict. The stand may stand in for the bottom when the bottom was measured the
        same way (both lateral, or both front): the person does not turn within a rep, but at a
        deep bottom MediaPipe can turn the shoulders (a side view's yaw read 63 deg for one rep)."""
        if self.clip not in needed or self.from_behind:
            return False
        same_way = _seen_as(self.bottom) in {_seen_as(v) for v in needed}
        return self.bottom in needed or (same_way and self.stand in needed)

    def as_seen(self) -> str:
        """The views that kept a check from being judged, for its reason."""
        seen = " or ".join(dict.fromkeys(v or "unknown" for v in (self.bottom, self.clip)))
        return f"rear ({seen}, from behind)" if self.from_behind else seen


@dataclass(frozen=True)
class Finding:
    """The outcome of one check on one rep. ``status`` is flagged, uncertain, ok or not_assessed."""

    code: str
    family: str
    status: str
    side: str
    severity: str
    value: float | None
    threshold: float
    compare: str
    t: float
    reason: str = ""
    confidence: float = 1.0  # how well the landmarks support the verdict (``confidence``); 0 when not assessed

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"


def _severity(value: float, threshold: float, compare: str, major_factor: float) -> str:
    """'major' when the value is past the threshold by more than (factor - 1) x |threshold|."""
    excess = value - threshold if compare == "above" else threshold - value
    return "major" if excess > (major_factor - 1.0) * abs(threshold) else "minor"


def _not_visible(check: Check, views: RepViews) -> str:
    """Why ``views`` keep ``check`` from being judged."""
    seen = views.as_seen()
    article = "an" if seen[0] in "aeiou" else "a"
    return f"not visible from {article} {seen} view (needs {' or '.join(check.views)})"


def _unassessable_reason(check: Check, views: RepViews, values: dict[str, float], profile: Profile) -> str:
    """Why a check cannot be judged on this rep ("" when it can)."""
    value = values.get(check.value, math.nan)
    if check.unavailable:
        return check.unavailable
    if not views.show(check.views):
        return _not_visible(check, views)
    if value is None or math.isnan(value):
        return "landmarks needed for it were not visible"
    if check.requires and check.requires.blocks(values, profile):
        return check.requires.reason
    return ""


def run_checks(checks: tuple[Check, ...], values: dict[str, float], sides: dict[str, str],
               views: RepViews, times: dict[str, float], profile: Profile,
               evidence: Evidence | None = None) -> list[Finding]:
    """Apply every check to one rep's values (NaN = could not be measured), judging only those
    its ``views`` can show. A value past its threshold with too little confidence (``evidence``,
    see ``confidence``) is ``uncertain``, not flagged."""
    evidence = evidence or Evidence.full()
    out = []
    for check in checks:
        value = values.get(check.value, math.nan)
        side = sides.get(check.side_from, "none")
        t = times[check.at]
        if check.classified:
            out.append(_classified(check, value, side, t, views))
            continue
        threshold = profile[check.threshold]
        reason = _unassessable_reason(check, views, values, profile)
        if reason:
            out.append(Finding(check.code, check.family, "not_assessed", side, "", None, threshold,
                               check.compare, t, reason, 0.0))
            continue
        bad = value > threshold if check.compare == "above" else value < threshold
        severity = _severity(value, threshold, check.compare, profile["severity.major_factor"]) if bad else ""
        confidence = 1.0
        status = "flagged" if bad else "ok"
        if bad:
            margin = margin_factor(value, threshold, check.compare, check.threshold, profile)
            confidence = finding_confidence(margin, check.family, evidence)
            status = "flagged" if confidence >= profile["confidence.min_to_flag"] else UNCERTAIN
        out.append(Finding(check.code, check.family, status, side, severity, round(float(value), 3), threshold,
                           check.compare, t, _uncertain_reason(confidence) if status == UNCERTAIN else "",
                           confidence))
    return out


def _classified(check: Check, value: float, side: str, t: float, views: RepViews) -> Finding:
    """The finding of a ``Check.classified``: flagged, and major (a different movement, not a
    matter of degree), when the movement happened, from whatever view the rep stage saw it; that
    it did not happen is only passed where the rep's views show the check (from behind: not
    assessed, as every other check)."""
    if value == 1.0:
        return Finding(check.code, check.family, "flagged", side, "major", None, 0.0, check.compare, t,
                       check.classified)
    if not views.show(check.views):
        return Finding(check.code, check.family, "not_assessed", side, "", None, 0.0, check.compare, t,
                       _not_visible(check, views), 0.0)
    return Finding(check.code, check.family, "ok", side, "", None, 0.0, check.compare, t)


def not_judged(findings: list[Finding], reason: str) -> list[Finding]:
    """The findings, each turned "not assessed" for ``reason``."""
    return [replace(f, status="not_assessed", severity="", value=None, reason=reason, confidence=0.0) for f in findings]


def _uncertain_reason(confidence: float) -> str:
    return (f"past its threshold, but the landmarks support it only with confidence {confidence:.2f}: not cued "
            "(too close to the threshold for the measurement's noise, or its joints poorly seen)")
