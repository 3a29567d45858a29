"""A built wheel carries the model bundles and finds them without the source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_models_and_loader_finds_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("formcheck-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {"formcheck/models/pose_landmarker_full.task", "formcheck/models/pose_landmarker_lite.task",
                "formcheck/models/manifest.json", "formcheck/profiles/default.toml"} <= names
        zf.extractall(tmp_path / "site")
    code = ("import formcheck.models as m, sys; p = m.resolve_model('full'); "
            "assert str(p).startswith(sys.argv[1]), p; print(p)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], cwd=tmp_path,
                          env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "formcheck/models/pose_landmarker_full.task" in proc.stdout
