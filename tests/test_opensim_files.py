"""TRC and MOT export: the files parse under a strict reading of the published formats and under
OpenSim's own readers, and hold the analysis's values (fast lane: a sample's exact landmarks)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.api import analyze_landmarks
from formcheck.report.opensim_files import mot_text, trc_text, write_mot, write_trc
from formcheck.series import Landmark as L
from formcheck.series import PoseSeries

TRC_KEYS = ["DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units", "OrigDataRate", "OrigDataStartFrame",
            "OrigNumFrames"]
# written out by hand, not taken from the module: Pose2Sim's / Sports2D's BlazePose names, in landmark order
EXPECTED_MARKERS = [
    "Nose", "LEyeInner", "LEye", "LEyeOuter", "REyeInner", "REye", "REyeOuter", "LEar", "REar", "LMouth", "RMouth",
    "LShoulder", "RShoulder", "LElbow", "RElbow", "LWrist", "RWrist", "LPinky", "RPinky", "LIndex", "RIndex",
    "LThumb", "RThumb", "LHip", "RHip", "LKnee", "RKnee", "LAnkle", "RAnkle", "LHeel", "RHeel", "LBigToe", "RBigToe"]
EXPECTED_ANGLES = ["left_knee_flexion_deg", "right_knee_flexion_deg", "left_hip_flexion_deg", "right_hip_flexion_deg",
                   "trunk_lean_forward_deg", "trunk_lean_side_deg"]
NO_PERSON = slice(0, 5)  # frames with nobody in them
HEEL_GONE = (slice(100, 110), L.LEFT_HEEL)  # one marker missing for a while
TOE_GONE = (slice(200, 203), L.RIGHT_FOOT_INDEX)  # the last marker missing: its row ends in empty fields


# ---------------------------------------------------------------- strict parsers of the formats

class FormatError(AssertionError):
    pass


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise FormatError(what)


def _number(field: str) -> float:
    _expect(field.strip() == field and field not in ("", "nan", "NaN", "inf", "-inf"), f"not a number: {field!r}")
    return float(field)


def _fields(line: str, what: str) -> list[str]:
    """A line's tab-separated fields, the line ended by one tab as OpenSim's own writer ends it
    (its reader drops an empty last field: without the tab a missing last marker comes up short)."""
    _expect(line.endswith("\t"), f"{what} does not end in a tab")
    return line[:-1].split("\t")


def parse_trc(text: str) -> dict:
    """OpenSim's TRC layout read strictly: header lines exact, counts matching the rows and columns,
    each missing marker three empty fields. Returns the header, names, frames, times and (T, M, 3)."""
    _expect(text.endswith("\n"), "no final newline")
    lines = text[:-1].split("\n")
    _expect(len(lines) >= 6, "header incomplete")
    path_line = lines[0].split("\t")
    _expect(path_line[:3] == ["PathFileType", "4", "(X/Y/Z)"] and len(path_line) == 4 and path_line[3],
            f"bad PathFileType line {lines[0]!r}")
    _expect(lines[1].split("\t") == TRC_KEYS, f"bad header keys {lines[1]!r}")
    values = lines[2].split("\t")
    _expect(len(values) == len(TRC_KEYS), "header values do not match the keys")
    header = dict(zip(TRC_KEYS, values, strict=True))
    n_frames, n_markers = int(header["NumFrames"]), int(header["NumMarkers"])
    _expect(header["Units"] == "m", "units are not metres")
    _expect(header["OrigDataStartFrame"] == "1" and int(header["OrigNumFrames"]) == n_frames, "bad Orig* values")
    for key in ("DataRate", "CameraRate", "OrigDataRate"):
        _number(header[key])
    width = 2 + 3 * n_markers
    names_line = _fields(lines[3], "the Frame# line")
    _expect(len(names_line) == width and names_line[:2] == ["Frame#", "Time"], f"bad Frame# line {lines[3]!r}")
    names = names_line[2::3]
    _expect(all(names) and len(set(names)) == n_markers, "marker names missing or repeated")
    _expect(names_line[3::3] == [""] * n_markers and names_line[4::3] == [""] * n_markers,
            "a marker name is not followed by two empty fields")
    axes = ["", ""] + [f"{a}{i}" for i in range(1, n_markers + 1) for a in "XYZ"]
    _expect(_fields(lines[4], "the X1 line") == axes, "bad X1 Y1 Z1 line")
    _expect(lines[5] == "", "no blank line before the rows")
    rows = lines[6:]
    _expect(len(rows) == n_frames, f"NumFrames {n_frames} but {len(rows)} rows")
    frames, t = np.zeros(n_frames, int), np.zeros(n_frames)
    xyz = np.full((n_frames, n_markers, 3), np.nan)
    for i, row in enumerate(rows):
        fields = _fields(row, f"row {i + 1}")
        _expect(len(fields) == width, f"row {i + 1} has {len(fields)} fields, not {width}")
        frames[i], t[i] = int(fields[0]), _number(fields[1])
        for m in range(n_markers):
            triple = fields[2 + 3 * m: 5 + 3 * m]
            if triple != ["", "", ""]:
                xyz[i, m] = [_number(f) for f in triple]
    _expect(np.array_equal(frames, np.arange(1, n_frames + 1)), "frame numbers are not 1, 2, ...")
    _expect(bool(np.all(np.diff(t) > 0)), "times do not increase")
    return {"header": header, "file": path_line[3], "names": names, "t": t, "xyz": xyz}


def parse_mot(text: str) -> dict:
    """OpenSim's MOT (STO version 1) layout read strictly: a name line, version/nRows/nColumns/
    inDegrees, endheader, the column line and nRows rows of nColumns numbers (``NaN``: missing)."""
    _expect(text.endswith("\n"), "no final newline")
    lines = text[:-1].split("\n")
    _expect(len(lines) >= 7, "header incomplete")
    _expect(lines[0] != "" and "=" not in lines[0] and "\t" not in lines[0], f"bad name line {lines[0]!r}")
    keys = [line.split("=", 1) for line in lines[1:5]]
    _expect([k[0] for k in keys] == ["version", "nRows", "nColumns", "inDegrees"] and all(len(k) == 2 for k in keys),
            f"bad header {lines[1:5]}")
    header = dict(keys)
    _expect(header["version"] == "1" and header["inDegrees"] == "yes", "not version 1 in degrees")
    _expect(lines[5] == "endheader", "no endheader")
    columns = lines[6].split("\t")
    n_rows, n_columns = int(header["nRows"]), int(header["nColumns"])
    _expect(columns[0] == "time" and len(columns) == n_columns and all(columns), f"bad columns {columns}")
    rows = lines[7:]
    _expect(len(rows) == n_rows, f"nRows {n_rows} but {len(rows)} rows")
    values = np.full((n_rows, n_columns), np.nan)
    for i, row in enumerate(rows):
        fields = row.split("\t")
        _expect(len(fields) == n_columns, f"row {i + 1} has {len(fields)} fields, not {n_columns}")
        values[i] = [math.nan if f == "NaN" else _number(f) for f in fields]
    _expect(not np.isnan(values[:, 0]).any() and bool(np.all(np.diff(values[:, 0]) > 0)), "bad times")
    return {"name": lines[0], "header": header, "columns": columns[1:], "t": values[:, 0], "values": values[:, 1:]}


# ---------------------------------------------------------------- the analysis

@pytest.fixture(scope="module")
def sample():
    """A side-view sample's exact landmarks, with world landmarks as MediaPipe gives them (the
    generator's joints in the camera's frame: x right, y down, z away, hip-centred), nobody in
    the first frames, the left heel and the right toe lost for a while. Returns (analysis, camera-to-joint depth)."""
    meta = json.loads((SAMPLES / "lunge_side_clean.json").read_text())
    npz = np.load(SAMPLES / "lunge_side_clean.truth.npz")
    size = tuple(meta["size"])
    joints, rotation = npz["joints_m"], npz["camera_R"]  # rows: image right, down, viewing axis
    hips = (joints[:, L.LEFT_HIP] + joints[:, L.RIGHT_HIP]) / 2
    world = (joints - hips[:, None]) @ rotation.T
    image = npz["joints_px"] / np.array(size, float)
    image[NO_PERSON] = np.nan
    world[NO_PERSON] = np.nan
    world[HEEL_GONE] = np.nan
    world[TOE_GONE] = np.nan
    depth = np.linalg.norm(joints - npz["camera_position"], axis=-1)
    return analyze_landmarks(image, npz["t"], size, world=world), depth


@pytest.fixture(scope="module")
def analysis(sample):
    return sample[0]


@pytest.fixture(scope="module")
def files(analysis, tmp_path_factory):
    folder = tmp_path_factory.mktemp("opensim")
    trc, mot = folder / "clip.trc", folder / "clip.mot"
    write_trc(analysis, trc)
    write_mot(analysis, mot)
    return trc, mot


# ---------------------------------------------------------------- the files, read strictly

def test_trc_header_and_marker_names(analysis, files):
    trc = parse_trc(files[0].read_text())
    n = len(analysis.series)
    assert trc["file"] == "clip.trc"
    assert trc["names"] == EXPECTED_MARKERS
    assert trc["header"]["NumFrames"] == str(n) and trc["header"]["NumMarkers"] == "33"
    assert float(trc["header"]["DataRate"]) == pytest.approx(30.0, abs=1e-3)  # the sample is 30 fps
    assert float(trc["header"]["CameraRate"]) == float(trc["header"]["DataRate"])
    np.testing.assert_allclose(trc["t"], analysis.series.t, atol=5e-7)


def test_trc_values_are_the_world_landmarks_y_up(analysis, files):
    xyz = parse_trc(files[0].read_text())["xyz"]
    world = analysis.series.world
    expected = np.stack([world[..., 0], -world[..., 1], -world[..., 2]], axis=-1)
    assert np.array_equal(np.isnan(xyz), np.isnan(expected))
    np.testing.assert_allclose(xyz, expected, atol=5e-7, equal_nan=True)
    assert np.isnan(xyz[NO_PERSON]).all()  # nobody: every marker empty
    assert np.isnan(xyz[HEEL_GONE]).all() and not np.isnan(xyz[100:110, L.RIGHT_HEEL]).any()
    assert np.isnan(xyz[TOE_GONE]).all() and not np.isnan(xyz[200:203, :-1]).any()
    assert not np.isnan(xyz[5:100]).any()


def test_trc_axes_y_up_and_z_toward_the_camera(sample, files):
    analysis, depth = sample
    xyz = parse_trc(files[0].read_text())["xyz"]
    seen = np.arange(5, len(xyz))
    hips = (xyz[seen, L.LEFT_HIP] + xyz[seen, L.RIGHT_HIP]) / 2
    np.testing.assert_allclose(hips, 0.0, atol=0.02)  # hip-centred (the smoothing moves the hips a little)
    assert (xyz[seen, L.NOSE, 1] > 0.4).all()  # the head is up
    assert (np.nanmin(xyz[seen][:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1], axis=1) < -0.4).all()  # a foot down
    # side on, the shoulders differ most in depth: the nearer one has the larger Z
    nearer = depth[seen, L.LEFT_SHOULDER] < depth[seen, L.RIGHT_SHOULDER]
    larger_z = xyz[seen, L.LEFT_SHOULDER, 2] > xyz[seen, L.RIGHT_SHOULDER, 2]
    clear = np.abs(depth[seen, L.LEFT_SHOULDER] - depth[seen, L.RIGHT_SHOULDER]) > 0.1
    assert clear.sum() > len(seen) / 2
    assert np.array_equal(nearer[clear], larger_z[clear])
    # right-handed: X (image right) x Y (up) = Z (toward the camera), as the world's x, y, z is
    assert np.linalg.det(np.diag([1.0, -1.0, -1.0])) == 1.0


def test_mot_columns_and_values(analysis, files):
    mot = parse_mot(files[1].read_text())
    assert mot["name"] == "clip.mot"
    assert mot["columns"] == EXPECTED_ANGLES
    np.testing.assert_allclose(mot["t"], analysis.metrics.t, atol=5e-7)
    expected = np.column_stack([analysis.metrics[c] for c in EXPECTED_ANGLES])
    assert np.array_equal(np.isnan(mot["values"]), np.isnan(expected))
    np.testing.assert_allclose(mot["values"], expected, atol=5e-5, equal_nan=True)
    assert np.isnan(mot["values"][NO_PERSON]).all()
    assert np.isnan(mot["values"][:, 5]).all()  # side lean: not seen side on
    # the sample's reps go down to a 90 deg front knee: the file holds degrees, not radians
    assert 80 < np.nanmax(mot["values"][:, :2]) < 120


def test_stdout_gets_the_same_files(analysis, files, capsys):
    write_trc(analysis, "-")
    write_mot(analysis, "-")
    out = capsys.readouterr().out
    trc = files[0].read_text().replace("\tclip.trc\n", "\tformcheck\n", 1)
    mot = files[1].read_text().replace("clip.mot\n", "formcheck\n", 1)
    assert out == trc + mot


def test_a_rewrite_replaces_the_whole_file(analysis, tmp_path):
    path = tmp_path / "clip.trc"
    path.write_text("x" * 10_000_000)
    write_trc(analysis, path)
    parse_trc(path.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["clip.trc"]  # no temp file left behind


def test_an_empty_clip_writes_headers_only():
    series = PoseSeries.empty((640, 480))
    trc = parse_trc(trc_text(series))
    assert trc["header"]["NumFrames"] == "0" and trc["xyz"].shape == (0, 33, 3)
    empty = analyze_landmarks(np.full((0, 33, 4), np.nan), np.empty(0), (640, 480))
    mot = parse_mot(mot_text(empty.metrics))
    assert mot["header"]["nRows"] == "0" and mot["columns"] == EXPECTED_ANGLES


@pytest.mark.parametrize(("old", "new"), [
    ("NumFrames\t", "Frames\t"),  # a header key
    ("\tm\t", "\tmm\t"),  # units
    ("\t\tX1\tY1\tZ1", "\t\tX1\tY1\tZ2"),  # axis numbering
    ("Nose\t\t\t", "Nose\t\t"),  # a name without its two empty fields
    ("Z33\t\n", "Z33\n"),  # a line not ended by a tab
])
def test_the_trc_parser_rejects_broken_files(analysis, old, new):
    text = trc_text(analysis.series)
    assert old in text
    with pytest.raises(FormatError):
        parse_trc(text.replace(old, new, 1))
    with pytest.raises(FormatError):  # one row short of NumFrames
        parse_trc(text[: text.rstrip("\n").rfind("\n") + 1])


@pytest.mark.parametrize(("old", "new"), [("version=1", "version=2"), ("inDegrees=yes", "inDegrees=no"),
                                          ("nColumns=7", "nColumns=6"), ("\tNaN", "\tnan")])
def test_the_mot_parser_rejects_broken_files(analysis, old, new):
    text = mot_text(analysis.metrics)
    assert old in text
    with pytest.raises(FormatError):
        parse_mot(text.replace(old, new, 1))


# ---------------------------------------------------------------- OpenSim's own readers

def _trc_table(path):
    opensim = pytest.importorskip("opensim")
    return opensim.TimeSeriesTableVec3(str(path))


def test_opensim_reads_the_trc(analysis, files):
    table = _trc_table(files[0])
    assert list(table.getColumnLabels()) == EXPECTED_MARKERS
    assert table.getNumRows() == len(analysis.series)
    meta = {k: table.getTableMetaDataAsString(k) for k in table.getTableMetaDataKeys()}
    assert meta["Units"] == "m" and meta["NumMarkers"] == "33" and meta["NumFrames"] == str(len(analysis.series))
    assert float(meta["DataRate"]) == pytest.approx(analysis.series.fps, rel=1e-5)
    np.testing.assert_allclose(np.array(table.getIndependentColumn()), analysis.series.t, atol=5e-7)
    got = np.array([[[table.getRowAtIndex(i)[m].get(a) for a in range(3)] for m in range(33)]
                    for i in range(table.getNumRows())])
    world = analysis.series.world
    expected = np.stack([world[..., 0], -world[..., 1], -world[..., 2]], axis=-1)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, atol=5e-7, equal_nan=True)


def test_opensim_reads_the_mot(analysis, files):
    opensim = pytest.importorskip("opensim")
    table = opensim.TimeSeriesTable(str(files[1]))
    assert list(table.getColumnLabels()) == EXPECTED_ANGLES
    assert table.getTableMetaDataAsString("inDegrees") == "yes"
    np.testing.assert_allclose(np.array(table.getIndependentColumn()), analysis.metrics.t, atol=5e-7)
    got = table.getMatrix().to_numpy()
    expected = np.column_stack([analysis.metrics[c] for c in EXPECTED_ANGLES])
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, atol=5e-5, equal_nan=True)
