"""The progress history: every analysed set and live session, per leg, in a local SQLite file.

``analyze`` and ``live`` record each session as it finishes (``Recorder``; ``--no-history`` or
``FORMCHECK_HISTORY=0`` skip it), ``formcheck history`` reads it back: a table of sessions, the
per-leg trends over weeks (``trends``), a progress page (``page``) and a CSV export (``export``).
Nothing leaves the computer. See docs/history-db.md for the tables, keys and migrations.
"""

from __future__ import annotations

from .recorder import Recorder, import_reports, record_of
from .store import HistoryError, HistoryStore, history_enabled, history_file

__all__ = ["HistoryError", "HistoryStore", "Recorder", "history_enabled", "history_file", "import_reports",
           "record_of"]
