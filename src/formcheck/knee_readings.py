"""Every reading of a knee's flexion besides the pseudo side view's angle, and the rule that
combines them into a rep's front and back knee: MediaPipe errs differently in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from . import geometry as g
from .identity import leg_distances
from .points import JOINTS
from .profile import Profile
from .series import Landmark as L
from .series import PoseSeries

# hip, knee, ankle of the left then the right leg: a knee's flexion
_KNEE_CHAINS = (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)


@dataclass(frozen=True)
class KneeReadings:
    """Each knee's flexion read other ways than its per-frame value (the pseudo side view's
    angle): (T,) per side, NaN where a reading does not apply. MediaPipe errs differently in
    each, so a rep's knees combine them (``front_knee_deg``, ``back_knee_deg``). None is a rep gate:
    legs spread in a jumping jack shorten the segments and the reach too."""

    world: dict[str, np.ndarray]    # obliquely: the 3-D world landmarks' angle
    lengths: dict[str, np.ndarray]  # obliquely: ``knee_flexion_from_lengths``
    reach: dict[str, np.ndarray]    # side and oblique: hip to ankle (``geometry.flexion_from_reach_deg``)
    mirrored: dict[str, np.ndarray]  # side: the mirror pass's image angle (``mirrored_knee_flexion_deg``)


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


def mirrored_knee_flexion_deg(series: PoseSeries, relabel: np.ndarray, min_visibility: float,
                              distances: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(T, 2) the mirrored run's image flexion of the knee the main run calls left and right,
    once its legs are exchanged where ``relabel`` (``identity.swap_flags``) says: a second reading of each
    knee. MediaPipe can put a knee halfway up the thigh in one run and not the other, and a knee
    off the leg only ever reads straighter (``front_knee_deg``). NaN where no mirrored leg was
    seen, and all NaN without a mirror pass. ``distances``: ``identity.leg_distances(series)``,
    if already computed."""
    if series.mirrored is None:
        return np.full((len(series), 2), np.nan)
    px = replace(series, image=series.mirrored).seen_pixels(min_visibility, _KNEE_CHAINS)
    flexion = np.stack([g.flexion_deg(px[:, 0], px[:, 1], px[:, 2]), g.flexion_deg(px[:, 3], px[:, 4], px[:, 5])], 1)
    same, other = distances or leg_distances(series)
    with np.errstate(invalid="ignore"):
        exchanged = (other.sum(axis=0) < same.sum(axis=0)) != np.asarray(relabel, bool)
    return np.where(exchanged[:, None], flexion[:, ::-1], flexion)


def front_knee_deg(image_deg: float, front_of: Callable[[dict[str, np.ndarray]], float], readings: KneeReadings,
                    profile: Profile) -> float:
    """The front knee's flexion at the bottom from its four readings (``KneeReadings``).

    Obliquely the pseudo side view's, the world's and the segment lengths' angle can each only
    read a bent knee low, so the largest is the least wrong. The reach (hip to ankle) never looks
    at the knee: where it reads the knee more bent by over ``checks.knee.misplaced_knee_deg``,
    MediaPipe has put the knee off the leg (under a forward-leaning trunk, behind the hands) and
    the reach is taken. Only the front knee: obliquely the back thigh points away from the camera,
    and the back knee's world angle and reach read it bent when it is straight.
    """
    knee = float(np.fmax.reduce([image_deg, front_of(readings.world), front_of(readings.lengths)]))
    reach = front_of(readings.reach)
    return reach if reach - knee > profile["checks.knee.misplaced_knee_deg"] else knee


def back_knee_deg(image_deg: float, mirrored_deg: float) -> float:
    """The back knee's flexion at the bottom of a rep read as side in a clip read as side: the
    larger of the main and the mirror pass's reading (``KneeReadings.mirrored``). Not obliquely,
    where the back thigh points away from the camera and the knee already reads too bent (median
    +7 deg on the benchmark's oblique clips): of their 7 reps read as side, the larger reading
    made all 3 it changed worse (by 2-12 deg).

    MediaPipe reads a side-on back knee low (median -2.4 deg on the benchmark's 225 side reps)
    and at times puts it halfway up the thigh (bench_1003: a true 95 deg read as 56, mirrored
    99.5), while the mirrored run sees the same knee with errors of its own. The larger reading
    halved the misreadings: 90th-percentile error 9.5 -> 6.3 deg, none over 15 deg too straight
    (4 before). Not the front knee: the mirror reads a true 90 there as up to 108, and the reach
    already catches a misplaced one.
    """
    return float(np.fmax(image_deg, mirrored_deg))
