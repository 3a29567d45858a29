"""The progress history's SQLite file: where it lives, opening it safely, writing and reading sessions.

One file, ``history.sqlite``, in the user's data folder (``FORMCHECK_HOME`` overrides the folder).
WAL mode and a busy timeout let several formcheck processes write at once: each waits its turn
for the few milliseconds a session takes. A file that is not a database, or a damaged one, is
renamed aside (never overwritten) and a fresh one started; every other problem is a
``HistoryError`` with one line saying what is wrong.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import astuple, fields
from pathlib import Path

from ..errors import FormcheckError
from .record import FindingRow, RepRow, SessionRecord, SessionRow
from .schema import VERSION, migrate

log = logging.getLogger(__name__)

HOME_ENV = "FORMCHECK_HOME"  # the folder the history lives in, instead of the user's data folder
SWITCH_ENV = "FORMCHECK_HISTORY"  # 0, false, no or off: record nothing
FILENAME = "history.sqlite"
# How long a write waits for another process's write to finish. A session's write holds the lock
# for a few milliseconds, so 5 s rides out a batch's videos finishing together (and a WAL
# checkpoint) while a file held by something else still gives up before the user wonders.
BUSY_TIMEOUT_S = 5.0
WAL_RETRY_S = 0.02  # between two tries of the switch to WAL mode (a file being created by another process)
# SQLite's primary result codes (sqlite3.h), read off an error's extended code
_BUSY, _LOCKED, _READONLY, _CANTOPEN, _CORRUPT, _NOTADB, _FULL, _PERM, _IOERR = 5, 6, 8, 14, 11, 26, 13, 3, 10

SESSION_COLUMNS = tuple(f.name for f in fields(SessionRow))
REP_COLUMNS = tuple(f.name for f in fields(RepRow))
FINDING_COLUMNS = tuple(f.name for f in fields(FindingRow))


class HistoryError(FormcheckError):
    """The history cannot be opened, read or written: one line saying why."""


class _Damaged(Exception):
    """The file is not a database, or a damaged one."""


def history_dir() -> Path:
    """``$FORMCHECK_HOME``, else the user's data folder (platformdirs)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("formcheck", appauthor=False))


def history_file() -> Path:
    return history_dir() / FILENAME


