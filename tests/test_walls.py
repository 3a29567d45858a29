"""The design's walls: the numeric core imports neither OpenCV nor MediaPipe, and never prints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "formcheck"
CORE = ["geometry.py", "identity.py", "metrics.py", "reps/__init__.py", "reps/dips.py", "reps/gates.py",
        "reps/legs.py", "reps/common.py", "checks.py", "confidence.py", "smoothing.py", "series.py", "profile.py",
        "exercises/reverse_lunge.py", "view_watch.py", "synth/kinematics.py", "live/calibration.py", "live/session.py",
        "feedback.py"]
FORBIDDEN = {"cv2", "mediapipe"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_opencv_or_mediapipe(module):
    assert imported_modules(PKG / module).isdisjoint(FORBIDDEN)


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if p.name != "cli.py"),
                         ids=lambda p: str(p.relative_to(PKG)))
def test_nothing_below_the_cli_prints_or_exits(path):
    tree = ast.parse(path.read_text())
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not calls & {"print", "exit", "quit"}, path
    assert "sys.exit" not in path.read_text()
