"""A proper package: the wheel carries models, licence and type marker; version, ``-m`` and completion work."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from formcheck.report.schema import SCHEMA_FILES, load_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_models_and_loader_finds_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("formcheck-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {"formcheck/models/pose_landmarker_full.task", "formcheck/models/pose_landmarker_lite.task",
                "formcheck/models/manifest.json", "formcheck/profiles/default.toml", "formcheck/py.typed",
                "formcheck/__main__.py"} <= names
        for version, filename in SCHEMA_FILES.items():  # the schemas ship as they are in the source
            assert json.loads(zf.read(f"formcheck/report/schemas/{filename}")) == load_schema(version)
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        assert {f"{info}/licenses/LICENSE", f"{info}/licenses/models/NOTICE"} <= names
        assert "Apache License" in zf.read(f"{info}/licenses/LICENSE").decode()
        metadata = zf.read(f"{info}/METADATA").decode()
        assert "License-Expression: Apache-2.0" in metadata and f"Version: {_version()}\n" in metadata
        zf.extractall(tmp_path / "site")
    code = ("import formcheck.models as m, sys; p = m.resolve_model('full'); "
            "assert str(p).startswith(sys.argv[1]), p; print(p)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], cwd=tmp_path,
                          env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "formcheck/models/pose_landmarker_full.task" in proc.stdout


def formcheck(*args: str, env: dict | None = None, module: bool = False) -> subprocess.CompletedProcess:
    """The installed console script (beside this Python), or ``python -m formcheck``."""
    command = [sys.executable, "-m", "formcheck"] if module else [str(Path(sys.executable).parent / "formcheck")]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("module", [False, True])
def test_version_from_the_script_and_from_python_m(module):
    import formcheck as package

    proc = formcheck("--version", module=module)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"formcheck {package.__version__}" == f"formcheck {_version()}"


def _version() -> str:
    """The version the changelog's newest release heading names: the package must carry it."""
    import re

    return re.search(r"^## (\d+\.\d+\.\d+) - ", (ROOT / "CHANGELOG.md").read_text(), re.M).group(1)


def test_python_m_runs_the_same_commands():
    proc = formcheck("analyze", "no-such-video.mp4", module=True)
    assert proc.returncode == 2 and "no-such-video.mp4" in proc.stderr and "Traceback" not in proc.stderr


def test_shell_completion_completes_commands_and_installs(tmp_path):
    import os

    env = dict(os.environ, _FORMCHECK_COMPLETE="complete_bash", COMP_WORDS="formcheck an", COMP_CWORD="1")
    assert formcheck(env=env).stdout.split() == ["analyze"]
    env = dict(os.environ, _FORMCHECK_COMPLETE="complete_bash", COMP_WORDS="formcheck analyze --ann",
               COMP_CWORD="2")
    assert formcheck(env=env).stdout.split() == ["--annotated"]
    home = dict(os.environ, HOME=str(tmp_path), SHELL="/bin/bash")
    proc = formcheck("--install-completion", "bash", env=home)
    assert proc.returncode == 0, proc.stderr
    assert "formcheck" in (tmp_path / ".bashrc").read_text()
    script = next((tmp_path / ".bash_completions").glob("formcheck*"))
    assert "_FORMCHECK_COMPLETE=complete_bash" in script.read_text()


def test_schema_command_prints_the_shipped_schema():
    proc = formcheck("schema")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == load_schema()
    assert load_schema()["properties"]["schema_version"]["const"] == "formcheck-analysis/1"
    assert json.loads(formcheck("schema", "batch").stdout) == load_schema("formcheck-batch/1")
    proc = formcheck("schema", "nope")
    assert proc.returncode == 2 and "unknown schema 'nope'" in proc.stderr and "Traceback" not in proc.stderr
