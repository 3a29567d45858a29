"""Findings to words: one short cue per mistake code, said the way a coach would say it.

Cues are short enough to read from 3 m and to speak in about a second. ``CuePolicy`` decides
which cue live mode says, and when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .profile import Profile

CUES: dict[str, str] = {
    "stance_too_narrow": "Start with your feet hip-width apart",
    "stance_too_wide": "Bring your feet in to hip width",
    "step_too_short": "Take a longer step back",
    "step_too_long": "Shorten your step",
    "step_crosses_midline": "Step straight back, not across",
    "back_heel_down": "Land on the ball of your back foot",
    "stepped_forward": "Step back, not forward",
    "knee_past_toes": "Keep your front knee over your ankle",
    "knee_caving_in": "Push your front knee out over your toes",
    "depth_short": "Lower until both knees reach 90 degrees",
    "trunk_lean_forward": "Chest up, keep your trunk upright",
    "trunk_lean_side": "Stay tall, don't lean sideways",
    "hip_drop": "Keep your hips level",
    "hips_rotated": "Keep your hips facing forward",
    "walk_slouching": "Stand tall as you walk back",
    "walk_leaning_back": "Don't lean back, glance over your shoulder",
    "walk_head_forward": "Lift your head, ears over your shoulders",
    "walk_steps_too_long": "Shorter steps, stay in control",
    "walk_uneven_steps": "Even steps, left and right",
    "walk_unsteady": "Slow down and steady your hips",
    "walk_cadence_jump": "Start slowly, keep an easy pace",
}

PLAIN: dict[str, str] = {
    "stance_too_narrow": "feet too close together at the start",
    "stance_too_wide": "feet too wide apart at the start",
    "step_too_short": "step back too short",
    "step_too_long": "step too long",
    "step_crosses_midline": "back foot stepped across the midline",
    "back_heel_down": "back heel stayed down instead of landing on the ball of the foot",
    "stepped_forward": "stepped forward instead of back",
    "knee_past_toes": "front knee travelled past the toes",
    "knee_caving_in": "front knee caved inward",
    "depth_short": "did not lower to about 90 degrees",
    "trunk_lean_forward": "trunk leaned forward",
    "trunk_lean_side": "trunk leaned sideways",
    "hip_drop": "one hip dropped",
    "hips_rotated": "hips turned away from forward",
    "walk_slouching": "slouched forward while walking",
    "walk_leaning_back": "leaned back while walking",
    "walk_head_forward": "head held forward of the shoulders",
    "walk_steps_too_long": "steps too long for control",
    "walk_uneven_steps": "uneven steps between the legs",
    "walk_unsteady": "unsteady: the hips swayed sideways",
    "walk_cadence_jump": "the pace jumped early in the session",
}


def cue_for(code: str) -> str:
    return CUES.get(code, code.replace("_", " "))


def describe(code: str) -> str:
    return PLAIN.get(code, code.replace("_", " "))

PRAISE = "Good rep, keep it up"
DEPTH_CODES = ("depth_short",)  # said at the bottom, while the person can still go lower


@dataclass(frozen=True)
class Cue:
    """One thing to say: ``code`` is a mistake code, or "praise"."""

    text: str
    code: str
    t: float  # stream time (s) the cue was issued


@dataclass
class CuePolicy:
    """Live cue policy: one cue at a time, the most important first, never nagging.

    Depth cues come at the bottom of a rep (``at_bottom``), the others at its end
    (``after_rep``). A mistake is said the first time it appears and again only if it persists
    for ``repeat_every_reps`` more reps in a row; a cue blocked by the cooldown waits (the most
    important one wins the slot) until it is said or grows stale. Every few clean reps in a row
    earn a short positive cue. Time is passed in, so the policy is testable without a clock.

    >>> policy = CuePolicy.from_profile(load_profile())   # doctest: +SKIP
    >>> policy.after_rep({"depth_short"}, t=5.0).text      # doctest: +SKIP
    'Lower until both knees reach 90 degrees'
    """

    priority: dict[str, float]
    cooldown_s: float
    pending_max_age_s: float
    repeat_every_reps: int
    praise_every_clean_reps: int
    last_said_t: float = -math.inf
    pending: Cue | None = None
    streaks: dict[str, int] = field(default_factory=dict)
    clean_streak: int = 0
    said: list[Cue] = field(default_factory=list)

    @classmethod
    def from_profile(cls, profile: Profile) -> CuePolicy:
        return cls(profile.section("cues.priority"), profile["cues.cooldown_s"], profile["cues.pending_max_age_s"],
                   max(1, int(profile["cues.repeat_every_reps"])), max(1, int(profile["cues.praise_every_clean_reps"])))

    def _rank(self, code: str) -> float:
        return self.priority.get(code, math.inf)

    def _offer(self, cue: Cue | None) -> Cue | None:
        """Say ``cue`` now if the cooldown allows; otherwise keep the more important of it and the pending one."""
        if cue is not None and (self.pending is None or self._rank(cue.code) < self._rank(self.pending.code)):
            self.pending = cue
        return self.tick(cue.t if cue is not None else -math.inf)

    def tick(self, t: float) -> Cue | None:
        """The pending cue, once the cooldown has passed (call every frame); None otherwise."""
        cue = self.pending
        if cue is None or t - self.last_said_t < self.cooldown_s:
            return None
        self.pending = None
        if t - cue.t > self.pending_max_age_s:
            return None
        self.last_said_t = t
        self.said.append(cue)
        return cue

    def at_bottom(self, flagged: set[str], t: float) -> Cue | None:
        """A depth cue at the bottom of a rep that is still in progress."""
        codes = [c for c in DEPTH_CODES if c in flagged and self._due(c, self.streaks.get(c, 0) + 1)]
        return self._offer(Cue(cue_for(codes[0]), codes[0], t)) if codes else None

    def after_rep(self, flagged: set[str], t: float, said_at_bottom: set[str] = frozenset()) -> Cue | None:
        """The cue for a finished rep with these mistake codes (praise when clean and due)."""
        for code in set(self.streaks) | flagged:
            self.streaks[code] = self.streaks.get(code, 0) + 1 if code in flagged else 0
        if not flagged:
            self.clean_streak += 1
            due = self.clean_streak % self.praise_every_clean_reps == 0
            return self._offer(Cue(PRAISE, "praise", t) if due else None)
        self.clean_streak = 0
        due = [c for c in flagged - set(said_at_bottom) if self._due(c, self.streaks[c])]
        if not due:
            return self.tick(t)
        code = min(due, key=lambda c: (self._rank(c), c))
        return self._offer(Cue(cue_for(code), code, t))

    def _due(self, code: str, streak: int) -> bool:
        """Said on a mistake's first rep, then every ``repeat_every_reps`` reps while it persists."""
        return streak >= 1 and (streak - 1) % self.repeat_every_reps == 0
