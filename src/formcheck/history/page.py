"""The progress page: one self-contained HTML file of the sessions over a period, per leg.

The report's own style and plots (``report.html.CSS``, ``report.svg.line_plot``), with days on
the time axis: reps per leg per session, depth per leg, the left/right gap in depth, and how
often each family of mistakes showed up. No scripts, no fonts, no requests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import numpy as np

from ..feedback import describe
from ..profile import load_profile
from ..report.html import CSS, LEG_COLOUR
from ..report.insights import IMBALANCE_DEPTH_DEG
from ..report.svg import Line, Threshold, line_plot
from .record import LEGS, SessionRecord
from .trends import Week, per_session, weekly

DAY_S = 86400.0
FAMILY_COLOUR = {"foot_placement": "#16a085", "knee_placement": "#c0392b", "posture": "#2c3e50",
                 "balance": "#8e44ad", "pace": "#7f8c8d"}
COUNT_HEADROOM = 1.15  # the counts' axis from 0 to a little above the highest, so its dots clear the frame
SESSION_HEADER = ("id", "date", "exercise", "source", "left / right", "form score", "top mistake")


def local(s: SessionRecord) -> datetime:
    return s.session.started.astimezone()


def session_cells(s: SessionRecord) -> tuple[str, ...]:
    """One row of the table of sessions, as the command line and the page show it."""
    r = s.session
    counts = f"{r.left_count} / {r.right_count}" + (f" {r.unit}" if r.unit != "reps" else "")
    score = "–" if r.form_score is None else f"{r.form_score:.0f}%"
    return (str(s.id), local(s).strftime("%Y-%m-%d %H:%M"), r.exercise, Path(r.source).name or r.source, counts,
            score, describe(r.top_mistake) if r.top_mistake else "–")


def _num(x: float, digits: int = 0, unit: str = "") -> str:
    return "–" if x is None or math.isnan(x) else f"{x:.{digits}f}{unit}"


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f}%"


def _axis(sessions: Sequence[SessionRecord], start: datetime, end: datetime) -> tuple[np.ndarray, dict]:
    """Each session's day on the axis (days since ``start``), and the plots' axis options: a tick
    at each week's start, labelled with its date."""
    days = np.array([(s.session.started - start).total_seconds() / DAY_S for s in sessions], float)
    span = max((end - start).total_seconds() / DAY_S, 1.0)
    step = max(7, 7 * math.ceil(span / 7 / 10))  # at most about ten labels
    ticks = [(float(d), (start + timedelta(days=d)).strftime("%b %d")) for d in range(0, int(span) + 1, step)]
    return days, {"x_label": "date", "x_ticks": ticks, "x_range": (0.0, span)}


def plots(sessions: Sequence[SessionRecord], start: datetime, end: datetime) -> list[str]:
    """The four progress plots of one exercise's sessions."""
    profile = load_profile()
    days, axis = _axis(sessions, start, end)
    points = per_session(sessions)
    unit = sessions[0].session.unit if sessions else "reps"

    def per_leg(get) -> list[Line]:
        return [Line(f"{leg} leg back" if unit == "reps" else f"{leg} foot",
                     np.array([get(p.legs[leg]) for p in points], float), LEG_COLOUR[leg], dots=True) for leg in LEGS]

    most = max((p.legs[leg].count for p in points for leg in LEGS), default=0)
    counts = line_plot(f"{unit.capitalize()} per leg, each session", days, per_leg(lambda x: x.count), unit,
                       y_range=(0.0, max(most, 1) * COUNT_HEADROOM), **axis)
    depth = line_plot("Depth: front-knee bend at the bottom, mean per session (about 90 is a full lunge)", days,
                      per_leg(lambda x: x.depth_deg), "degrees",
                      thresholds=[Threshold(profile["checks.knee.depth_front_min_flexion_deg"], "depth target")],
                      empty_note="no depth measured from these views", **axis)
    gap = line_plot("Left/right imbalance: depth with the left leg back minus the right (0 = even)", days,
                    [Line("left minus right", np.array([p.depth_gap_deg for p in points], float), "#2c3e50",
                          dots=True)], "degrees",
                    thresholds=[Threshold(IMBALANCE_DEPTH_DEG, "worth working on"),
                                Threshold(-IMBALANCE_DEPTH_DEG, "")],
                    empty_note="needs both legs in a session", **axis)
    families = sorted({f for p in points for f in p.families}, key=lambda f: list(FAMILY_COLOUR).index(f)
                      if f in FAMILY_COLOUR else len(FAMILY_COLOUR))
    rates = line_plot("Mistakes per family: share of the reps judged with one (%)", days,
                      [Line(f.replace("_", " "), np.array([100 * p.families.get(f, math.nan) for p in points], float),
                            FAMILY_COLOUR.get(f, "#555"), dots=True) for f in families], "% of reps",
                      y_range=(-5.0, 105.0), empty_note="no check could be judged", **axis)
    return [counts, depth, gap, rates]


