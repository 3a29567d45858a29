"""JSON report: schema version, summary, per-rep results and the per-frame series.

The per-frame table is streamed one column at a time, each column on one line: a 10-minute
video's table as one Python object (and one indented string) would be most of the memory a
long analysis needs.
"""

from __future__ import annotations

import io
import json
import os
from typing import TextIO

from ..analysis import Analysis
from .atomic import write_atomic


def dump_json(analysis: Analysis, out: TextIO, include_frames: bool = True, extra: dict | None = None) -> None:
    """Write the report to ``out``. ``extra``: more top-level keys (live mode adds "live")."""
    head = json.dumps(analysis.to_dict(include_frames=False) | (extra or {}), indent=1, allow_nan=False)
    if not include_frames:
        out.write(head + "\n")
        return
    out.write(head[: head.rindex("}")].rstrip() + ',\n "frames": {')
    for k, (name, column) in enumerate(analysis.frame_columns()):
        out.write(("," if k else "") + f"\n  {json.dumps(name)}: {json.dumps(column, allow_nan=False)}")
    out.write("\n }\n}\n")


def to_json(analysis: Analysis, include_frames: bool = True, extra: dict | None = None) -> str:
    buffer = io.StringIO()
    dump_json(analysis, buffer, include_frames, extra)
    return buffer.getvalue()


def write_json(analysis: Analysis, path: str | os.PathLike, extra: dict | None = None) -> None:
    """Atomically (``-``: to stdout), streamed straight into the file."""
    write_atomic(path, lambda out: dump_json(analysis, out, extra=extra))
