"""The JSON Schemas (draft 2020-12) of formcheck's JSON outputs, shipped as package data.

``formcheck-analysis/1`` is the report of one video or live session (``json_report``), and
``formcheck-batch/1`` a batch's ``index.json`` (``batch``); each document names its schema in its
``schema_version``. Reading a schema needs nothing beyond the standard library: validating
against it is the caller's business (``jsonschema``, ``check-jsonschema``), so formcheck does not
depend on a validator at runtime.
"""

from __future__ import annotations

import json
from importlib.resources import files

ANALYSIS_SCHEMA = "formcheck-analysis/1"
BATCH_SCHEMA = "formcheck-batch/1"
# schema_version -> the file in formcheck/report/schemas/
SCHEMA_FILES = {
    ANALYSIS_SCHEMA: "formcheck-analysis-1.schema.json",
    BATCH_SCHEMA: "formcheck-batch-1.schema.json",
}


def schema_text(name: str = ANALYSIS_SCHEMA) -> str:
    """The schema ``name`` (a ``schema_version``) as shipped: JSON text."""
    try:
        filename = SCHEMA_FILES[name]
    except KeyError:
        raise ValueError(f"unknown schema '{name}' (known: {', '.join(SCHEMA_FILES)})") from None
    return files(__package__).joinpath("schemas", filename).read_text(encoding="utf-8")


def load_schema(name: str = ANALYSIS_SCHEMA) -> dict:
    """The schema ``name`` (a ``schema_version``) as a dict."""
    return json.loads(schema_text(name))
