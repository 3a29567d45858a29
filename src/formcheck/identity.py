"""Leg identity: undo MediaPipe's left/right leg swaps by continuity in the image.

Seen from the side, MediaPipe often labels the far leg as the near one for a few frames or a
whole rep, with the feet a metre apart: the "left" foot jumps across the frame and back. Feet
do not teleport, so a frame whose legs sit where the other labels were a frame earlier is
relabelled. Pure numpy; runs on the raw series before smoothing (a filter would blend the legs
across a swap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as g
from .profile import Profile
from .series import Landmark as L
from .series import PoseSeries, exchanged_order

# swapped together: the whole leg chain from the hip down
LEG_PAIRS = ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE),
             (L.LEFT_HEEL, L.RIGHT_HEEL), (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX))
# landmark order with the legs exchanged: ``landmarks[SWAPPED_ORDER]`` relabels one frame
SWAPPED_ORDER = exchanged_order(LEG_PAIRS)
# compared for continuity: the hips overlap from the side and would only add noise
_TRACKED = LEG_PAIRS[1:]


@dataclass(frozen=True)
class IdentitySettings:
    """The leg-identity settings (``[pose]`` and ``smoothing.max_gap_s`` in the profile; see
    ``swap_flags``). ``slide_s`` 0 turns the slide rule off."""

    max_gap_s: float
    price_per_s: float
    undecided_shins: float
    slide_s: float
    slide_min_shins: float
    slide_path_ratio: float
    slide_span_share: float
    hips_apart_shins: float
    mirrored_hips_weight: float

    @classmethod
    def of(cls, profile: Profile) -> IdentitySettings:
        return cls(profile["smoothing.max_gap_s"], profile["pose.leg_swap_price_per_s"],
                   profile["pose.mirror_undecided_shins"], profile["pose.leg_slide_s"],
                   profile["pose.leg_slide_min_shins"], profile["pose.leg_slide_path_ratio"],
                   profile["pose.leg_slide_span_share"], profile["pose.hips_apart_shins"],
                   profile["pose.mirrored_hips_weight"])


def swap_flags(series: PoseSeries, settings: IdentitySettings, facing: np.ndarray | None = None) -> np.ndarray:
    """(T,) bool: frames whose left and right legs are to be exchanged (``settings``' fields in
    the double-backquoted names below).

    The labelling of every frame is chosen at once (Viterbi over two states: as labelled or
    exchanged) to minimise how far the legs jump between seen frames, plus a price per second
    of disagreeing with the pose model's labels (``price_per_s``, in shin lengths of jump).
    MediaPipe is right most of the time, so a stretch is relabelled only when that removes jumps
    worth more than its length. Frames more than ``max_gap_s`` apart carry no continuity evidence.

    With a mirror pass (``series.mirrored``) the model's run on the mirrored frames is a second
    opinion at the same price. The two runs get different frames wrong: where they agree nothing
    changes, and where they disagree their prices cancel and continuity decides. That settles the
    stretches a single run cannot: MediaPipe exchanges the legs as the stepping foot passes the
    other one in the image, where exchanging them costs no jump, and keeps them exchanged through
    the bottom (on the benchmark, the mirrored run had most of those bottoms right). Where both
    labellings lie within ``undecided_shins`` of the mirrored run, it names no order.

    MediaPipe's tracker does not always jump when it exchanges the legs: it can slide both across
    over a few frames, each frame a small step that continuity alone accepts. ``slide_s`` > 0
    charges such a slide as the jump it is (``_charge_slides``).

    Hips on the wrong sides of the body are a third opinion (``_hips_say_exchanged``; ``facing``:
    (T,) +1 where the person faces the camera, -1 away from it, 0 where the view is not a front
    or rear one: near the side the hips' order is chance; None: no such opinion),
    weighing ``mirrored_hips_weight`` times the price: at 2, as much as the model's own labels and
    a mirror pass together, which share the whole-body mistake; continuity decides between them.
    """
    n = len(series)
    flags = np.zeros(n, bool)
    size = np.array(series.image_size, float)
    left, right = _legs(series.image, size)
    seen = ~(np.isnan(left).any(axis=(1, 2)) | np.isnan(right).any(axis=(1, 2)))
    idx = np.flatnonzero(seen)
    if len(idx) < 2:
        return flags
    lo, ro = left[idx], right[idx]
    scale = float(np.median(_cost(lo[:, :2], lo[:, 1:3]))) or 1.0  # knee-ankle + ankle-heel, px
    dt = np.diff(series.t[idx])
    linked = dt <= settings.max_gap_s
    keep = np.where(linked, (_cost(lo[1:], lo[:-1]) + _cost(ro[1:], ro[:-1])) / scale, 0.0)
    cross = np.where(linked, (_cost(lo[1:], ro[:-1]) + _cost(ro[1:], lo[:-1])) / scale, 0.0)
    if settings.slide_s > 0:
        keep, cross = _charge_slides(lo, ro, series.t[idx], keep, cross, scale, settings)
    price = settings.price_per_s * np.concatenate([[np.median(dt)], dt])
    as_labelled, exchanged = np.zeros(len(idx)), price  # the pose model's own labels
    if series.mirrored is not None:
        says_exchanged = _mirror_says_exchanged(series.mirrored[idx], lo, ro, size, scale, settings.undecided_shins)
        as_labelled = as_labelled + price * says_exchanged
        exchanged = exchanged + price * (1.0 - says_exchanged)
    if settings.hips_apart_shins > 0 and facing is not None:
        says_exchanged = _hips_say_exchanged(series, idx, scale, settings.hips_apart_shins, facing)
        weight = settings.mirrored_hips_weight * price
        as_labelled = as_labelled + weight * says_exchanged
        exchanged = exchanged + weight * (1.0 - says_exchanged)
    flags[idx] = _viterbi(keep, cross, as_labelled, exchanged)
    return flags


def _charge_slides(lo: np.ndarray, ro: np.ndarray, t: np.ndarray, keep: np.ndarray, cross: np.ndarray,
                   scale: float, settings: IdentitySettings) -> tuple[np.ndarray, np.ndarray]:
    """``keep`` and ``cross`` with every slide of the legs into each other's places charged as one jump.

    In a lunge one foot is always planted, so both legs moving at once, each ending within
    ``slide_s`` where the other began, is a relabelling, not a movement. Compared across that
    window, staying as labelled then costs ``slide_min_shins`` or more above exchanging. Each such
    window (the largest excess first, none overlapping) becomes one transition carrying the
    window's costs, at its largest frame-to-frame step; the window's other transitions may not
    change the labelling, so the evidence cannot be dodged by exchanging back at once. A step
    past the planted foot is no slide: along a line, the stepping foot's path costs the same
    either way. Nor are labels flickering to and fro every frame, which small, distant legs
    side by side make: their frame-to-frame steps add up to more than ``slide_path_ratio`` times
    the window's change, and its two ends would name an order by chance. A window spanning more
    than ``slide_span_share`` x ``slide_s`` crosses a gap in the frames.
    """
    slide_s, min_shins, path_ratio = settings.slide_s, settings.slide_min_shins, settings.slide_path_ratio
    k = max(1, int(round(slide_s / float(np.median(np.diff(t))))))
    if len(lo) <= k:
        return keep, cross
    keep_k = (_cost(lo[k:], lo[:-k]) + _cost(ro[k:], ro[:-k])) / scale
    cross_k = (_cost(lo[k:], ro[:-k]) + _cost(ro[k:], lo[:-k])) / scale
    excess = keep_k - cross_k
    keep, cross = keep.copy(), cross.copy()
    taken = np.zeros(len(keep), bool)
    for j in np.argsort(-excess):
        if excess[j] < min_shins:
            break
        window = slice(j, j + k)  # the transitions from frame j to frame j + k
        if taken[window].any() or t[j + k] - t[j] > settings.slide_span_share * slide_s:  # overlapping, or across a gap
            continue
        if keep[window].sum() > path_ratio * keep_k[j]:  # labels flickering to and fro: no slide
            continue
        taken[window] = True
        at = j + int(np.argmax(keep[window]))
        keep[window], cross[window] = 0.0, np.inf
        keep[at], cross[at] = keep_k[j], cross_k[j]
    return keep, cross


def runs_disagree(series: PoseSeries, max_shins: float,
                  distances: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(T,) bool: frames where the mirrored run (``series.mirrored``) puts a leg more than
    ``max_shins`` per point from where the main run has it, under the labelling that matches
    them best (so a leg swap is no disagreement). There one of the two runs has lost a leg, and
    which one cannot be told from that frame alone, so no value should rest on it; all False
    without a mirror pass. ``distances``: ``leg_distances(series)``, if already computed."""
    if series.mirrored is None:
        return np.zeros(len(series), bool)
    same, other = distances or leg_distances(series)
    with np.errstate(invalid="ignore"):
        worst_leg = np.where(same.sum(axis=0) <= other.sum(axis=0), same.max(axis=0), other.max(axis=0))
        return worst_leg > max_shins  # NaN (a run saw no legs): no disagreement


def leg_distances(series: PoseSeries) -> tuple[np.ndarray, np.ndarray]:
    """(2, T) each, in shins per tracked point: how far each mirrored leg lies from the main
    run's leg of the same name (``same``) and from the other one (``other``); NaN where a run
    saw no leg."""
    size = np.array(series.image_size, float)
    left, right = _legs(series.image, size)
    m_left, m_right = _legs(series.mirrored, size)
    shin = g.nan_median(np.linalg.norm(left[:, 0] - left[:, 1], axis=-1))
    per_point = len(_TRACKED) * (shin if shin > 0 else 1.0)
    return (np.stack([_cost(m_left, left), _cost(m_right, right)]) / per_point,
            np.stack([_cost(m_left, right), _cost(m_right, left)]) / per_point)


def _legs(image: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tracked left and right leg points in pixels, (T, K, 2) each (no (T, 33) copy)."""
    return (image[:, [a for a, _ in _TRACKED], :2] * size, image[:, [b for _, b in _TRACKED], :2] * size)


def _mirror_says_exchanged(mirrored: np.ndarray, lo: np.ndarray, ro: np.ndarray, size: np.ndarray,
                           scale: float, undecided_shins: float) -> np.ndarray:
    """(N,) 1 where the mirrored run puts the legs the other way round, 0 where it agrees, 0.5
    where it cannot say: it saw no legs, or both labellings lie within ``undecided_shins`` of it
    (legs side by side or overlapping in the image)."""
    ml, mr = _legs(mirrored, size)
    same = (_cost(ml, lo) + _cost(mr, ro)) / scale
    other = (_cost(ml, ro) + _cost(mr, lo)) / scale
    with np.errstate(invalid="ignore"):
        undecided = ~(np.abs(same - other) >= undecided_shins)  # NaN: not seen
    return np.where(undecided, 0.5, (other < same).astype(float))


def _hips_say_exchanged(series: PoseSeries, idx: np.ndarray, scale: float, hips_apart_shins: float,
                        facing: np.ndarray) -> np.ndarray:
    """(N,) 1 where the hips' order in the image says the pose model named the legs the other way
    round, 0.5 elsewhere (no opinion). Facing the camera, a person's left hip is on the image's
    right (facing away, on its left) whatever the legs do: a frame whose labelled left hip sits on
    the other side had its whole body's labels mirrored (MediaPipe does so at times on a body it
    sees from the front, face and all; dev seed 4025). Only where the hips lie at least
    ``hips_apart_shins`` apart across the image: seen from the side they overlap, and their order
    is chance. Hips on the right sides say nothing about the lower legs: MediaPipe also swaps the
    knees and feet alone under hips it labels right (an oblique published clip, bench_0015)."""
    w = series.image_size[0]
    apart = (series.image[idx, L.LEFT_HIP, 0] - series.image[idx, L.RIGHT_HIP, 0]) * w / scale
    toward_right = apart * facing[idx]  # + : the labelled left hip lies where a left hip belongs
    with np.errstate(invalid="ignore"):
        undecided = ~(np.abs(toward_right) >= hips_apart_shins)  # NaN: not seen
    return np.where(undecided | (toward_right >= 0), 0.5, 1.0)


def _viterbi(keep: np.ndarray, cross: np.ndarray, cost0: np.ndarray, cost1: np.ndarray) -> np.ndarray:
    """Cheapest 0/1 labelling of N frames: ``keep[i]``/``cross[i]`` cost frame i+1 staying in
    or changing state from frame i; ``cost0[i]``/``cost1[i]`` are paid for frame i in state 0/1."""
    n = len(cost0)
    back = np.zeros((n, 2), dtype=np.int8)
    c0, c1 = float(cost0[0]), float(cost1[0])
    for i in range(1, n):
        k, x = keep[i - 1], cross[i - 1]
        from0, from1 = (c0 + k, c1 + x), (c0 + x, c1 + k)  # into state 0, into state 1
        back[i, 0] = from0[1] < from0[0]
        back[i, 1] = from1[1] < from1[0]
        c0, c1 = min(from0) + cost0[i], min(from1) + cost1[i]
    state = int(c1 < c0)
    out = np.zeros(n, bool)
    for i in range(n - 1, -1, -1):
        out[i] = state
        state = back[i, state]
    return out


def _cost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N,) summed distance between matching points of (N, K, 2) arrays."""
    return np.linalg.norm(a - b, axis=-1).sum(axis=-1)


def fix_leg_swaps(series: PoseSeries, settings: IdentitySettings) -> PoseSeries:
    """``series`` with the legs of swapped frames (``swap_flags``) exchanged, image and world: the
    relabelled series for the API's users (the pipeline reads through the flags instead, with no
    copy: ``smoothing.smooth_series(relabel=...)``)."""
    flags = swap_flags(series, settings)
    if not flags.any():
        return series
    image, world = series.image.copy(), series.world.copy()
    image[flags] = image[flags][:, SWAPPED_ORDER]
    world[flags] = world[flags][:, SWAPPED_ORDER]
    return series.with_landmarks(image, world)