def week_table(weeks: Sequence[Week]) -> str:
    html = ['<table class="weeks"><tr><th>week</th><th>sessions</th><th>reps left / right</th>'
            "<th>depth left / right</th><th>with a mistake left / right</th><th>depth gap (left - right)</th></tr>"]
    for w in weeks:
        legs = w.stats.legs
        html.append(f"<tr><td>{w.start:%b %d} – {w.end - timedelta(days=1):%b %d}</td><td>{w.stats.sessions}</td>"
                    f"<td>{legs['left'].count} / {legs['right'].count}</td>"
                    f"<td>{_num(legs['left'].depth_deg, 0, '°')} / {_num(legs['right'].depth_deg, 0, '°')}</td>"
                    f"<td>{_pct(legs['left'].mistake_rate)} / {_pct(legs['right'].mistake_rate)}</td>"
                    f"<td>{_num(w.stats.depth_gap_deg, 0, '°')}</td></tr>")
    html.append("</table>")
    return "".join(html)


def _section(exercise: str, sessions: list[SessionRecord], start: datetime, end: datetime) -> str:
    weeks = weekly(sessions, start, end)
    return (f'<section class="exercise" id="{escape(exercise)}"><h2>{escape(exercise)}: {len(sessions)} '
            f'session{"s" * (len(sessions) != 1)}</h2><h3>Week by week</h3>{week_table(weeks)}'
            '<h3>Session by session</h3><p class="meta">Blue: reps stepping back with the left leg (the right leg '
            "working); orange: with the right leg. Dashed: the depth target and the imbalance worth working on.</p>"
            + "".join(plots(sessions, start, end)) + "</section>")


def render_page(sessions: Sequence[SessionRecord], start: datetime | None, end: datetime) -> str:
    """The page for the sessions (oldest first) of the period from ``start`` (None: the first session) to ``end``."""
    start = start or (local(sessions[0]) if sessions else end)
    by_exercise: dict[str, list[SessionRecord]] = {}
    for s in sessions:
        by_exercise.setdefault(s.session.exercise, []).append(s)
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in session_cells(s)) + "</tr>"
                   for s in reversed(sessions))
    body = [f'<header><h1>formcheck progress</h1><p class="meta">{len(sessions)} sessions from {start:%Y-%m-%d} to '
            f"{end:%Y-%m-%d} · recorded on this computer only</p></header>"]
    if not sessions:
        body.append('<p class="na">No sessions in this period.</p>')
    body += [_section(exercise, group, start, end) for exercise, group in by_exercise.items()]
    body.append('<section id="sessions"><h2>Every session</h2><table><tr>'
                + "".join(f"<th>{escape(h)}</th>" for h in SESSION_HEADER) + f"</tr>{rows}</table></section>")
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>formcheck progress</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f"<body>{''.join(body)}</body></html>\n")
