"""Which session a report is, and when it took place: the history's keys, read from the files.

A video's key is a fingerprint of its content plus the exercise, so analysing the same video again
(renamed, moved, or with other options) updates its session instead of adding one. A live session's
key is its own start time plus its source. A report with neither (landmarks handed to the API, a
video since deleted) is keyed by its own content, so importing it twice still makes one session.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from ..profile import load_profile
from .record import Origin

# Bytes read from each end of a video for its fingerprint: the container's header and index sit at
# one end or the other, and the encoded frames between differ from the first megabyte on; 2 MB
# read costs about a millisecond, where hashing a whole video would cost a second per GB.
FINGERPRINT_BYTES = 1 << 20


def fingerprint(path: str | os.PathLike) -> str:
    """sha256 of the file's size, its first and its last ``FINGERPRINT_BYTES`` (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        h.update(str(size).encode() + b"\n")
        h.update(f.read(FINGERPRINT_BYTES))
        if size > FINGERPRINT_BYTES:
            f.seek(max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES))
            h.update(f.read(FINGERPRINT_BYTES))
    return h.hexdigest()


def video_origin(path: str | os.PathLike, exercise: str) -> Origin:
    """A video's session: its fingerprint, dated by the file's modification time (when it was
    filmed or copied: a video analysed again keeps its date)."""
    when = datetime.fromtimestamp(os.stat(path).st_mtime).astimezone()
    return Origin.at(f"video:{fingerprint(path)}:{exercise}", "video", when)


def report_digest(report: dict) -> str:
    """sha256 of the report's canonical JSON (without its per-frame table)."""
    doc = {k: v for k, v in report.items() if k != "frames"}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, allow_nan=False).encode()).hexdigest()


def origin_of(report: dict, video: str | os.PathLike | None = None,
              report_file: str | os.PathLike | None = None) -> Origin:
    """The session a report is: a live session's start time and source; else the video it was made
    from (``video``, or the report's ``source`` where that file still exists, looked for from here
    and beside the report); else the report itself, dated by ``report_file``'s modification time
    (or now)."""
    started = (report.get("live") or {}).get("started_at")
    if started:
        return Origin.at(f"live:{started}:{report['source']}", "live", datetime.fromisoformat(started))
    for candidate in _video_candidates(report, video, report_file):
        try:
            return video_origin(candidate, report["exercise"])
        except OSError:
            continue
    when = datetime.fromtimestamp(os.stat(report_file).st_mtime) if report_file else datetime.now()
    return Origin.at(f"report:{report_digest(report)}", "report", when.astimezone())


def _video_candidates(report: dict, video, report_file) -> list[Path]:
    if video is not None:
        return [Path(video)]
    source = Path(str(report.get("source", "")))
    if not str(source) or not source.suffix:  # "landmarks", "camera 0": not files
        return []
    places = [source] + ([Path(report_file).parent / source] if report_file and not source.is_absolute() else [])
    return [p for p in places if p.is_file()]


def profile_hash(report: dict) -> str | None:
    """Short sha256 of the thresholds the report's profile holds (defaults included), None when the
    profile can no longer be read: sessions analysed with the same thresholds share it."""
    path = report.get("profile") or None
    try:
        values = load_profile(path).values
    except Exception:  # moved, deleted or broken since: the session is still worth keeping
        return None
    canonical = json.dumps({k: float(v) for k, v in values.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def cue_priority() -> dict[str, float]:
    """Which mistake is named first when two are as frequent (the default profile's cue order)."""
    return load_profile().section("cues.priority")
