"""Find the bundled pose model and check it against the manifest before use.

The bundles are shipped in two places that hold the same files: ``formcheck/models/`` inside an
installed wheel, and ``models/`` at the top of a source checkout (editable installs). The
manifest's SHA-256 guards against a truncated download or a stale rebuild.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .errors import ModelError

VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"
BUILD_HINT = "python models/build_models.py --variant {variant}"


def model_dirs() -> list[Path]:
    """Where bundles may live: the wheel's package data first, then the checkout."""
    here = Path(__file__).resolve().parent
    return [here / "models", here.parent.parent / "models"]


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(path, stat.st_size, stat.st_mtime)


def resolve_model(model: str = DEFAULT_VARIANT) -> Path:
    """Return the path of a verified ``.task`` bundle for a variant name or a file path.

    >>> resolve_model("full").name
    'pose_landmarker_full.task'
    """
    if model not in VARIANTS:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelError(f"model file not found: {model} (use lite, full, heavy or a .task path)")
        return path
    name = f"pose_landmarker_{model}.task"
    hint = BUILD_HINT.format(variant=model)
    for folder in model_dirs():
        path = folder / name
        manifest = folder / "manifest.json"
        if not path.is_file():
            continue
        if not manifest.is_file():
            raise ModelError(f"{manifest} is missing; rebuild the models with: {hint}")
        expected = json.loads(manifest.read_text()).get("bundles", {}).get(name, {}).get("sha256")
        if expected is None:
            raise ModelError(f"{name} is not listed in {manifest}; rebuild it with: {hint}")
        if file_sha256(path) != expected:
            raise ModelError(f"{path} fails its SHA-256 check; rebuild it with: {hint}")
        return path
    raise ModelError(f"pose model '{model}' is not installed ({name}); build it with: {hint}")
