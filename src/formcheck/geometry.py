"""Vectorised geometry on landmark arrays: pure numpy (the rolling quantile's loop in ``kernels``),
no OpenCV, no MediaPipe, no I/O.

Every function takes arrays whose last axis is the coordinate (2 or 3) and broadcasts over any
leading axes (frames, landmarks). NaN in, NaN out: a missing landmark never becomes a number.
Angles are returned in degrees, and their names say so.
"""

from __future__ import annotations

import numpy as np

from . import kernels

UP_IMAGE = np.array([0.0, -1.0])  # image y grows downward, so "up" is -y


def norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length along the last axis."""
    return np.sqrt(np.sum(np.square(v), axis=-1))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return norm(np.asarray(b, float) - np.asarray(a, float))


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a, float) + np.asarray(b, float)) / 2.0


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors, 0-180 deg; NaN where either has zero length."""
    u, v = np.asarray(u, float), np.asarray(v, float)
    dot = np.sum(u * v, axis=-1)
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = norm(np.cross(u, v))
    out = np.degrees(np.arctan2(cross, dot))  # exact near 0 and 180, unlike arccos
    return np.where((norm(u) == 0) | (norm(v) == 0), np.nan, out)


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Inner angle at ``b`` of the chain a-b-c (180 = straight)."""
    a, b, c = (np.asarray(x, float) for x in (a, b, c))
    return angle_between_deg(a - b, c - b)


def flexion_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Flexion at ``b``: 0 when a-b-c is straight, 90 at a right angle (clinical convention)."""
    return 180.0 - joint_angle_deg(a, b, c)


