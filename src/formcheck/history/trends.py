"""Progress over weeks, per leg, from the stored sessions: pure (stdlib only, no I/O).

The article's programme is single-leg work, 2-3 sets of 12-15 reps per leg, several times a
week, to expose and correct a strength imbalance. So the figures kept per leg (the stepping
leg, as the report names it) are: how many reps, how deep (front-knee flexion at the bottom),
and how often a rep had a mistake; and between the legs, the gap in depth. A week is seven
days counted from the start of the period, so "first week" and "last week" are whole weeks of
the period the user asked for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ..errors import InputError
from .record import ASSESSED, LEGS, SessionRecord

# The default period: four whole weeks. Several sessions a week (the article) over four weeks is
# enough to see a trend, and 28 days split into whole weeks for the first-vs-last comparison.
DEFAULT_SINCE = "28d"
WEEK = timedelta(days=7)
FAMILY_ORDER = ("foot_placement", "knee_placement", "posture", "balance", "pace")  # the report schema's order


@dataclass(frozen=True)
class LegStats:
    count: int  # complete reps stepped with this leg (a walk: backward steps of this foot)
    depth_deg: float  # mean front-knee flexion at the bottom of those reps (nan: none measured)
    mistake_rate: float  # share of those reps with at least one mistake, 0-1 (nan: no complete rep)


@dataclass(frozen=True)
class Stats:
    sessions: int
    legs: dict[str, LegStats]
    families: dict[str, float]  # family -> share of the judged reps (a walk: the walk) with a mistake of it

    @property
    def depth_gap_deg(self) -> float:
        """Left minus right depth: > 0 when reps stepping back with the left leg go deeper."""
        return self.legs["left"].depth_deg - self.legs["right"].depth_deg

    @property
    def count_gap(self) -> int:
        return self.legs["left"].count - self.legs["right"].count


@dataclass(frozen=True)
class Week:
    start: datetime
    end: datetime  # exclusive
    stats: Stats


def parse_since(text: str, now: datetime) -> datetime | None:
    """The start of a period: ``30d`` (the last 30 days, today included), ``2w``, an ISO date or
    date-time (``2026-05-01``), or ``all`` (None). Days start at midnight in ``now``'s time zone.

    >>> from datetime import datetime, timezone
    >>> parse_since("2w", datetime(2026, 5, 15, 18, 30, tzinfo=timezone.utc)).isoformat()
    '2026-05-02T00:00:00+00:00'
    """
    t = text.strip().lower()
    if t == "all":
        return None
    m = re.fullmatch(r"(\d+)\s*(d|w|days?|weeks?)", t)
    if m:
        days = int(m.group(1)) * (7 if m.group(2).startswith("w") else 1)
        if days < 1:
            raise InputError(f"--since {text}: the period must cover at least one day")
        return datetime.combine(now.date() - timedelta(days=days - 1), time(), now.tzinfo)
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--since {text}: give days or weeks (30d, 2w), an ISO date (2026-05-01) or all") from None
    start = start if start.tzinfo else start.replace(tzinfo=now.tzinfo)
    if start > now:
        raise InputError(f"--since {text}: that is in the future")
    return start


def _mean(values: Iterable[float | None]) -> float:
    real = [v for v in values if v is not None and not math.isnan(v)]
    return sum(real) / len(real) if real else math.nan


def _flagged_reps(s: SessionRecord) -> set[int]:
    return {f.rep for f in s.findings if f.status == "flagged" and f.rep is not None}


def leg_stats(sessions: Sequence[SessionRecord], leg: str) -> LegStats:
    """One leg's count, depth and mistake rate over the sessions."""
    count = sum(s.session.left_count if leg == "left" else s.session.right_count for s in sessions)
    reps = [(r, _flagged_reps(s)) for s in sessions for r in s.reps if r.complete and r.leg == leg]
    rate = sum(r.rep in flagged for r, flagged in reps) / len(reps) if reps else math.nan
    return LegStats(count, _mean(r.depth_deg for r, _ in reps), rate)


def family_rates(sessions: Sequence[SessionRecord]) -> dict[str, float]:
    """Per family of mistakes: the share of the complete reps judged on it (a walk counts as one)
    that had a mistake of it. A rep whose checks of a family were all not assessed (or uncertain)
    is left out of that family's share."""
    judged: dict[str, int] = {}
    flagged: dict[str, int] = {}
    for s in sessions:
        complete = {r.rep for r in s.reps if r.complete}
        units: dict[tuple[int | None, str], bool] = {}  # (rep or the walk, family) -> a mistake seen
        for f in s.findings:
            if f.status in ASSESSED and (f.rep is None or f.rep in complete):
                unit = (f.rep, f.family)
                units[unit] = units.get(unit, False) or f.status == "flagged"
        for (_, family), bad in units.items():
            judged[family] = judged.get(family, 0) + 1
            flagged[family] = flagged.get(family, 0) + bad
    order = [f for f in FAMILY_ORDER if f in judged] + sorted(set(judged) - set(FAMILY_ORDER))
    return {f: flagged[f] / judged[f] for f in order}


def stats(sessions: Sequence[SessionRecord]) -> Stats:
    return Stats(len(sessions), {leg: leg_stats(sessions, leg) for leg in LEGS}, family_rates(sessions))


def weekly(sessions: Sequence[SessionRecord], since: datetime | None, now: datetime) -> list[Week]:
    """Seven-day windows from ``since`` (None: the day of the first session) up to ``now``; only
    the weeks with a session."""
    if not sessions:
        return []
    start = since or datetime.combine(sessions[0].session.started.astimezone(now.tzinfo).date(), time(), now.tzinfo)
    weeks = []
    k = 0
    while start + k * WEEK <= now:
        lo, hi = start + k * WEEK, start + (k + 1) * WEEK
        inside = [s for s in sessions if lo <= s.session.started < hi]
        if inside:
            weeks.append(Week(lo, hi, stats(inside)))
        k += 1
    return weeks


def first_and_last(weeks: Sequence[Week]) -> tuple[Week, Week] | None:
    """The first and the last week with sessions, when there are two to compare."""
    return (weeks[0], weeks[-1]) if len(weeks) >= 2 else None


def per_session(sessions: Sequence[SessionRecord]) -> list[Stats]:
    """Each session's own figures, in the sessions' order: the points of the progress page's plots."""
    return [stats([s]) for s in sessions]
