"""``formcheck history``: the progress history read back (sessions, per-leg trends, page, CSV),
its ``import`` and ``forget``; and ``record_session``, which ``analyze`` and ``live`` call."""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..console import out
from ..errors import InputError
from ..history import Recorder, history_enabled, history_file
from ..history.trends import DEFAULT_SINCE, Week, first_and_last, parse_since, weekly
from .common import fail, one_line_errors, warn

history_app = typer.Typer()


def recording(wanted: bool) -> Recorder | None:
    """A recorder for this command, unless ``--no-history`` or ``FORMCHECK_HISTORY=0`` said no."""
    return Recorder() if wanted and history_enabled() else None


def record_session(report: dict, wanted: bool, video: str | os.PathLike | None = None) -> None:
    """Record one finished session; a problem with the history is one warning, never an error."""
    recorder = recording(wanted)
    if recorder is None:
        return
    with recorder:
        recorder.record(report, video=video)
    for line in recorder.warnings:
        warn(line)


def _table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = Table(title=title, title_justify="left")
    for col in header:
        table.add_column(col)
    for row in rows:
        table.add_row(*(escape(c) for c in row))
    (out if out.is_terminal else Console(width=160)).print(table)  # a pipe or a log gets every column


def _deg(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.0f}°"


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f}%"


def _print_trends(exercise: str, unit: str, weeks: list[Week]) -> None:
    """Week by week per leg, then the first week against the last."""
    _table(f"{exercise}, week by week (left / right: the leg stepping back)",
           ("week", "sessions", f"{unit} L / R", "depth L / R", "with a mistake L / R", "depth gap L-R"),
           [(f"{w.start:%b %d}-{w.end - timedelta(days=1):%b %d}", str(w.stats.sessions),
             f"{w.stats.legs['left'].count} / {w.stats.legs['right'].count}",
             f"{_deg(w.stats.legs['left'].depth_deg)} / {_deg(w.stats.legs['right'].depth_deg)}",
             f"{_pct(w.stats.legs['left'].mistake_rate)} / {_pct(w.stats.legs['right'].mistake_rate)}",
             _deg(w.stats.depth_gap_deg)) for w in weeks])
    pair = first_and_last(weeks)
    if pair is None:
        out.print("One week of sessions so far: the trend needs two.", style="dim", highlight=False)
        return
    first, last = (w.stats for w in pair)
    for leg in ("left", "right"):
        a, b = first.legs[leg], last.legs[leg]
        out.print(f"{leg} leg back, first week -> last: {unit} {a.count} -> {b.count}, depth {_deg(a.depth_deg)} -> "
                  f"{_deg(b.depth_deg)}, reps with a mistake {_pct(a.mistake_rate)} -> {_pct(b.mistake_rate)}",
                  highlight=False, soft_wrap=True)
    out.print(f"left/right depth gap: {_deg(first.depth_gap_deg)} -> {_deg(last.depth_gap_deg)} "
              "(0 = even; the closer to 0, the better balanced)", highlight=False, soft_wrap=True)


@history_app.callback(invoke_without_command=True)
def history(
    ctx: typer.Context,
    since: str = typer.Option(DEFAULT_SINCE, help="The period: days or weeks back (30d, 2w), an ISO date "
                              "(2026-05-01), or all."),
    exercise: str | None = typer.Option(None, help="Only this exercise: reverse-lunge or reverse-walk."),
    html_path: Path | None = typer.Option(None, "--html", help="Write a self-contained progress page here."),
    csv_path: str | None = typer.Option(None, "--csv", help="Write one row per rep, with its session's columns, "
                                        "here ('-' = stdout)."),
) -> None:
    """Your progress across sessions: the sessions of a period, and the trends per leg week by week.

    Every analyze and live session is recorded, on this computer only.

    FORMCHECK_HOME moves the history; FORMCHECK_HISTORY=0 (or --no-history on one run) turns it off.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..exercises import EXERCISES
    from ..history import HistoryStore
    from ..history.export import history_csv
    from ..history.page import SESSION_HEADER, render_page, session_cells
    from ..history.store import moved_note
    from ..report.atomic import write_text_atomic

    path = history_file()
    now = datetime.now().astimezone()
    with one_line_errors():
        if exercise is not None and exercise not in EXERCISES:
            raise InputError(f"unknown exercise '{exercise}' (choose from: {', '.join(EXERCISES)})")
        start = parse_since(since, now)
        sessions = []
        if path.is_file():
            with HistoryStore.open(path) as store:
                if store.moved_aside is not None:
                    warn(moved_note(path, store.moved_aside))
                sessions = store.sessions(None if start is None else
                                          start.astimezone(timezone.utc).isoformat(timespec="seconds"), exercise)
        if csv_path:
            write_text_atomic(csv_path, history_csv(sessions))
        if html_path:
            write_text_atomic(html_path, render_page(sessions, start, now))
    if csv_path == "-":
        return
    period = "all sessions" if start is None else f"since {start:%Y-%m-%d}"
    if not sessions:
        out.print(f"No sessions {'' if start is None else period + ' '}in {path}: `formcheck analyze` and "
                  "`formcheck live` record each one.", highlight=False, soft_wrap=True)
    else:
        _table(f"{len(sessions)} session{'s' * (len(sessions) != 1)}, {period}", SESSION_HEADER,
               [session_cells(s) for s in reversed(sessions)])
        for ex in dict.fromkeys(s.session.exercise for s in sessions):
            group = [s for s in sessions if s.session.exercise == ex]
            _print_trends(ex, group[0].session.unit, weekly(group, start, now))
        out.print(f"history: {path}" + ("" if history_enabled() else " (recording is off: FORMCHECK_HISTORY)"),
                  style="dim", highlight=False, soft_wrap=True)
    for written in filter(None, (html_path, csv_path)):
        out.print(f"wrote {written}", highlight=False, soft_wrap=True)


@history_app.command("import")
def import_(reports: list[Path] = typer.Argument(..., readable=False, help="JSON reports: `analyze --json`, "
                                                  "`live --save`, a batch's per-video reports.")) -> None:
    """Bring saved reports into the history.

    The same session again updates it; a file that is not a formcheck report is skipped, and said so.

    Exit 2 when nothing could be imported.
    """
    from ..history import import_reports

    with one_line_errors():
        results = import_reports(reports)
    for r in results:
        if r.outcome == "skipped":
            warn(f"skipped {r.path}: {r.why}")
        else:
            out.print(f"{r.outcome} {escape(r.path)} as session {r.session_id}", highlight=False, soft_wrap=True)
    if results and all(r.outcome == "skipped" for r in results):
        raise typer.Exit(InputError.exit_code)


@history_app.command()
def forget(session: int = typer.Argument(..., help="The session's id, as `formcheck history` shows it.")) -> None:
    """Delete one session from the history, with its reps and findings."""
    from ..history import HistoryStore
    from ..history.page import session_cells

    path = history_file()
    if not path.is_file():
        fail(f"no session {session}: the history {path} is empty", InputError.exit_code)
    with one_line_errors(), HistoryStore.open(path) as store:
        gone = store.forget(session)
    if gone is None:
        fail(f"no session {session} in the history (formcheck history lists them)", InputError.exit_code)
    _, date, exercise, source, *_ = session_cells(gone)
    out.print(f"forgot session {session} ({date}, {exercise}, {source})", highlight=False, soft_wrap=True)
