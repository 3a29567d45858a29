"""Each knee's flexion read other ways than the pseudo side view's angle, for a rep's knees to
combine: MediaPipe errs differently in each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as g
from .points import JOINTS


@dataclass(frozen=True)
class KneeReadings:
    """Each knee's flexion read other ways than its per-frame value (the pseudo side view's
    angle): (T,) per side, NaN where a reading does not apply. MediaPipe errs differently in
    each, so a rep's knees combine them (``reverse_lunge.rep_values``). None is a rep gate:
    legs spread in a jumping jack shorten the segments and the reach too."""

    world: dict[str, np.ndarray]    # obliquely: the 3-D world landmarks' angle
    lengths: dict[str, np.ndarray]  # obliquely: ``knee_flexion_from_lengths``
    reach: dict[str, np.ndarray]    # side and oblique: hip to ankle (``geometry.flexion_from_reach_deg``)
    mirrored: dict[str, np.ndarray]  # side: the mirror pass's image angle (``identity.mirrored_knee_flexion_deg``)


def standing_segments(px: np.ndarray, t: np.ndarray, window_s: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(T,) one leg's thigh and shin as long as they look standing: rolling 90th percentile of
    their image lengths over ``window_s`` (a segment turned out of the picture only looks shorter)."""
    _, hip, knee, ankle, _, _ = JOINTS[side]
    return (g.rolling_baseline(g.distance(px[:, hip], px[:, knee]), t, window_s, 90),
            g.rolling_baseline(g.distance(px[:, knee], px[:, ankle]), t, window_s, 90))


def knee_flexion_from_lengths(px: np.ndarray, side: str, thigh: np.ndarray, shin: np.ndarray) -> np.ndarray:
    """(T,) one knee's flexion from its thigh and shin as seen and as long as they are standing
    (``geometry.flexion_from_lengths_deg``; ``standing_segments``). Obliquely the front thigh at
    a lunge's bottom points partly at the camera, and the pseudo side view needs the body's yaw,
    whose estimate can be 10 deg off (a 90 deg knee then reads 65); this reading needs no yaw.
    Like the pseudo side view's and the world's angle it can only read a bent knee low (a segment
    seen nearer than standing looks longer), so the front knee takes the largest of the three."""
    _, hip, knee, ankle, _, _ = JOINTS[side]
    return g.flexion_from_lengths_deg(px[:, hip], px[:, knee], px[:, ankle], thigh, shin)
