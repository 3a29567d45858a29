"""Recording sessions as analyses finish, and importing saved reports.

``Recorder`` is what ``analyze``, a batch and ``live`` use: it never raises. The first problem
with the history becomes one warning and recording stops for the rest of the command, so a
locked, read-only or damaged database costs the user one line and never an analysis.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .origin import cue_priority, origin_of, profile_hash
from .record import SessionRecord, from_report, is_report
from .store import HistoryError, HistoryStore, explain, history_file, moved_note

log = logging.getLogger(__name__)
OFF_HINT = "--no-history or FORMCHECK_HISTORY=0 turns the history off"


def record_of(report: dict, video: str | os.PathLike | None = None,
              report_file: str | os.PathLike | None = None, priority: dict[str, float] | None = None) -> SessionRecord:
    """The rows a report makes (``record.from_report``) with its key, date and profile hash."""
    return from_report(report, origin_of(report, video, report_file), profile_hash(report),
                       cue_priority() if priority is None else priority)


class Recorder:
    """Records sessions into the history for one command; ``warnings`` holds at most one line."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_file()
        self.warnings: list[str] = []
        self._store: HistoryStore | None = None
        self._priority: dict[str, float] | None = None
        self._off = False

    def record(self, report: dict, video: str | os.PathLike | None = None,
               report_file: str | os.PathLike | None = None) -> int | None:
        """Record one report (``Analysis.to_dict(include_frames=False)``, or a live session's);
        its session id, or None when the history could not take it (see ``warnings``)."""
        if self._off:
            return None
        try:
            if self._store is None:
                self._priority = cue_priority()
                self._store = HistoryStore.open(self.path, self._priority)
                if self._store.moved_aside is not None:
                    self._note_moved(self._store.moved_aside)
            moved = self._store.moved_aside
            session_id, _ = self._store.save(record_of(report, video, report_file, self._priority))
            if self._store.moved_aside is not moved and self._store.moved_aside is not None:
                self._note_moved(self._store.moved_aside)
            return session_id
        except Exception as exc:  # a bug here must not cost the analysis either: the report files are written
            if not isinstance(exc, (HistoryError, OSError)):  # the traceback for -v; the user gets one line
                log.debug("recording the session in the history failed", exc_info=True)
            self._fail(f"this session is not in the history: {explain(exc, self.path)} ({OFF_HINT})")
            return None

    def _note_moved(self, aside: Path) -> None:
        self.warnings.append(moved_note(self.path, aside))

    def _fail(self, line: str) -> None:
        self._off = True
        self.warnings = ["; ".join([*self.warnings, line])]  # one line per command, whatever happened
        self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Imported:
    path: str
    outcome: str  # added, updated or skipped
    session_id: int | None = None
    why: str = ""  # for a skipped file


def import_reports(paths: list[str | os.PathLike], path: Path | None = None) -> list[Imported]:
    """Record saved reports (``analyze --json``, ``live --save``, a batch's per-video reports); a
    file that is not a formcheck report is skipped with the reason. Raises HistoryError when the
    history itself cannot be opened or written."""
    priority = cue_priority()
    results = []
    with HistoryStore.open(path, priority) as store:
        for p in map(Path, paths):
            why = ""
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except FileNotFoundError:
                why = "no such file"
            except (OSError, UnicodeDecodeError) as exc:
                why = f"cannot read it ({getattr(exc, 'strerror', None) or exc})"
            except ValueError:
                why = "not JSON"
            else:
                if not is_report(doc):
                    schema = doc.get("schema_version") if isinstance(doc, dict) else None
                    why = (f"a {schema} document, not a formcheck report" if schema else "not a formcheck report "
                           "(no formcheck-analysis schema_version)")
            if not why:
                try:
                    record = record_of(doc, report_file=p, priority=priority)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    why = f"not a complete formcheck report (missing or malformed {exc})"
            if why:
                results.append(Imported(str(p), "skipped", why=why))
                continue
            session_id, new = store.save(record)
            results.append(Imported(str(p), "added" if new else "updated", session_id))
    return results
