"""JSON report: schema version, summary, per-rep results and the per-frame series."""

from __future__ import annotations

import json
import os

from ..analysis import Analysis
from .atomic import write_text_atomic


def to_json(analysis: Analysis, include_frames: bool = True) -> str:
    return json.dumps(analysis.to_dict(include_frames), indent=1, allow_nan=False) + "\n"


def write_json(analysis: Analysis, path: str | os.PathLike) -> None:
    write_text_atomic(path, to_json(analysis))
