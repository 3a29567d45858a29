"""The history database's tables and the migrations that build them, one version at a time.

``PRAGMA user_version`` holds the version a database is at; ``MIGRATIONS[k]`` takes it from
version k to k + 1. Opening a database applies the missing steps in order, in one write
transaction, so two processes opening an old file at once migrate it once. A step is never
edited once released: a change is a new step at the end (docs/history-db.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .record import FindingRow, RepRow, scores

Step = Callable[[sqlite3.Connection, dict[str, float]], None]

V1_TABLES = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,            -- video:<sha256>:<exercise> | live:<started_at>:<source> | report:<sha256>
    kind TEXT NOT NULL,                  -- video | live | report
    started_at TEXT NOT NULL,            -- ISO 8601, UTC
    source TEXT NOT NULL,
    exercise TEXT NOT NULL,
    view TEXT NOT NULL,
    model TEXT NOT NULL,
    profile_hash TEXT,
    formcheck_version TEXT NOT NULL,
    duration_s REAL NOT NULL,
    unit TEXT NOT NULL,                  -- reps | steps
    left_count INTEGER NOT NULL,
    right_count INTEGER NOT NULL,
    unknown_count INTEGER NOT NULL,
    sets INTEGER NOT NULL
);
CREATE TABLE reps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    rep INTEGER NOT NULL,
    set_no INTEGER NOT NULL,
    leg TEXT NOT NULL,
    variant TEXT NOT NULL,
    complete INTEGER NOT NULL,
    bottom_s REAL NOT NULL,
    depth_deg REAL,
    trunk_lean_deg REAL,
    step_length_ratio REAL,
    confidence REAL NOT NULL,
    PRIMARY KEY (session_id, rep)
);
CREATE TABLE findings (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    rep INTEGER,                         -- NULL: a finding on the whole walk
    code TEXT NOT NULL,
    family TEXT NOT NULL,
    status TEXT NOT NULL,
    side TEXT NOT NULL
);
CREATE INDEX findings_by_session ON findings(session_id, rep);
"""


def _v1(conn: sqlite3.Connection, priority: dict[str, float]) -> None:
    """The three tables."""
    for statement in V1_TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v2(conn: sqlite3.Connection, priority: dict[str, float]) -> None:
    """Each session's form score and most frequent mistake on its row (the table of sessions reads
    them without a scan of the findings), filled in for the sessions already there; and an index
    on the date, which every period query filters on."""
    conn.execute("ALTER TABLE sessions ADD COLUMN form_score REAL")
    conn.execute("ALTER TABLE sessions ADD COLUMN top_mistake TEXT")
    conn.execute("CREATE INDEX sessions_by_date ON sessions(started_at)")
    for (session_id,) in conn.execute("SELECT id FROM sessions").fetchall():
        reps = [RepRow(*row) for row in conn.execute(
            "SELECT rep, set_no, leg, variant, complete, bottom_s, depth_deg, trunk_lean_deg, step_length_ratio, "
            "confidence FROM reps WHERE session_id = ?", (session_id,))]
        findings = [FindingRow(*row) for row in conn.execute(
            "SELECT rep, code, family, status, side FROM findings WHERE session_id = ? ORDER BY rowid",
            (session_id,))]
        score, top = scores(reps, findings, priority)
        conn.execute("UPDATE sessions SET form_score = ?, top_mistake = ? WHERE id = ?", (score, top, session_id))


MIGRATIONS: list[Step] = [_v1, _v2]
VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, priority: dict[str, float]) -> int:
    """Bring the database to ``VERSION``; returns the version it was at. The caller holds a write
    transaction (``BEGIN IMMEDIATE``), so the version read here is the one the steps start from."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    for step in MIGRATIONS[found:]:
        step(conn, priority)
    if found < VERSION:
        conn.execute(f"PRAGMA user_version = {VERSION}")
    return found
