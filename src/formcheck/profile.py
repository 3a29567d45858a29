"""The threshold profile: every tunable number in one commented TOML file.

``profiles/default.toml`` holds the defaults, each with its source. A user profile overrides any
subset of keys; an unknown key or a non-numeric value is an error rather than silently ignored,
so a typo can never switch a check off.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import ProfileError

DEFAULT_PROFILE = Path(__file__).resolve().parent / "profiles" / "default.toml"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _read(path: Path) -> dict[str, Any]:
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ProfileError(f"profile not found: {path}") from None
    except PermissionError:
        raise ProfileError(f"permission denied: profile {path}") from None
    except OSError as exc:  # a folder, a device that cannot be read
        raise ProfileError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path} is not valid TOML: {exc}") from None


@dataclass(frozen=True)
class Profile:
    """Flat, read-only view of the thresholds: ``profile["checks.knee.valgus_deg"]``."""

    values: dict[str, float]
    path: str = str(DEFAULT_PROFILE)

    def __getitem__(self, key: str) -> float:
        return self.values[key]

    def section(self, prefix: str) -> dict[str, float]:
        """All keys under ``prefix.`` with the prefix stripped."""
        start = prefix + "."
        return {k[len(start):]: v for k, v in self.values.items() if k.startswith(start)}


def load_profile(path: str | Path | None = None) -> Profile:
    """Defaults, overridden by the keys of ``path`` if given.

    >>> load_profile()["checks.knee.valgus_deg"]
    10.0
    """
    values = _read(DEFAULT_PROFILE)
    if path is None:
        return Profile(values)
    for key, value in _read(Path(path)).items():
        if key not in values:
            raise ProfileError(f"profile {path}: unknown setting '{key}'")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ProfileError(f"profile {path}: '{key}' must be a finite number, got {value!r}")
        values[key] = float(value)
    return Profile(values, str(path))
