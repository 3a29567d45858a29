"""Leg and variant: which leg stepped, and whether back, forward or not at all (a split squat)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import geometry as g
from ..metrics import FrameMetrics
from ..profile import Profile
from .common import _band_view, _feet_image, _point_median, _split_level, _view_mode
from .dips import _Dip

if TYPE_CHECKING:
    from . import Rep


def _vote(back_is_left: np.ndarray) -> tuple[str, float]:
    valid = back_is_left[~np.isnan(back_is_left)]
    if len(valid) == 0:
        return "unknown", 0.0
    share = float(np.mean(valid))
    return ("left", share) if share >= 0.5 else ("right", 1.0 - share)


def _split_frames(metrics: FrameMetrics, dip: _Dip, band: np.ndarray, profile: Profile) -> np.ndarray:
    """The frames whose feet say which leg is back and which way it stepped: the bottom's, unless
    most of the bottom shows the feet level (a back foot MediaPipe lost onto the front one), then
    the frames of the rep's lower half that show the split. Level feet have no order, so their
    label is noise; in the upper half a foot may still be in the air."""
    level = _split_level(metrics, band, profile)
    ratio = metrics["hip_height_ratio"]
    with np.errstate(invalid="ignore"):
        split = metrics.feet.feet_split >= level
        if split[band].mean() >= 0.5:
            return band
        rep = np.arange(dip.start, dip.end + 1)
        low = np.nanmin(ratio[rep])
        lower = ratio[rep] <= (low + np.nanmax(ratio[rep])) / 2.0
    chosen = rep[split[rep] & lower]
    return chosen if len(chosen) else band


def level_run(metrics: FrameMetrics, feet_split: np.ndarray, band: np.ndarray, rest_from: int,
              profile: Profile) -> np.ndarray:
    """The last stand after ``rest_from`` and before the bottom: a run of frames with the feet
    not yet split and the hips at standing height (``reps.stand_ratio``), at least
    ``reps.settle_s`` long (empty if there is none). Its last frame is where the step began.

    The hip and the feet's last movement can both put a start after the step (a foot that
    settles, then shifts its weight), and a previous rep can end with a foot still on its way
    home; measuring the stance, the crossing or the step's direction from there would measure
    the split instead. Feet that only look level are no stand either: as a caving front knee
    crosses the back leg, MediaPipe exchanges the feet's labels, and for a few frames on the way
    down the toes' gap passes through zero."""
    level = _split_level(metrics, band, profile)
    with np.errstate(invalid="ignore"):
        standing = ((feet_split[rest_from:band[0]] < level)
                    & (metrics["hip_height_ratio"][rest_from:band[0]] >= profile["reps.stand_ratio"]))
    long_enough = g.runs_lasting(standing, metrics.t[rest_from:band[0]], profile["reps.settle_s"])
    return rest_from + long_enough[-1] if long_enough else np.empty(0, dtype=int)


def stand_view(metrics: FrameMetrics, rep: Rep, window_s: float) -> str:
    """The view most frames of the last ``window_s`` before a rep's start were seen from (the
    rep's own if none): the stand it stepped from, where the shoulders read the yaw best."""
    t = metrics.t
    frames = np.arange(int(np.searchsorted(t, t[rep.start_frame] - window_s)), rep.start_frame + 1)
    return _view_mode(metrics, frames, rep.view)


def _ahead(offset: np.ndarray, facing: np.ndarray | float, toward: np.ndarray | float) -> np.ndarray:
    """How far an image ``offset`` (..., 2) points forward in an oblique view: along the facing
    direction, and toward the camera (down the frame; ``toward`` +1) or, filmed from behind, away
    from it (up the frame; ``toward`` -1: ``FrameMetrics.toward_camera``)."""
    return offset[..., 0] * facing + offset[..., 1] * toward