def flexion_from_lengths_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray, ab_length: np.ndarray,
                             bc_length: np.ndarray) -> np.ndarray:
    """Flexion at ``b`` from image points (..., 2) and the two segments' full lengths (the image
    lengths they have when parallel to the picture, e.g. standing), in the same unit.

    Scaled orthography (Taylor 2000): a segment shorter in the picture than its full length
    points out of it by ``sqrt(full² - seen²)``. Both segments are taken to lie in one plane that
    holds the vertical (the leg's sagittal plane), so their depths run the same way as their
    sideways image components: the depth signs agree when the x components do. A segment seen
    longer than its full length is taken as in the picture's plane.

    >>> round(float(flexion_from_lengths_deg(np.array([0., 0.]), np.array([0., 1.]), np.array([0., 2.]),
    ...                                      np.array(2.), np.array(1.))), 1)   # thigh 60 deg out of the picture
    60.0
    """
    u, v = b - a, c - b
    seen_u, seen_v = norm(u), norm(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        depth_u = np.sqrt(np.clip(ab_length ** 2 - seen_u ** 2, 0.0, None))
        depth_v = np.sqrt(np.clip(bc_length ** 2 - seen_v ** 2, 0.0, None))
        same_way = np.where(u[..., 0] * v[..., 0] < 0, -1.0, 1.0)
        cos = (np.sum(u * v, axis=-1) + same_way * depth_u * depth_v) / (
            np.sqrt(seen_u ** 2 + depth_u ** 2) * np.sqrt(seen_v ** 2 + depth_v ** 2))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def flexion_from_reach_deg(a: np.ndarray, c: np.ndarray, ab_length: np.ndarray,
                           bc_length: np.ndarray) -> np.ndarray:
    """Flexion at the middle joint of a-b-c from the end points alone and the two segments'
    full lengths (law of cosines). It never looks at ``b``, so a misplaced middle point cannot
    move it; an end-to-end distance longer than the two lengths reads a straight joint.

    >>> round(float(flexion_from_reach_deg(np.array([0., 0.]), np.array([1., 1.]), np.array(1.), np.array(1.))), 1)
    90.0
    """
    reach = distance(a, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_inner = (ab_length ** 2 + bc_length ** 2 - reach ** 2) / (2.0 * ab_length * bc_length)
    return 180.0 - np.degrees(np.arccos(np.clip(cos_inner, -1.0, 1.0)))


def signed_angle_2d_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle from u to v in the image plane, (-180, 180]; positive is clockwise on screen (y down)."""
    u, v = np.asarray(u, float), np.asarray(v, float)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0] + 0.0  # -0.0 would give -180
    dot = np.sum(u[..., :2] * v[..., :2], axis=-1)
    out = np.degrees(np.arctan2(cross, dot))
    zero = (norm(u[..., :2]) == 0) | (norm(v[..., :2]) == 0)
    return np.where(zero, np.nan, out)


def tilt_from_vertical_deg(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Signed 2-D angle of the segment lower->upper from image-up; + leans toward image +x."""
    return -signed_angle_2d_deg(np.asarray(upper, float)[..., :2] - np.asarray(lower, float)[..., :2],
                                np.broadcast_to(UP_IMAGE, np.shape(upper)[:-1] + (2,)))


def tilt_from_horizontal_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed 2-D angle of the line through a and b from image-horizontal, in (-90, 90].

    Direction-free (a line, not an arrow): + when the line rises to the right on screen.
    """
    d = np.asarray(b, float)[..., :2] - np.asarray(a, float)[..., :2]
    flip = (d[..., :1] < 0) | ((d[..., :1] == 0) & (d[..., 1:2] > 0))
    d = np.where(flip, -d, d)
    with np.errstate(invalid="ignore"):
        out = np.degrees(np.arctan2(-d[..., 1], d[..., 0]))
    return np.where(norm(d) == 0, np.nan, out)


def scalar_projection(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Length of v along ``axis`` (axis need not be unit length)."""
    v, axis = np.asarray(v, float), np.asarray(axis, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(v * axis, axis=-1) / norm(axis)


def knee_front_past_toes(knee: np.ndarray, ankle: np.ndarray, toe: np.ndarray, forward: np.ndarray,
                         knee_front_ratio: float) -> np.ndarray:
    """How far the front of the knee is ahead of the toe tip along the floor, in shin lengths.

    Pose models place the knee's joint centre; a coach sees the front of the knee against the
    toes. The knee's outline is taken as a disc of ``knee_front_ratio`` shin lengths around the
    centre, so its foremost point along the floor is that far ahead of the centre at any flexion.
    ``forward``: the floor's direction of travel (need not be unit length)."""
    shin = distance(knee, ankle)
    with np.errstate(invalid="ignore", divide="ignore"):
        past = scalar_projection(np.asarray(knee, float) - toe, forward) / np.where(shin > 0, shin, np.nan)
    return past + knee_front_ratio


def offset_from_line_x(top: np.ndarray, middle: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Image-x distance of ``middle`` from the top-bottom line, at ``middle``'s height (+ = +x).

    The knee's sideways offset from the hip-ankle line, measured the way a clinician reads it
    off a front view: horizontally, at the knee. Unlike the angle between thigh and shin it stays
    defined when the thigh points at the camera and its image is a few pixels long.
    """
    top, middle, bottom = (np.asarray(x, float)[..., :2] for x in (top, middle, bottom))
    line = bottom - top
    with np.errstate(invalid="ignore", divide="ignore"):
        on_line = top[..., 0] + (middle[..., 1] - top[..., 1]) * line[..., 0] / line[..., 1]
    return np.where(line[..., 1] == 0, np.nan, middle[..., 0] - on_line)


def hidden_knee_lead(thigh: np.ndarray, shin: np.ndarray, thigh_standing: np.ndarray, shin_standing: np.ndarray,
                     knee_drop: np.ndarray, ankle_drop: np.ndarray) -> np.ndarray:
    """How far the knee is ahead of the hip-ankle line at its height, along the camera's axis.

    Seen from the front, a lunge's front thigh and shin reach toward the camera by what their
    foreshortening hides, sqrt(standing^2 - seen^2) each; the knee leads the hip by the thigh's
    share and the ankle trails the knee by the shin's. ``knee_drop`` and ``ankle_drop`` are their
    image heights below the hip, which place the line at the knee's height. Same unit as the
    lengths. A camera turned by ``yaw`` shows sin(yaw) of this lead as a sideways knee offset.
    """
    thigh, shin, thigh_standing, shin_standing, knee_drop, ankle_drop = (
        np.asarray(x, float) for x in (thigh, shin, thigh_standing, shin_standing, knee_drop, ankle_drop))
    knee_ahead = np.sqrt(np.clip(thigh_standing ** 2 - thigh ** 2, 0.0, None))
    ankle_ahead = knee_ahead - np.sqrt(np.clip(shin_standing ** 2 - shin ** 2, 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        line_ahead = ankle_ahead * knee_drop / ankle_drop
    return np.where(ankle_drop == 0, np.nan, knee_ahead - line_ahead)


def fppa_equivalent_deg(medial_offset: np.ndarray, shin_length: np.ndarray) -> np.ndarray:
    """The frontal-plane projection angle (Willson & Davis 2008) of a knee ``medial_offset`` off
    the hip-ankle line, for a thigh and shin of equal length: 2 asin(offset / shin), + = valgus.

    It puts the knee's offset on the scale the FPPA cut-offs are published in.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        shin_length = np.asarray(shin_length, float)
        ratio = np.asarray(medial_offset, float) / shin_length
    return np.where(shin_length > 0, 2.0 * np.degrees(np.arcsin(np.clip(ratio, -1.0, 1.0))), np.nan)


def rolling_baseline(values: np.ndarray, t: np.ndarray, window_s: float, q: float) -> np.ndarray:
    """Rolling ``q``-th percentile over ``window_s`` seconds of timestamps ``t``: the 'usual' level
    of a slow quantity (``rolling_quantile`` over the frames that span it; one frame alone is
    its own level)."""
    if len(t) < 2:
        return rolling_quantile(values, 1, q)
    fps = 1.0 / nan_median(np.diff(t))
    return rolling_quantile(values, max(1, int(round(window_s * fps))), q)


def rolling_quantile(values: np.ndarray, window: int, q: float) -> np.ndarray:
    """Centred rolling ``q``-th percentile over axis 0, ignoring NaN (window clipped at the ends;
    NaN where a window holds no value), read like ``numpy.nanpercentile``'s linear method.

    Each column's windows go through ``kernels.rolling_quantile_columns`` (compiled in live mode).
    """
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"q must be a percentile in [0, 100], got {q}")
    values = np.asarray(values, float)
    if len(values) == 0 or window <= 1:
        return values.copy()
    columns = np.ascontiguousarray(values.reshape(len(values), -1))
    out = kernels.rolling_quantile_columns(columns, int(window), float(q), np.empty_like(columns))
    return out.reshape(values.shape)


def frames_for(duration_s: float, t: np.ndarray, minimum: int = 1) -> int:
    """How many frames of the timestamps ``t`` span ``duration_s`` (at their median interval), at
    least ``minimum``; ``minimum`` for fewer than two frames, which have no interval."""
    if len(t) < 2:
        return minimum
    return max(minimum, int(round(duration_s / nan_median(np.diff(t)))))


def nan_median(values: np.ndarray) -> float:
    """Median of the seen (non-NaN) values; NaN, without a warning, when there are none.

    ``numpy.median``'s arithmetic (the middle value, or the mean of the middle pair) read from one
    partition: the analysis takes a few dozen medians of short arrays per live window, where
    ``numpy.nanmedian``'s checks and masked arrays cost 3-5 times the work itself.
    """
    seen = np.asarray(values, float).ravel()
    seen = seen[~np.isnan(seen)]
    n = seen.size
    if n == 0:
        return float("nan")
    k = n // 2
    if n % 2:
        return float(np.partition(seen, k)[k])
    low, high = np.partition(seen, (k - 1, k))[k - 1: k + 1]
    with np.errstate(over="ignore", invalid="ignore"):  # the middle pair inf and -inf has no median: NaN
        median = (low + high) / 2.0
    if not np.isfinite(median) and np.isfinite(low) and np.isfinite(high):
        median = low / 2.0 + high / 2.0  # two middle values near the float limit overflow when averaged
    return float(median)


def nan_mean(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean of the seen (non-NaN) values along ``axis``; NaN, without a warning, where there are none."""
    values = np.asarray(values)
    seen = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen, values, 0.0).sum(axis=axis) / seen.sum(axis=axis)


def runs_lasting(mask: np.ndarray, t: np.ndarray, min_s: float) -> list[np.ndarray]:
    """The runs of consecutive True frames of ``mask`` (indices into it, in order) that span at
    least ``min_s`` of ``t`` (the same length), from their first frame to their last."""
    frames = np.flatnonzero(mask)
    runs = np.split(frames, np.flatnonzero(np.diff(frames) > 1) + 1)
    return [run for run in runs if len(run) and t[run[-1]] - t[run[0]] >= min_s]


def hold_last(values: np.ndarray, t: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Fill NaN gaps along axis 0 with the last seen value, for at most ``max_gap_s`` seconds.

    For things that stay put while unseen, such as a planted foot hidden behind the other leg.
    """
    values = np.asarray(values, float)
    if len(values) == 0:
        return values.copy()
    seen = ~np.isnan(values).reshape(len(values), -1).any(axis=-1)
    last = np.maximum.accumulate(np.where(seen, np.arange(len(values)), -1))
    fill = (last >= 0) & (t - t[np.maximum(last, 0)] <= max_gap_s)
    return np.where(fill.reshape((-1,) + (1,) * (values.ndim - 1)), values[np.maximum(last, 0)], np.nan)


def interpolate_between(values: np.ndarray, at: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(len(t), ...) ``values`` (N, ...) measured at the increasing times ``at``, read at the
    times ``t``: linear in time between the two measurements around each, exact at a measured
    time, NaN before the first and after the last (nothing is extrapolated) and wherever one of
    the two measurements is NaN.

    For a quantity measured on some frames only (the mirror pass), read on all of them.
    """
    values, at, t = np.asarray(values), np.asarray(at, float), np.asarray(t, float)
    out = np.full((len(t),) + values.shape[1:], np.nan, values.dtype if values.dtype.kind == "f" else float)
    if len(at) == 0 or len(t) == 0:
        return out
    lo = np.searchsorted(at, t, side="right") - 1  # the last measurement at or before each time
    inside = (lo >= 0) & (t <= at[-1])
    lo = np.clip(lo, 0, len(at) - 1)
    hi = np.minimum(lo + 1, len(at) - 1)
    span = at[hi] - at[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (t - at[lo]) / np.where(span > 0, span, 1.0), 0.0)
    w = w.reshape((-1,) + (1,) * (values.ndim - 1))
    between = np.where(w == 0, values[lo], values[lo] * (1 - w) + values[hi] * w)  # at a measurement: exactly it
    out[inside] = between[inside]
    return out