def history_enabled() -> bool:
    """False when ``FORMCHECK_HISTORY`` says off (0, false, no, off)."""
    return os.environ.get(SWITCH_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()  # Python 3.10: the message only
    for words, c in (("not a database", _NOTADB), ("malformed", _CORRUPT), ("locked", _BUSY),
                     ("readonly", _READONLY), ("unable to open", _CANTOPEN), ("disk is full", _FULL)):
        if words in text:
            return c
    return None


def explain(exc: BaseException, path: Path) -> str:
    """One line for a problem with the history file."""
    if isinstance(exc, HistoryError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"cannot use the history folder {path.parent}: {exc.strerror or exc}"
    code = _code(exc) if isinstance(exc, sqlite3.Error) else None
    if code in (_BUSY, _LOCKED):
        return f"the history database {path} is busy (another program has held it for {BUSY_TIMEOUT_S:g} s)"
    if code in (_READONLY, _CANTOPEN, _PERM):
        return f"the history database {path} cannot be written (read-only, or its folder is)"
    if code == _FULL:
        return f"the disk holding the history database {path} is full"
    return f"the history database {path} failed: {exc}"


def moved_note(path: Path, aside: Path) -> str:
    """The one line saying a damaged file was kept aside."""
    return f"the history database {path} was damaged: it is kept as {aside.name} and a new one was started"


def _damaged(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and _code(exc) in (_CORRUPT, _NOTADB)


def move_aside(path: Path) -> Path:
    """Rename a damaged file (and its WAL and shared-memory files) to ``NAME.corrupt-<timestamp>``:
    kept for whoever wants to rescue it, never overwritten."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):  # a pair SQLite can still open together: NAME.corrupt-T and NAME.corrupt-T-wal
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{suffix}"))
    log.info("history database %s was damaged: moved to %s", path, aside)  # the caller warns, in one line
    return aside


class HistoryStore:
    """An open history database. ``open`` migrates it; ``moved_aside`` names a damaged file it replaced."""

    def __init__(self, conn: sqlite3.Connection, path: Path, moved_aside: Path | None = None) -> None:
        self.conn, self.path, self.moved_aside = conn, path, moved_aside

    @classmethod
    def open(cls, path: Path | None = None, priority: dict[str, float] | None = None) -> HistoryStore:
        """Open (creating the folder and file if needed) and migrate. A damaged file is moved aside
        once and a fresh one started. Raises HistoryError."""
        path = path or history_file()
        moved = None
        for attempt in range(2):
            try:
                return cls(_connect(path, priority), path, moved)
            except _Damaged:
                if attempt:
                    break
                moved = _replace_damaged(path)
            except (sqlite3.Error, OSError) as exc:
                raise HistoryError(explain(exc, path)) from None
        raise HistoryError(f"the history database {path} is damaged and could not be replaced")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, work):
        """``work(conn)`` in one write transaction (``_in_transaction``); a damaged file raises _Damaged."""
        try:
            return _in_transaction(self.conn, work)
        except sqlite3.Error as exc:
            if _damaged(exc):
                raise _Damaged() from exc
            raise HistoryError(explain(exc, self.path)) from None

    def save(self, record: SessionRecord) -> tuple[int, bool]:
        """Store a session, replacing the one with the same key (its id is kept); (id, new?)."""
        s = record.session

        def work(conn: sqlite3.Connection) -> tuple[int, bool]:
            found = conn.execute("SELECT id FROM sessions WHERE key = ?", (s.key,)).fetchone()
            values = astuple(s)
            if found is None:
                cur = conn.execute(f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)}) "
                                   f"VALUES ({', '.join('?' * len(values))})", values)
                session_id, new = int(cur.lastrowid), True
            else:
                session_id, new = int(found[0]), False
                conn.execute(f"UPDATE sessions SET {', '.join(c + ' = ?' for c in SESSION_COLUMNS)} WHERE id = ?",
                             (*values, session_id))
                conn.execute("DELETE FROM reps WHERE session_id = ?", (session_id,))
                conn.execute("DELETE FROM findings WHERE session_id = ?", (session_id,))
            conn.executemany(f"INSERT INTO reps (session_id, {', '.join(REP_COLUMNS)}) "
                             f"VALUES (?{', ?' * len(REP_COLUMNS)})", [(session_id, *astuple(r)) for r in record.reps])
            conn.executemany(f"INSERT INTO findings (session_id, {', '.join(FINDING_COLUMNS)}) "
                             f"VALUES (?{', ?' * len(FINDING_COLUMNS)})",
                             [(session_id, *astuple(f)) for f in record.findings])
            return session_id, new

        try:
            return self._write(work)
        except _Damaged:  # damaged where opening did not look: moved aside, and the session goes to a fresh file
            self.conn.close()
            self.moved_aside = _replace_damaged(self.path) or self.moved_aside
            try:
                self.conn = _connect(self.path, None)
                return self._write(work)
            except (_Damaged, sqlite3.Error, OSError) as exc:
                raise HistoryError(explain(exc, self.path)) from None

    def forget(self, session_id: int) -> SessionRecord | None:
        """Delete one session with its reps and findings; the session as it was (None if there was none)."""
        found = self.sessions(ids=[session_id])
        if not found:
            return None

        def work(conn: sqlite3.Connection) -> None:
            for table, column in (("findings", "session_id"), ("reps", "session_id"), ("sessions", "id")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))

        try:
            self._write(work)
        except _Damaged:
            raise HistoryError(_damaged_until_next_record(self.path)) from None
        return found[0]

    def sessions(self, since: str | None = None, exercise: str | None = None,
                 ids: list[int] | None = None) -> list[SessionRecord]:
        """Sessions (with their reps and findings) from ``since`` (ISO 8601 in UTC) on, oldest first."""
        where, args = [], []
        if since is not None:
            where.append("started_at >= ?")
            args.append(since)
        if exercise is not None:
            where.append("exercise = ?")
            args.append(exercise)
        if ids is not None:
            where.append(f"id IN ({', '.join('?' * len(ids))})")
            args += ids
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        try:
            rows = self.conn.execute(f"SELECT id, {', '.join(SESSION_COLUMNS)} FROM sessions{clause} "
                                     "ORDER BY started_at, id", args).fetchall()
            reps: dict[int, list[RepRow]] = {}
            findings: dict[int, list[FindingRow]] = {}
            inner = f"SELECT id FROM sessions{clause}"
            for row in self.conn.execute(f"SELECT session_id, {', '.join(REP_COLUMNS)} FROM reps "
                                         f"WHERE session_id IN ({inner}) ORDER BY session_id, rep", args):
                reps.setdefault(row[0], []).append(RepRow(*row[1:5], bool(row[5]), *row[6:]))
            for row in self.conn.execute(f"SELECT session_id, {', '.join(FINDING_COLUMNS)} FROM findings "
                                         f"WHERE session_id IN ({inner}) ORDER BY rowid", args):
                findings.setdefault(row[0], []).append(FindingRow(*row[1:]))
        except sqlite3.Error as exc:
            if _damaged(exc):
                raise HistoryError(_damaged_until_next_record(self.path, exc)) from None
            raise HistoryError(explain(exc, self.path)) from None
        return [SessionRecord(SessionRow(*row[1:]), tuple(reps.get(row[0], ())), tuple(findings.get(row[0], ())),
                              id=row[0]) for row in rows]


def _in_transaction(conn: sqlite3.Connection, work):
    """``work(conn)`` in one write transaction taken at once (BEGIN IMMEDIATE): a busy database
    makes it wait for the busy timeout instead of failing halfway; anything raised rolls it back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _damaged_until_next_record(path: Path, exc: sqlite3.Error | None = None) -> str:
    """The line for a damaged file found while reading or deleting: only recording moves it aside."""
    detail = f" ({exc})" if exc is not None else ""
    return (f"the history database {path} is damaged{detail}: it is moved aside the next time formcheck records "
            "a session")


def _connect(path: Path, priority: dict[str, float] | None) -> sqlite3.Connection:
    """Connect in WAL mode with the busy timeout, and migrate. Raises _Damaged, sqlite3.Error, OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        _use_wal(conn, path)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL's safe setting: a power cut may lose the last session
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > VERSION:
            raise HistoryError(f"the history database {path} was written by a newer formcheck (version {version}; "
                               f"this one knows {VERSION}): update formcheck to use it")
        if version < VERSION:
            if priority is None:
                from .origin import cue_priority

                priority = cue_priority()
            found = _in_transaction(conn, lambda c: migrate(c, priority))
            if found < VERSION:
                log.info("history database %s: migrated from version %d to %d", path, found, VERSION)
        return conn
    except sqlite3.Error as exc:
        conn.close()
        if _damaged(exc):
            raise _Damaged() from exc
        raise
    except BaseException:
        conn.close()
        raise


def _use_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch a new file to WAL mode. The switch takes a lock SQLite does not wait for (two
    processes creating the file at once: one gets "database is locked" at once), so it is retried
    here for up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                log.info("history database %s: WAL mode unavailable, using the rollback journal", path)
            return
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (_BUSY, _LOCKED) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_S)


def _replace_damaged(path: Path) -> Path | None:
    """Move the damaged file aside; None when another process already did (the file is sound now)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] == "ok":
                return None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if not _damaged(exc):
            raise HistoryError(explain(exc, path)) from None
    try:
        return move_aside(path)
    except OSError as exc:
        raise HistoryError(f"the history database {path} is damaged and cannot be moved aside: "
                           f"{exc.strerror or exc}") from None
