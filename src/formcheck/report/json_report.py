"""JSON report: schema version, summary, per-rep results and the per-frame series."""

from __future__ import annotations

import json
import os

from ..analysis import Analysis
from .atomic import write_text_atomic


def to_json(analysis: Analysis, include_frames: bool = True, extra: dict | None = None) -> str:
    """``extra``: more top-level keys (live mode adds "live": calibration, cues said, speed)."""
    return json.dumps(analysis.to_dict(include_frames) | (extra or {}), indent=1, allow_nan=False) + "\n"


def write_json(analysis: Analysis, path: str | os.PathLike, extra: dict | None = None) -> None:
    write_text_atomic(path, to_json(analysis, extra=extra))
