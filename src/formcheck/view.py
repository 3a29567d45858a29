"""Which way the person faces: the body's yaw to the camera, the view class it makes (front,
oblique, side), the facing direction in the image, and whether they are filmed from behind.
Below the pose stage and the metrics: both read it."""

from __future__ import annotations

import numpy as np

from . import geometry as g
from .points import L
from .profile import Profile

VIEWS = ("side", "front", "oblique")


def body_yaw_deg(px: np.ndarray, world: np.ndarray, t: np.ndarray, profile: Profile) -> np.ndarray:
    """(T,) ``frame_yaw_deg`` smoothed over about 1 s (rolling median)."""
    return g.rolling_baseline(frame_yaw_deg(px, world, profile), t, profile["view.yaw_window_s"], 50)


def frame_yaw_deg(px: np.ndarray, world: np.ndarray, profile: Profile) -> np.ndarray:
    """How far the shoulders are turned from facing the camera, 0 (front) to 90 (side), in each
    frame on its own (metric landmarks: ``gated_points``).

    Two estimates, averaged where both exist: the image (shoulder width over torso length,
    relative to its value when facing the camera: the arccos of foreshortening) and the world
    landmarks' shoulder line. The first depends on body shape, the second on MediaPipe's depth
    guess; their mean is steadier than either.
    """
    shoulder_w = g.distance(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER])
    torso = g.distance(g.midpoint(px[:, L.LEFT_HIP], px[:, L.RIGHT_HIP]),
                       g.midpoint(px[:, L.LEFT_SHOULDER], px[:, L.RIGHT_SHOULDER]))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = shoulder_w / torso / profile["view.facing_width_ratio"]
        from_image = np.degrees(np.arccos(np.clip(ratio, 0.0, 1.0)))
        line = world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]
        from_world = np.degrees(np.arctan2(np.abs(line[:, 2]), np.abs(line[:, 0])))
    return np.where(np.isnan(from_world), from_image, np.where(np.isnan(from_image), from_world,
                                                                (from_image + from_world) / 2.0))


def facing_away(world: np.ndarray, t: np.ndarray, profile: Profile) -> np.ndarray:
    """(T,) bool: the person faces away from the camera (filmed from behind or from behind at an angle).

    The shoulders' yaw cannot tell a front view from a rear one; MediaPipe's world depth can: facing
    the camera, the nose is nearer to it than the shoulders' midpoint, from behind it is further.
    Its median over about 1 s against ``view.rear_nose_depth_m``, and only where MediaPipe reads
    most of the clip from behind (``view.rear_min_share``).
    """
    shoulders_z = (world[:, L.LEFT_SHOULDER, 2] + world[:, L.RIGHT_SHOULDER, 2]) / 2.0
    with np.errstate(invalid="ignore"):
        depth = g.rolling_baseline(world[:, L.NOSE, 2] - shoulders_z, t, profile["view.yaw_window_s"], 50)
        away = depth > profile["view.rear_nose_depth_m"]
        seen = ~np.isnan(depth)
    # MediaPipe flips its belief from frame to frame on a face it cannot read (a rendered head:
    # 52% of one oblique clip facing the camera); only a clip it holds from behind throughout is one
    if not seen.any() or away[seen].mean() < profile["view.rear_min_share"]:
        return np.zeros(len(t), dtype=bool)
    return away


def classify_view(yaw_deg: np.ndarray, profile: Profile) -> np.ndarray:
    """Per-frame view label from the body yaw: front, oblique or side ("" when unknown)."""
    view = np.full(len(yaw_deg), "", dtype=object)
    front, side = profile["view.front_max_yaw_deg"], profile["view.side_min_yaw_deg"]
    view[yaw_deg <= front] = "front"
    view[yaw_deg >= side] = "side"
    view[(yaw_deg > front) & (yaw_deg < side)] = "oblique"
    return view


def view_mode(labels: np.ndarray) -> str:
    known = [v for v in labels if v]
    return max(VIEWS, key=known.count) if known else ""


def facing_sign_2d(px: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """+1 when the person faces image-right, -1 image-left: nose ahead of ears, toes ahead of heels."""
    ears = g.midpoint(px[:, L.LEFT_EAR], px[:, L.RIGHT_EAR])
    nose = px[:, L.NOSE, 0] - ears[:, 0]
    toes = np.nansum(np.stack([px[:, L.LEFT_FOOT_INDEX, 0] - px[:, L.LEFT_HEEL, 0],
                               px[:, L.RIGHT_FOOT_INDEX, 0] - px[:, L.RIGHT_HEEL, 0]]), axis=0)
    evidence = np.nan_to_num(nose) + toes
    smoothed = g.rolling_baseline(evidence, t, window_s, 50)
    return np.where(smoothed >= 0, 1.0, -1.0)
