"""Shared fixtures: the real clips in ../shared/videos and cached analyses (the real model)."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from formcheck.bench.dataset import shared_videos_dir

# The progress history (formcheck.history) is on by default and lives in the user's data folder:
# the suite must never write there. FORMCHECK_HOME points it at a temp folder from the moment this
# file is imported, before any test module is (some copy os.environ at import, for the processes
# they start), and every process a test starts inherits it. ``history_home`` keeps it so.
HISTORY_HOME = Path(tempfile.mkdtemp(prefix="formcheck-home-"))
atexit.register(shutil.rmtree, HISTORY_HOME, ignore_errors=True)  # also when a script imports this file
os.environ["FORMCHECK_HOME"] = str(HISTORY_HOME)
os.environ["FORMCHECK_HISTORY"] = "1"  # recorded, whatever the environment the suite was started from says

ROOT = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = shared_videos_dir()  # $FORMCHECK_SHARED_VIDEOS, else ../shared/videos
SAMPLES = ROOT / "sample_videos"

# Fixtures that run the real pose model, render a clip, drive a browser or a display: a test that
# uses one is in the slow lane (``-m slow``); ``-m "not slow"`` is the fast lane.
SLOW_FIXTURES = frozenset({
    "analyses", "analyses_walk", "report", "heel_clip", "batch", "side_lunges", "away_and_back", "walker",
    "portrait_lunges", "exposed", "outputs", "browser", "crossing_knee", "headless_session", "xvfb", "clip_series",
    "front_series", "rendered", "fuzz_source"})


@pytest.fixture(autouse=True, scope="session")
def history_home():
    """The suite's progress history: a temp folder, never the user's (``FORMCHECK_HOME``, set in
    ``os.environ`` so every subprocess inherits it); removed at the end of the session."""
    os.environ["FORMCHECK_HOME"] = str(HISTORY_HOME)
    yield HISTORY_HOME
    shutil.rmtree(HISTORY_HOME, ignore_errors=True)


@pytest.fixture
def own_history(tmp_path, monkeypatch) -> Path:
    """This test's own progress history folder (``FORMCHECK_HOME``; not created yet)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FORMCHECK_HOME", str(folder))
    return folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def shared_labels() -> dict:
    """The per-rep labels of the real clips (``real-labels.json``) that are present ({} if none)."""
    from formcheck.bench.real import load_labels

    return load_labels(SHARED_VIDEOS) if SHARED_VIDEOS.is_dir() else {}


@pytest.fixture(scope="session")
def analyses():
    """analyze_video results, computed once per (path, model) for the whole session."""
    from formcheck import analyze_video

    cache: dict = {}

    def get(path: Path, model: str = "full"):
        key = (str(path), model)
        if key not in cache:
            cache[key] = analyze_video(path, model=model)
        return cache[key]

    return get


def exact_series(spec) -> tuple:
    """A perfect pose model's series of a generator clip (``synth.ClipSpec``), and its rep truth:
    the generator's joints projected by the camera, nothing rendered."""
    import numpy as np

    from formcheck.series import PoseSeries
    from formcheck.synth.clips import _clip_points, rep_truth
    from formcheck.synth.kinematics import plan_reps, sample_motion
    from formcheck.synth.render import place_camera

    motion = sample_motion(plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form),
                           spec.fps, spec.body, spec.arms)
    px, _ = place_camera(spec.camera, _clip_points(motion, spec.body), spec.size).project(motion.landmarks_m())
    return PoseSeries.from_landmarks(px / np.array(spec.size), motion.t, spec.size), rep_truth(motion, spec)



# --- every JSON report the suite writes is validated against its shipped schema --------------------
# (formcheck/report/schemas/: formcheck-analysis/1, and formcheck-batch/1 for a batch's index.json)
# After each test that used tmp_path, the reports it left there; at the end of the session, every
# report under pytest's base temp directory (session- and module-scoped temp dirs too); and the
# reports tests read from stdout or build in memory, through ``assert_valid_report``.

_REPORT_HEAD_BYTES = 4096  # a report names its schema_version first: only files whose head does are parsed
_BASE_TEMP = pytest.StashKey()
_checked_reports: dict[str, tuple[int, int]] = {}  # path -> (mtime_ns, size) when it was checked
_invalid_at_session_end: list[str] = []


