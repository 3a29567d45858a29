"""How much the landmarks behind a rep support a verdict: the confidence of reps and findings.

A finding past its threshold is only as sure as the evidence allows:
- **margin**: how far past the threshold the value is, against the measurement's noise
  (``confidence.noise_deg`` for angles, ``confidence.noise_ratio`` for lengths over leg length):
  a knee 0.2 deg past its limit is as likely inside it;
- **visibility**: MediaPipe's visibility of the joints the check's family reads, over the rep's
  bottom (``pose.min_visibility`` counts as 0, ``confidence.full_visibility`` as 1);
- **agreement**: the share of the bottom where the mirror pass put the legs where the main run
  did (``identity.runs_disagree``; 1 without a mirror pass).
A finding's confidence is the weaker of the margin and the visibility (a rep's values already
leave out the frames where the mirror pass disagrees). A flagged finding whose confidence is below
``confidence.min_to_flag`` is reported ``uncertain``: shown, never spoken, never counted in the
form score. A rep's confidence is the weakest of its leg vote, its joints' visibility and the
mirror pass's agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .profile import Profile
from .series import Landmark as L

# The joints each family's checks read (both sides).
FAMILY_JOINTS = {
    "posture": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),
    "knee_placement": (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),
    "foot_placement": (L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX,
                       L.RIGHT_FOOT_INDEX),
}


@dataclass(frozen=True)
class Evidence:
    """What the landmarks showed over one rep's bottom: per family, a visibility factor in [0, 1],
    and the mirror pass's agreement in [0, 1]."""

    visibility: dict[str, float]
    agreement: float

    @classmethod
    def full(cls) -> Evidence:
        """Nothing known against the landmarks (a hand-built series, a whole-clip check)."""
        return cls({family: 1.0 for family in FAMILY_JOINTS}, 1.0)


def _visibility_factor(mean_visibility: float, profile: Profile) -> float:
    low, full = profile["pose.min_visibility"], profile["confidence.full_visibility"]
    if np.isnan(mean_visibility):
        return 0.0
    return float(np.clip((mean_visibility - low) / (full - low), 0.0, 1.0))


def rep_evidence(image: np.ndarray, disagree: np.ndarray | None, frames: np.ndarray, profile: Profile) -> Evidence:
    """``image``: (T, 33, 4) landmarks with visibility last; ``disagree``: (T,) bool or None;
    ``frames``: the rep's bottom frames."""
    visibility = {family: _visibility_factor(float(np.nanmean(image[np.ix_(frames, joints)][..., 3])), profile)
                  for family, joints in FAMILY_JOINTS.items()} if len(frames) else Evidence.full().visibility
    agreement = 1.0 if disagree is None or not len(frames) else float(1.0 - disagree[frames].mean())
    return Evidence(visibility, agreement)


def margin_factor(value: float, threshold: float, compare: str, threshold_key: str, profile: Profile) -> float:
    """How far past the threshold ``value`` is, in units of the measurement's noise, capped at 1."""
    excess = value - threshold if compare == "above" else threshold - value
    noise = profile["confidence.noise_deg"] if threshold_key.endswith("_deg") else profile["confidence.noise_ratio"]
    return float(np.clip(excess / noise, 0.0, 1.0))


def finding_confidence(margin: float, family: str, evidence: Evidence) -> float:
    """The weaker of the margin and the family's visibility. The mirror pass's disagreement is
    left out: a rep's values already leave out the frames where it disagrees, and counting it again
    made true findings uncertain on the rendered benchmark (bench_0002, 0023: 30% agreement)."""
    return round(min(margin, evidence.visibility.get(family, 1.0)), 3)


def rep_confidence(leg_vote: float, evidence: Evidence) -> float:
    """The weakest of the leg vote, the legs' visibility and the mirror pass's agreement."""
    return round(min(leg_vote, evidence.visibility["knee_placement"], evidence.agreement), 3)
