"""Where the feet are, frame by frame: the evidence rep segmentation and the step reading use,
kept apart from the reported values (pure numpy). Positions are floor-fixed in the image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as g
from .points import JOINTS, L


@dataclass(frozen=True)
class FeetTrack:
    """Where the feet are, frame by frame: the evidence rep segmentation and the step reading
    use, kept apart from the reported values. Positions in leg lengths, floor-fixed in the image."""

    forward_position: dict[str, np.ndarray]  # ankle position along travel, per side
    ankle_image: dict[str, np.ndarray]  # (T, 2) ankle in the image
    left_leg_behind: np.ndarray  # (T,) 1.0 the left leg is the back one, 0.0 the right, NaN unknown
    raw_ankles: np.ndarray  # (T, 2, 2) unsmoothed left/right ankle in the image
    toe_image: dict[str, np.ndarray]  # (T, 2) toe tip (foot index) in the image, held while hidden
    feet_split: np.ndarray  # (T,) how split the feet are (see feet_split), glitch-filtered
    split_front: np.ndarray  # (T,) bool: ``feet_split`` is in front-view units there (``split_view``)


def split_view(front: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """(T,) bool: frames whose feet split is read as from the front (the toes' height gap), by
    the view most frames of ``window_s`` around them show. MediaPipe's yaw of a body turned near
    the front/oblique boundary flickers across it for a second at a time, and a split read in
    the other view's units there is no split at all: a foot stepped straight back, read along
    travel, looks level."""
    return g.rolling_baseline(front.astype(float), t, window_s, 50) >= 0.5


def feet_split(values: dict[str, np.ndarray], toe_step: np.ndarray, front: np.ndarray, t: np.ndarray,
               glitch_s: float) -> np.ndarray:
    """(T,) how split the feet are: the toes' height gap from the front, elsewhere the step
    along travel, at the ankles or at the toes (``toe_step``), whichever is longer (NaN if a
    foot is unseen). Units differ by view; only comparisons within a view use it.

    The toes are where the feet are on the floor. A short step can show at the toes alone: the
    back foot lands on its ball, so its ankle rises forward over the planted toe, and MediaPipe
    slides the front ankle back as the front shin tilts. On the benchmark a 0.19 leg-length
    step read 0.03 at the ankles and 0.14 at the toes. A rolling median over ``glitch_s``
    removes landmark glitches: a back foot misplaced for a few frames must not look like feet
    side by side in the middle of a step. Computed once per clip: rep segmentation and the
    stance check both read it."""
    split = np.where(front, values["front_feet_split_ratio"], np.fmax(values["step_length_ratio"], toe_step))
    return g.rolling_quantile(split, g.frames_for(glitch_s, t), 50)


def heel_lift(px: np.ndarray, side: str) -> np.ndarray:
    """(T,) how much higher a heel stands than its toe tip, in image pixels (y points down).

    A lunge's back foot stands on its ball (the article: "land on the ball of your foot") and
    the front one flat. Left minus right (``heel_lift_gap_ratio``) swings toward the back leg, so
    from the side and obliquely it shows a step even where MediaPipe puts the feet of a short one
    side by side; in a squat both feet stay flat."""
    return px[:, JOINTS[side][5], 1] - px[:, JOINTS[side][4], 1]


def held_feet(px: np.ndarray, t: np.ndarray, hold_s: float) -> np.ndarray:
    """``px`` with each unseen foot point held where it was last seen (for up to ``hold_s``).

    The image is fixed to the floor and a hidden foot is almost always a planted one: from the
    front the back foot disappears behind the front leg for the whole bottom of a rep.
    """
    held = px.copy()
    for *_, a, h, toe in JOINTS.values():
        for j in (a, h, toe):
            held[:, j] = g.hold_last(px[:, j], t, hold_s)
    return held


def floor_below_hips(px: np.ndarray) -> np.ndarray:
    """(T,) image y of the floor under the hips: the mean of the two feet's lowest points.

    In a split stance the hips sit about midway between the feet (thigh and shin are of a
    length), so the mean is the floor beneath them from any view. The lower foot alone would
    be wrong as soon as the camera looks along the step: a foot stepped toward the camera lands
    lower in the frame and makes the hips look as high as standing. ``px`` holds hidden feet
    (``held_feet``): the front foot alone would read as standing height.
    """
    feet = [np.fmax(np.fmax(px[:, a, 1], px[:, h, 1]), px[:, toe, 1]) for *_, a, h, toe in JOINTS.values()]
    return g.nan_mean(np.stack(feet))  # NaN where neither foot is seen


def left_leg_behind(px: np.ndarray, fwd_pos: dict[str, np.ndarray], facing: np.ndarray,
                     side: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Which leg is the back one, from the evidence each view gives best.

    Side: the ankles in the image, along the facing direction. Oblique: the ankles along travel
    in the un-foreshortened image (``fwd_pos``). Front: two image heights, added in pixels. The
    floor recedes upward, so the foot higher in the frame is further from the camera (world
    depth from a monocular front view is too weak to order the feet); the toes are compared, not
    the ankles, as a back foot on its ball lifts its ankle and a planted front foot does not.
    And the back knee drops toward the floor while the front one stays near hip height, so it is
    lower in the frame. A front knee caving in crosses in front of the back leg, and MediaPipe
    then puts both feet on the front foot; the knees still show the order, and their larger gap
    outvotes the feet's.
    """
    la, ra = px[:, L.LEFT_ANKLE], px[:, L.RIGHT_ANKLE]
    lt, rt = px[:, L.LEFT_FOOT_INDEX, 1], px[:, L.RIGHT_FOOT_INDEX, 1]
    toes = ~(np.isnan(lt) | np.isnan(rt))
    knees_lower = px[:, L.LEFT_KNEE, 1] - px[:, L.RIGHT_KNEE, 1]
    left_higher = np.where(toes, rt - lt, ra[:, 1] - la[:, 1])
    depth_order = left_higher + np.nan_to_num(knees_lower)
    with np.errstate(invalid="ignore"):
        behind = np.where(side, (la[:, 0] - ra[:, 0]) * facing < 0,
                          np.where(front, depth_order > 0, fwd_pos["left"] < fwd_pos["right"]))
    ankles = ~(np.isnan(la).any(-1) | np.isnan(ra).any(-1))
    world = ~(np.isnan(fwd_pos["left"]) | np.isnan(fwd_pos["right"]))
    known = np.where(side, ankles, np.where(front, ~np.isnan(left_higher), world))
    return np.where(known, behind.astype(float), np.nan)
