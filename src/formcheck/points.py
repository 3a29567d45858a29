"""The landmarks the metrics read: 15 of MediaPipe's 33, indexed compactly by ``L``, with those
MediaPipe could not see (visibility under ``pose.min_visibility``) set to NaN."""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from .series import Landmark, PoseSeries

# The only landmarks any metric reads. The per-frame arrays hold these alone, indexed by ``L``
# (same names as ``Landmark``, compact positions): 15 of 33 points, so a long video's metric
# arrays take under half the memory.
METRIC_LANDMARKS = (
    Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL, Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_FOOT_INDEX,
)

L = IntEnum("MetricLandmark", [(lm.name, k) for k, lm in enumerate(METRIC_LANDMARKS)])

SIDES = ("left", "right")

JOINTS = {
    "left": (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    "right": (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL,
              L.RIGHT_FOOT_INDEX),
}

def metric_points(landmarks: np.ndarray) -> np.ndarray:
    """(T, 33, k) landmarks -> (T, 15, k) float64: the points metrics read, indexed by ``L``."""
    return landmarks[:, METRIC_LANDMARKS].astype(float)

def gated_pixels(series: PoseSeries, min_visibility: float, points=METRIC_LANDMARKS) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (T, P, 2) of ``points``, low-visibility ones NaN, and the (T, P) low mask."""
    px = series.seen_pixels(min_visibility, points)
    return px, np.isnan(px[:, :, 0])

def raw_ankle_pixels(raw: PoseSeries, min_visibility: float) -> np.ndarray:
    """(T, 2, 2) left and right ankle pixels before smoothing (see ``compute_metrics``)."""
    return gated_pixels(raw, min_visibility, (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE))[0]

def gated_points(series: PoseSeries, min_visibility: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel (T,15,2) and world (T,15,3) metric landmarks, low-visibility points set to NaN."""
    px, low = gated_pixels(series, min_visibility)
    if np.isnan(series.world).all():  # landmark-only input: MediaPipe's relative z, in pixels
        world = np.concatenate([px, metric_points(series.image[:, :, 2:3]) * series.image_size[0]], axis=-1)
    else:
        world = metric_points(series.world)
    world[low] = np.nan
    return px, world