def _order_since(metrics: FrameMetrics, rest: np.ndarray, frames: np.ndarray, back_is_left: np.ndarray) -> np.ndarray:
    """Obliquely, which leg is behind in ``frames`` as the feet's offset has changed since the
    ``rest`` before the rep (``back_is_left`` of those frames where the rest shows no feet).

    The pseudo side view stretches x by 1/sin(yaw), and with it the stance width's share of the
    image (width x cot(yaw)), which near a front view outweighs a short step: at 30 deg, feet 0.2
    leg lengths apart sideways read 0.35 apart along travel. Their change since the stand is the
    step alone. Forward is ``_ahead``, as in ``_step_direction``.
    """
    def gap(at: np.ndarray) -> np.ndarray:
        il, ir = _feet_image(metrics, at)
        return il - ir

    rest_gap = _point_median(gap(rest)) if len(rest) else np.full(2, np.nan)
    if np.isnan(rest_gap).any():
        return back_is_left[frames]
    with np.errstate(invalid="ignore"):
        change = gap(frames) - rest_gap
        ahead = _ahead(change, metrics.facing_sign[frames], metrics.toward_camera[frames])
        return np.where(np.isnan(ahead), np.nan, (ahead < 0).astype(float))


def _step_direction(dip: _Dip, band: np.ndarray, seen_split: np.ndarray, metrics: FrameMetrics, rest_from: int,
                    stand: np.ndarray, profile: Profile, heel_rose: bool = False) -> str:
    """reverse, forward or split_squat: which way the step went, judged against the stand before
    the rep in the floor-fixed image (world positions are relative to the hips, so they alone
    cannot say which foot moved).

    From the front, the feet's mean height in the frame; obliquely, the feet's midpoint along
    the facing direction and toward the camera; both without left/right labels. From the side,
    the foot that moved further is the stepping foot and the per-view ankle order says whether
    it ended behind. A rep whose feet did not leave where they stood is a split squat. Toes are
    tracked where seen: the planted foot of a forward lunge rolls onto its ball, which lifts its
    ankle about as far, seen from the front, as the stepping foot travels. ``stand``: the last
    run of frames with the feet level before the bottom (``level_run``); ``seen_split``: the
    frames that show the split (``_split_frames``), which the front view reads: its mean foot
    height is the planted foot's alone where MediaPipe put the back foot on the front one.
    ``heel_rose``: only a heel rising onto its ball showed the split (``_lunge_dips``); a foot
    that went onto its ball during the rep stepped, however little the ankles moved.
    """
    il, ir = _feet_image(metrics)
    view = _band_view(metrics, band)
    if view == "front":
        # The floor recedes upward in the frame: a forward lunge brings the feet (on average)
        # lower in it, a reverse lunge higher. Which foot moved is too subtle from a low camera:
        # the stepping foot may move 10 px while the planted one rolls onto its ball.
        with np.errstate(invalid="ignore"):
            feet_y = (il[:, 1] + ir[:, 1]) / 2.0
            before = stand if len(stand) else np.arange(rest_from, dip.start + 1)
            moved = g.nan_median(feet_y[seen_split]) - g.nan_median(feet_y[before])
        if not np.isnan(moved):
            return "forward" if moved > 0 else "reverse"
    with np.errstate(invalid="ignore"):
        rest = slice(rest_from, dip.start + 1)
        moved_l = np.linalg.norm(il[band] - _point_median(il[rest]), axis=-1)
        moved_r = np.linalg.norm(ir[band] - _point_median(ir[rest]), axis=-1)
        left_behind = metrics.feet.left_leg_behind[band]
        stepping_is_behind = np.where(moved_l >= moved_r, left_behind == 1, left_behind == 0)
        valid = ~(np.isnan(moved_l) | np.isnan(moved_r) | np.isnan(left_behind))
    if not valid.any():
        return "reverse"
    if not heel_rose and max(np.median(moved_l[valid]), np.median(moved_r[valid])) \
            <= profile["reps.return_feet_tolerance_ratio"]:
        return "split_squat"  # neither foot left where it stood before: lowered from a split stance
    if view == "oblique":
        # obliquely the feet's midpoint travels half a step forward (``_ahead``) in a forward
        # lunge, back in a reverse one. No left/right labels needed, and MediaPipe mixes them up
        # obliquely.
        with np.errstate(invalid="ignore"):
            mid = (il + ir) / 2.0
            along = float(_ahead(_point_median(mid[band]) - _point_median(mid[rest]),
                                 float(np.median(metrics.facing_sign[band])),
                                 float(np.median(metrics.toward_camera[band]))))
        if not np.isnan(along):
            return "forward" if along > 0 else "reverse"
    return "reverse" if np.mean(stepping_is_behind[valid]) >= 0.5 else "forward"