def _report_versions() -> tuple[str, ...]:
    from formcheck.report.schema import SCHEMA_FILES

    return tuple(SCHEMA_FILES)


@functools.cache
def _validator(version: str):
    from jsonschema import Draft202012Validator

    from formcheck.report.schema import load_schema

    return Draft202012Validator(load_schema(version), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _schema_problem(doc: dict) -> str | None:
    """The validator's best error for a parsed report (None when it matches its schema)."""
    from jsonschema.exceptions import best_match

    version = doc.get("schema_version")
    if version not in _report_versions():
        return f"schema_version {version!r} is not one of {', '.join(_report_versions())}"
    error = best_match(_validator(version).iter_errors(doc))
    return None if error is None else f"{error.message} (at {error.json_path}, against {version})"


def assert_valid_report(doc, where: str = "the report") -> None:
    """Fail the test unless ``doc`` (a report dict, or its JSON text) matches the schema its
    ``schema_version`` names. A dict is checked as the JSON it writes to (tuples become arrays;
    NaN or inf fails)."""
    import json

    try:
        text = doc if isinstance(doc, str) else json.dumps(doc, allow_nan=False)
        parsed = json.loads(text)
    except ValueError as exc:
        pytest.fail(f"{where} is not strict JSON: {exc}", pytrace=False)
    problem = _schema_problem(parsed) if isinstance(parsed, dict) else "not a JSON object"
    if problem is not None:
        pytest.fail(f"{where} does not match its JSON schema: {problem}", pytrace=False)


def _names_a_schema(path: Path) -> bool:
    """The file's head names one of the schemas (cheap: most JSON files are not reports)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_REPORT_HEAD_BYTES)
    except OSError:
        return False
    return b'"schema_version"' in head and any(v.encode() in head for v in _report_versions())


def _signature(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of a regular file (not followed through a link), else None: a FIFO named
    *.json (tests write reports into pipes) would block the scan's read forever."""
    import stat

    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if stat.S_ISREG(st.st_mode) else None


def invalid_reports(root: Path) -> list[str]:
    """``path: problem`` for every report under ``root`` (``*.json`` whose top-level
    ``schema_version`` is one of the shipped schemas) that does not match its schema. Files
    unchanged since they were last checked are not checked again."""
    import json
    import os

    problems = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            signature = _signature(path) if name.endswith(".json") else None
            if signature is None or _checked_reports.get(str(path)) == signature or not _names_a_schema(path):
                continue
            _checked_reports[str(path)] = signature
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except OSError:
                continue  # gone meanwhile
            except ValueError as exc:
                problems.append(f"{path}: not JSON: {exc}")
                continue
            if isinstance(doc, dict) and doc.get("schema_version") in _report_versions():
                problem = _schema_problem(doc)
                if problem is not None:
                    problems.append(f"{path}: {problem}")
    return problems


@pytest.fixture(autouse=True)
def _reports_match_their_schema(request):
    """After a test that used tmp_path, every report it left there matches its schema."""
    # requested here, tmp_path is torn down after this fixture (its retention policy may delete it)
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if tmp is not None and tmp.is_dir():
        problems = invalid_reports(tmp)
        if problems:
            pytest.fail("reports written by this test do not match their JSON schema:\n" + "\n".join(problems),
                        pytrace=False)


@pytest.fixture(autouse=True, scope="session")
def _report_scan_base_temp(request, tmp_path_factory):
    """Hands pytest_sessionfinish the base temp directory's factory (it cannot request fixtures)."""
    request.config.stash[_BASE_TEMP] = tmp_path_factory


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every report under the base temp directory matches its schema (module- and session-scoped
    temp dirs included, which no test's teardown scans); else the session fails."""
    factory = session.config.stash.get(_BASE_TEMP, None)
    if factory is None:
        return
    base = factory.getbasetemp()
    problems = invalid_reports(base) if base.is_dir() else []
    if problems:
        _invalid_at_session_end.extend(problems)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config) -> None:
    if _invalid_at_session_end:
        terminalreporter.section("reports that do not match their JSON schema", red=True, bold=True)
        for line in _invalid_at_session_end:
            terminalreporter.line(line, red=True)
