"""The design's walls: the numeric core imports neither OpenCV nor MediaPipe, and never prints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "formcheck"
CORE = ["compiled_kernels.py", "kernels.py", "geometry.py", "identity.py", "raw_evidence.py", "metrics.py", "points.py",
        "view.py", "knee_readings.py", "reps/__init__.py", "reps/dips.py", "reps/gates.py", "reps/legs.py",
        "reps/common.py", "checks.py", "confidence.py", "smoothing.py", "series.py", "profile.py",
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


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if p.relative_to(PKG).parts[0] != "cli"),
                         ids=lambda p: str(p.relative_to(PKG)))
def test_nothing_below_the_cli_prints_or_exits(path):
    """Every module but the command line's package (``cli/``) leaves printing and exiting to it."""
    tree = ast.parse(path.read_text())
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not calls & {"print", "exit", "quit"}, path
    assert "sys.exit" not in path.read_text()


# The stages in the order data flows through them (DESIGN.md): a module may import only modules
# at or before its own place. View classification sits below both the pose stage and the metrics.
STAGES = ["errors", "profile", "compiled_kernels", "kernels", "series", "geometry", "points", "view", "sources",
          "models", "view_watch", "pose", "parallel", "identity", "smoothing", "knee_readings", "raw_evidence", "feet",
          "metrics", "reps", "confidence", "checks", "exercises", "feedback", "analysis", "api", "overlay", "report",
          "live", "batch", "history", "synth", "bench", "console", "cli", "__init__", "__main__"]
MAX_MODULE_LINES = 450  # a module one can read in one sitting; the renderer (synth/) is exempt


def _stage(path: Path) -> str:
    return path.relative_to(PKG).with_suffix("").parts[0]


def _imported_stages(path: Path) -> set[str]:
    """The package's top-level modules a module imports (relative imports only)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            here = path.relative_to(PKG).parts[:-1]
            parts = list(here[:len(here) - (node.level - 1)]) + (node.module.split(".") if node.module else [])
            out |= {parts[0]} if parts else {alias.name for alias in node.names}
    return out


@pytest.mark.parametrize("path", sorted(PKG.rglob("*.py")), ids=lambda p: str(p.relative_to(PKG)))
def test_data_flows_one_way(path):
    me = _stage(path)
    assert me in STAGES, f"{me}: place the new module in STAGES"
    later = {s for s in _imported_stages(path) if s in STAGES and STAGES.index(s) > STAGES.index(me)}
    assert not later, f"{path.relative_to(PKG)} imports later stages {sorted(later)}"


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if "synth" not in p.parts),
                         ids=lambda p: str(p.relative_to(PKG)))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_exercises_are_an_interface():
    """Every exercise provides ``exercises.base.Exercise``, and no module outside ``exercises/``
    (and the walking benchmark, which scores walks) asks which exercise it runs."""
    import re

    from formcheck.exercises import EXERCISES
    from formcheck.exercises.base import Exercise

    assert set(EXERCISES) == {"reverse-lunge", "reverse-walk"}
    for name, module in EXERCISES.items():
        assert isinstance(module, Exercise) and module.NAME == name and module.UNIT and module.CHECKS
    asks = re.compile(r"(is|==|!=)\s*(reverse_walk|reverse_lunge)\b|(==|!=)\s*\"reverse-(walk|lunge)\"")
    for path in PKG.rglob("*.py"):
        if path.parent.name not in ("exercises", "bench"):
            assert not asks.search(path.read_text()), path.relative_to(PKG)


# The numeric core: every tunable number it uses comes from the profile. What may stay in code:
# 0, 1, 2, -1 and 0.5 (halves, averages, 2 pi), unit conversions, and float-comparison tolerances.
NUMERIC_CORE = ["compiled_kernels.py", "kernels.py", "geometry.py", "points.py", "view.py", "view_watch.py",
                "identity.py", "smoothing.py", "knee_readings.py", "raw_evidence.py", "feet.py", "metrics.py",
                "reps/__init__.py", "reps/dips.py", "reps/gates.py", "reps/legs.py", "reps/common.py", "confidence.py",
                "checks.py", "exercises/base.py", "exercises/reverse_lunge.py", "exercises/reverse_walk.py",
                "feedback.py", "analysis.py", "live/session.py", "live/calibration.py"]
PLAIN_NUMBERS = {0.0, 0.5, 1.0, 2.0, -1.0}
UNIT_CONVERSIONS = {60.0, 90.0, 180.0, 360.0, 100.0, 1000.0}  # per minute, degrees, percent, milli
MAX_TOLERANCE = 1e-6


def _float_literals(path: Path) -> list[tuple[int, float]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and type(node.value) is float]


@pytest.mark.parametrize("module", NUMERIC_CORE)
def test_the_numeric_core_takes_its_numbers_from_the_profile(module):
    stray = [(line, x) for line, x in _float_literals(PKG / module)
             if x not in PLAIN_NUMBERS | UNIT_CONVERSIONS and not 0 < abs(x) <= MAX_TOLERANCE]
    assert not stray, f"{module}: numbers that belong in the profile (line, value): {stray}"


def test_the_float_wall_sees_a_stray_number(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("LIMIT = 0.85\nHALF = x / 2.0\n")
    assert _float_literals(probe) == [(1, 0.85), (2, 2.0)]
