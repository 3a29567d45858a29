"""TRC (marker positions) and MOT (joint angles) files: what OpenSim, Sports2D and Pose2Sim read.

Biomechanics tools exchange motion as these two tab-separated text formats, so a clip analysed
here can be scaled, inverse-kinematics'd or plotted there without a converter.

TRC: MediaPipe's 33 world landmarks as markers, named as Pose2Sim / Sports2D name BlazePose's
points (``MARKER_NAMES``), in metres. MediaPipe's world frame has the camera's axes and its origin at
the hips' centre: x to the image's right, y down, z away from the camera (right-handed). OpenSim
wants Y up, so the file holds (x, -y, -z): X to the image's right, Y up, Z toward the camera,
still right-handed (a half turn about X). The origin stays the hips' centre in every frame:
the body never travels in the file. A marker missing in a frame (nobody seen, or NaN) is three
empty fields, the classic TRC convention, which OpenSim's TRCFileAdapter reads as NaN; the lines
from ``Frame#`` on end in a tab, as OpenSim writes them (its reader drops an empty last field).

MOT: the joint angles of ``MOT_COLUMNS`` in degrees under the metrics' own names, NaN where a
metric cannot be measured (OpenSim's STOFileAdapter reads ``NaN`` as NaN).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..analysis import Analysis
from ..metrics import FrameMetrics
from ..series import NUM_LANDMARKS, Landmark, PoseSeries
from .atomic import write_atomic

log = logging.getLogger(__name__)

# Pose2Sim's / Sports2D's names of BlazePose's points, in ``Landmark`` order (the foot index is
# their "BigToe"): a marker set written for their skeleton finds the markers by name.
_NAMES = {
    Landmark.NOSE: "Nose", Landmark.MOUTH_LEFT: "LMouth", Landmark.MOUTH_RIGHT: "RMouth",
    Landmark.LEFT_FOOT_INDEX: "LBigToe", Landmark.RIGHT_FOOT_INDEX: "RBigToe",
}


def _marker_name(lm: Landmark) -> str:
    if lm in _NAMES:
        return _NAMES[lm]
    side, *part = lm.name.split("_")  # LEFT_EYE_INNER -> L + Eye + Inner
    return side[0] + "".join(p.capitalize() for p in part)


MARKER_NAMES: tuple[str, ...] = tuple(_marker_name(lm) for lm in Landmark)
# The joint angles written to MOT, in degrees (``metrics.METRIC_NAMES``' own names and meaning).
MOT_COLUMNS = ("left_knee_flexion_deg", "right_knee_flexion_deg", "left_hip_flexion_deg", "right_hip_flexion_deg",
               "trunk_lean_forward_deg", "trunk_lean_side_deg")
Y_UP = np.array([1.0, -1.0, -1.0])  # MediaPipe's (x right, y down, z away) -> (x right, y up, z toward the camera)
TRC_DECIMALS = 6  # metres and seconds: a micrometre, a microsecond
MOT_DECIMALS = 4  # degrees


def y_up(world: np.ndarray) -> np.ndarray:
    """(..., 3) MediaPipe world landmarks (y down) in OpenSim's Y-up frame, still right-handed."""
    return np.asarray(world, float) * Y_UP


def _file_name(path: str | os.PathLike) -> str:
    """The name a header records: the file's own name ("formcheck" on stdout)."""
    return "formcheck" if str(path) == "-" else Path(path).name


def _rate(fps: float) -> str:
    return f"{fps:.6g}"


def _row_writer(n: int, decimals: int, missing: str):
    """A function formatting ``n`` floats tab-separated, NaN as ``missing``: one ``%`` per row
    (fast: a long clip has millions of numbers), field by field only for rows with a gap."""
    fmt = "\t".join([f"%.{decimals}f"] * n)
    one = f"{{:.{decimals}f}}"

    def row(values: np.ndarray) -> str:
        if not np.isnan(values).any():
            return fmt % tuple(values.tolist())
        return "\t".join(missing if math.isnan(v) else one.format(v) for v in values.tolist())

    return row


def trc_lines(series: PoseSeries, filename: str) -> Iterator[str]:
    """The TRC file of ``series``' world landmarks, line by line (no newlines), Y up."""
    markers = y_up(series.world)
    markers[np.isnan(markers).any(axis=-1)] = np.nan  # a marker is there with all three coordinates, or not at all
    n, rate = len(series), _rate(series.fps)
    yield f"PathFileType\t4\t(X/Y/Z)\t{filename}"
    yield "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames"
    yield f"{rate}\t{rate}\t{n}\t{NUM_LANDMARKS}\tm\t{rate}\t1\t{n}"
    # From here on each line ends in a tab, as OpenSim's own writer ends them: its reader drops an
    # empty last field, so a row whose last marker is missing would otherwise come up short.
    yield "\t".join(["Frame#", "Time", *(f"{name}\t\t" for name in MARKER_NAMES)]) + "\t"  # a name spans 3 columns
    yield "\t\t" + "".join(f"X{i}\tY{i}\tZ{i}\t" for i in range(1, NUM_LANDMARKS + 1))
    yield ""
    row = _row_writer(3 * NUM_LANDMARKS, TRC_DECIMALS, "")
    for i, (t, frame) in enumerate(zip(series.t.tolist(), markers.reshape(n, 3 * NUM_LANDMARKS), strict=True), 1):
        yield f"{i}\t{t:.{TRC_DECIMALS}f}\t{row(frame)}\t"


def mot_lines(metrics: FrameMetrics, name: str) -> Iterator[str]:
    """The MOT file of the ``MOT_COLUMNS`` angles of ``metrics`` (degrees), line by line (no newlines)."""
    values = np.column_stack([metrics[c] for c in MOT_COLUMNS])
    yield name
    yield "version=1"
    yield f"nRows={len(metrics.t)}"
    yield f"nColumns={len(MOT_COLUMNS) + 1}"
    yield "inDegrees=yes"
    yield "endheader"
    yield "\t".join(["time", *MOT_COLUMNS])
    row = _row_writer(len(MOT_COLUMNS), MOT_DECIMALS, "NaN")
    for t, frame in zip(metrics.t.tolist(), values, strict=True):
        yield f"{t:.{TRC_DECIMALS}f}\t{row(frame)}"


def trc_text(series: PoseSeries, filename: str = "formcheck.trc") -> str:
    """The whole TRC file as one string (for tests and small clips)."""
    return "".join(line + "\n" for line in trc_lines(series, filename))


def mot_text(metrics: FrameMetrics, name: str = "formcheck.mot") -> str:
    """The whole MOT file as one string (for tests and small clips)."""
    return "".join(line + "\n" for line in mot_lines(metrics, name))


def _write_lines(path: str | os.PathLike, lines: Iterable[str]) -> None:
    write_atomic(path, lambda out: out.writelines(line + "\n" for line in lines))


def write_trc(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the clip's world landmarks as a TRC marker file (``-``: stdout), atomically."""
    series = analysis.series
    if len(series) and np.isnan(series.world).all():
        log.warning("no world landmarks in %s: the TRC file's markers are all empty", series.source or "the clip")
    _write_lines(path, trc_lines(series, _file_name(path)))
    log.info("wrote %d frames of %d markers to %s", len(series), NUM_LANDMARKS, path)


def write_mot(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the clip's joint angles as an OpenSim MOT file (``-``: stdout), atomically."""
    _write_lines(path, mot_lines(analysis.metrics, _file_name(path)))
    log.info("wrote %d frames of %d angles to %s", len(analysis.metrics.t), len(MOT_COLUMNS), path)
