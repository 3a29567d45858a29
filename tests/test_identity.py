"""Leg identity: MediaPipe's left/right leg swaps undone by continuity (hand-built series)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from formcheck.identity import LEG_PAIRS, SWAPPED_ORDER, IdentitySettings, fix_leg_swaps, runs_disagree, swap_flags
from formcheck.knee_readings import mirrored_knee_flexion_deg
from formcheck.series import Landmark as L
from formcheck.series import PoseSeries

W, H = 1000, 1000
FPS = 30.0


def _settings(**changed) -> IdentitySettings:
    """Continuity and the model's labels alone (no slide rule) unless ``changed`` says otherwise."""
    plain = IdentitySettings(max_gap_s=0.3, price_per_s=1.0, undecided_shins=0.5, slide_s=0.0, slide_min_shins=2.0,
                             slide_path_ratio=1.5, slide_span_share=1.5, hips_apart_shins=0.0,
                             mirrored_hips_weight=0.0)
    return replace(plain, **changed)


def _flags(series: PoseSeries, **changed) -> np.ndarray:
    return swap_flags(series, _settings(**changed))


def _legs(n: int, swapped: range = range(0)) -> PoseSeries:
    """A still person seen from the side, feet 400 px apart (a split stance): left leg at
    x=300, right at x=700; knee 100 px above the ankle, heel 30 px behind it, toe 60 px ahead.
    Frames in ``swapped`` carry MediaPipe's wrong labels."""
    img = np.full((n, 33, 4), 0.5)
    img[:, :, 3] = 1.0
    for side, x in ((0, 300.0), (1, 700.0)):
        hip, knee, ankle, heel, toe = (pair[side] for pair in LEG_PAIRS)
        for j, (dx, y) in {hip: (0, 500), knee: (0, 700), ankle: (0, 800), heel: (-30, 820), toe: (60, 820)}.items():
            img[:, j, 0], img[:, j, 1] = (x + dx) / W, y / H
    for i in swapped:
        for a, b in LEG_PAIRS:
            img[i, [a, b]] = img[i, [b, a]]
    world = np.zeros((n, 33, 3))
    world[:, L.LEFT_ANKLE, 0], world[:, L.RIGHT_ANKLE, 0] = -0.2, 0.2
    for i in swapped:
        world[i, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = world[i, [L.RIGHT_ANKLE, L.LEFT_ANKLE]]
    return PoseSeries(img, world, np.arange(n) / FPS, (W, H))


def test_a_swapped_stretch_is_found_and_undone():
    s = _legs(90, swapped=range(30, 45))  # half a second of swapped labels mid-clip
    flags = _flags(s)
    assert np.array_equal(np.flatnonzero(flags), np.arange(30, 45))
    fixed = fix_leg_swaps(s, _settings())
    assert np.allclose(fixed.pixels[:, L.LEFT_ANKLE, 0], 300.0)
    assert np.allclose(fixed.pixels[:, L.RIGHT_FOOT_INDEX, 0], 760.0)
    assert np.allclose(fixed.world[:, L.LEFT_ANKLE, 0], -0.2)  # world landmarks travel with the labels


def test_labels_without_jumps_are_left_alone():
    s = _legs(60)
    assert not _flags(s).any()
    assert fix_leg_swaps(s, _settings()) is s


def test_majority_labelling_wins_when_the_clip_starts_swapped():
    # swapped for the first 10 frames only: the later 50 agree, so the first 10 are the swaps
    s = _legs(60, swapped=range(10))
    assert np.array_equal(np.flatnonzero(_flags(s)), np.arange(10))


def test_a_long_swap_costs_more_than_it_saves_and_is_kept():
    # The unit is knee-ankle + ankle-heel = 100 + hypot(30, 20) = 136.06 px. Each jump moves
    # 4 points x 2 legs by 400 px = 3200 px = 23.52 units; the two jumps save 47.04 units.
    # Relabelling 60 frames (2 s) costs 2 units at 1 per second: done; 200 at 100: not done.
    s = _legs(180, swapped=range(60, 120))
    assert np.array_equal(np.flatnonzero(_flags(s)), np.arange(60, 120))
    assert not _flags(s, price_per_s=100.0).any()
    # the break-even price is 47.04 / 2 s = 23.52 per second
    assert _flags(s, price_per_s=23.0)[60:120].all() and not _flags(s, price_per_s=24.0).any()


def test_a_gap_longer_than_max_gap_breaks_the_chain():
    # the swap starts right after a 1 s gap: no continuity evidence across it, so nothing to undo
    s = _legs(60, swapped=range(30, 60))
    t = np.concatenate([np.arange(30) / FPS, 2.0 + np.arange(30) / FPS])
    s = PoseSeries(s.image, s.world, t, s.image_size)
    assert not _flags(s).any()


def test_smoothing_through_the_swap_flags_equals_smoothing_the_relabelled_series():
    # the analysis never builds the relabelled copy: smoothing reads each flagged frame with its
    # legs exchanged. Moving legs and a visibility that differs per leg make any mix-up show.
    from formcheck.profile import load_profile
    from formcheck.smoothing import smooth_series

    SMOOTHING = load_profile().section("smoothing")

    s = _legs(90, swapped=range(30, 45))
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.004, s.image.shape)
    noise[..., 3] = 0.0
    image = s.image + noise
    image[:, [a for a, _ in LEG_PAIRS], 3] = 0.9  # left leg less visible than the right (1.0)
    s = PoseSeries(image, s.world + rng.normal(0, 0.01, s.world.shape), s.t, s.image_size)
    flags = _flags(s)
    assert flags[30:45].all() and flags.sum() == 15
    direct = smooth_series(fix_leg_swaps(s, _settings()), **SMOOTHING)
    through = smooth_series(s, relabel=flags, **SMOOTHING)
    assert np.allclose(through.image, direct.image, atol=1e-12, equal_nan=True)
    assert np.allclose(through.world, direct.world, atol=1e-12, equal_nan=True)
    # visibility moves with its landmark: the relabelled frames carry the other leg's
    assert np.allclose(through.image[:, L.LEFT_KNEE, 3], np.where(flags, 1.0, 0.9))


def _step_back(swapped: range, n: int = 130) -> tuple[PoseSeries, np.ndarray]:
    """A reverse lunge from the side: the right foot stays at x=500, the left one steps back to
    x=100 over frames 10-30, holds, and comes back over frames 90-110. Frames in ``swapped``
    carry exchanged leg labels. Also returns where the left ankle truly is (px)."""
    left_x = np.interp(np.arange(n), [0, 10, 30, 90, 110, n - 1], [500, 500, 100, 100, 500, 500])
    img = np.full((n, 33, 4), 0.5)
    img[:, :, 3] = 1.0
    for side, x in ((0, left_x), (1, np.full(n, 500.0))):
        hip, knee, ankle, heel, toe = (pair[side] for pair in LEG_PAIRS)
        for j, (dx, y) in {hip: (0, 500), knee: (0, 700), ankle: (0, 800), heel: (-30, 820), toe: (60, 820)}.items():
            img[:, j, 0], img[:, j, 1] = (x + dx) / W, y / H
    labelled = img.copy()
    for i in swapped:
        for a, b in LEG_PAIRS:
            labelled[i, [a, b]] = img[i, [b, a]]
    return PoseSeries(labelled, np.zeros((n, 33, 3)), np.arange(n) / FPS, (W, H)), left_x


def test_a_swap_made_while_the_feet_pass_needs_the_mirror_pass():
    """MediaPipe exchanges the legs as the stepping foot leaves the other one, where exchanging
    them costs no jump, and keeps them exchanged through the whole bottom (benchmark seeds 2, 26,
    67): continuity alone cannot see it, and three seconds of relabelling cost more than the
    nothing it saves. The run on the mirrored frames had those legs right; as a second opinion
    at the same price it cancels the first run's, and the true labels win."""
    swapped = range(12, 109)
    series, left_x = _step_back(swapped)
    apart = np.abs(left_x - 500.0) > 100.0  # the feet more than a shin apart: the labels matter
    truly_swapped = np.isin(np.arange(len(series)), swapped)
    alone = _flags(series)
    assert not alone[apart].any()  # a single run keeps its exchanged labels through the bottom
    right, _ = _step_back(range(0))
    with_mirror = _flags(replace(series, mirrored=right.image))
    assert np.array_equal(with_mirror[apart], truly_swapped[apart])


def test_a_mirror_pass_that_agrees_or_cannot_tell_changes_nothing():
    series, _ = _step_back(range(0))
    assert not _flags(replace(series, mirrored=series.image)).any()
    unseen = np.full_like(series.image, np.nan)  # the mirrored run found nobody
    swapped, _ = _step_back(range(40, 60))  # a short swap with the feet apart: continuity undoes it
    assert np.array_equal(np.flatnonzero(_flags(replace(swapped, mirrored=unseen))), np.arange(40, 60))


def test_a_slide_of_the_labels_is_charged_as_the_jump_it_is():
    # MediaPipe's tracker can exchange the legs by sliding both across over a few frames. Along
    # the slide each labelling moves the legs equally far, so continuity alone keeps the labels;
    # across the slide's 0.2 s each leg ends where the other began, which planted feet never do.
    plain, swapped = _legs(120), _legs(120, swapped=range(120))
    ramp = np.linspace(0.0, 1.0, 7)[1:-1]  # 5 frames between the labellings, then the exchange holds
    weight = np.concatenate([np.zeros(30), ramp, np.ones(40), ramp[::-1], np.zeros(40)])[:, None, None]
    s = replace(plain, image=(1 - weight) * plain.image + weight * swapped.image)
    assert not _flags(s).any()
    flags = _flags(s, slide_s=0.2, slide_min_shins=2.0)
    assert flags[35:75].all() and not flags[:30].any() and not flags[80:].any()
    assert not _flags(s, slide_s=0.2, slide_min_shins=100.0).any()  # an excess below the minimum


def test_a_step_past_the_planted_foot_is_no_slide():
    # the stepping (left) foot passes the planted one: whichever labelling, it travels 800 px
    s = _legs(90)
    x = np.concatenate([np.full(30, 300.0), np.linspace(300.0, 1100.0, 10), np.full(50, 1100.0)])
    shift = (x - 300.0) / W
    for pair in LEG_PAIRS:
        s.image[:, pair[0], 0] += shift
    assert not _flags(s, slide_s=0.2, slide_min_shins=2.0).any()


def test_labels_flickering_to_and_fro_are_no_slide():
    # small, distant legs side by side: MediaPipe exchanges them on every other frame for a
    # while; each exchanged frame is a jump of its own, and the ends of a window sample the
    # flicker by chance, so no window may be charged as one slide
    s = _legs(90, swapped=range(30, 42, 2))
    flickered = np.arange(30, 42, 2)
    assert np.array_equal(np.flatnonzero(_flags(s)), flickered)
    guarded = _flags(s, slide_s=5 / FPS, slide_min_shins=2.0, slide_path_ratio=1.5)
    assert np.array_equal(np.flatnonzero(guarded), flickered)
    unguarded = _flags(s, slide_s=5 / FPS, slide_min_shins=2.0, slide_path_ratio=100.0)
    assert not np.array_equal(np.flatnonzero(unguarded), flickered)


def _shifted(image: np.ndarray, points: list[int], dx_px: float, frames: slice) -> np.ndarray:
    out = image.copy()
    out[frames, points, 0] += dx_px / W
    return out


def test_runs_disagree_where_the_mirrored_run_puts_a_leg_elsewhere():
    """Shin 100 px (``_legs``). The left leg's four tracked points moved 60 px in the mirrored run:
    0.6 shins per point, past 0.5 and short of 0.7. Only the toe moved 200 px: 2 shins over four
    points is 0.5 per point, not past 0.5 (the worse leg's mean is compared, not one point)."""
    series = _legs(40)
    leg = [L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX]
    moved = replace(series, mirrored=_shifted(series.image, leg, 60.0, slice(10, 20)))
    assert np.array_equal(np.flatnonzero(runs_disagree(moved, 0.5)), np.arange(10, 20))
    assert not runs_disagree(moved, 0.7).any()
    toe = replace(series, mirrored=_shifted(series.image, [L.LEFT_FOOT_INDEX], 200.0, slice(10, 20)))
    assert not runs_disagree(toe, 0.5).any()
    assert np.array_equal(np.flatnonzero(runs_disagree(toe, 0.4)), np.arange(10, 20))


def test_a_leg_swap_a_missing_mirror_or_an_unseen_leg_is_no_disagreement():
    """Disagreement is about where the legs are, not what they are called: the swap is
    ``swap_flags``' business. Without a second run, or where it saw nobody, nothing is doubted."""
    series = _legs(40)
    swapped = _legs(40, swapped=range(40))
    assert not runs_disagree(replace(series, mirrored=swapped.image), 0.5).any()
    assert not runs_disagree(series, 0.5).any()  # no mirror pass
    unseen = series.image.copy()
    unseen[5:15] = np.nan
    assert not runs_disagree(replace(series, mirrored=unseen), 0.5).any()


# the mirrored run's left knee 100 px ahead of the hip-ankle line (``_legs``: hip y 500, knee 700,
# ankle 800): the angle at the knee between (-100, -200) and (-100, 100) is acos(-1/sqrt(10)),
# 108.435 deg, so the flexion is 71.565 deg; the right knee stays straight (0 deg)
BENT_DEG = 180.0 - np.degrees(np.arccos(-1.0 / np.sqrt(10.0)))


def test_the_mirrored_runs_knees_are_read_as_the_main_run_names_the_legs():
    series = _legs(30)
    bent = _shifted(series.image, [L.LEFT_KNEE], 100.0, slice(None))
    knees = mirrored_knee_flexion_deg(replace(series, mirrored=bent), np.zeros(30, bool), 0.5)
    assert np.allclose(knees, [[BENT_DEG, 0.0]]) and abs(BENT_DEG - 71.565) < 1e-3
    # the mirrored run naming its legs the other way round changes nothing: legs go by position
    swapped = bent.copy()
    for a, b in LEG_PAIRS:
        swapped[:, [a, b]] = swapped[:, [b, a]]
    assert np.allclose(mirrored_knee_flexion_deg(replace(series, mirrored=swapped), np.zeros(30, bool), 0.5),
                       [[BENT_DEG, 0.0]])
    # where the main run's legs are relabelled (swap_flags), its left is the leg it called right
    relabel = np.zeros(30, bool)
    relabel[10:20] = True
    knees = mirrored_knee_flexion_deg(replace(series, mirrored=bent), relabel, 0.5)
    assert np.allclose(knees[10:20], [[0.0, BENT_DEG]]) and np.allclose(knees[:10], [[BENT_DEG, 0.0]])


def test_no_mirrored_reading_without_the_pass_or_where_its_knee_was_not_seen():
    series = _legs(30)
    assert np.isnan(mirrored_knee_flexion_deg(series, np.zeros(30, bool), 0.5)).all()
    hidden = series.image.copy()
    hidden[5:10, L.LEFT_KNEE, 3] = 0.2  # visibility below 0.5: MediaPipe is guessing
    hidden[20:25] = np.nan              # nobody seen
    knees = mirrored_knee_flexion_deg(replace(series, mirrored=hidden), np.zeros(30, bool), 0.5)
    assert np.isnan(knees[5:10, 0]).all() and np.allclose(knees[5:10, 1], 0.0)
    assert np.isnan(knees[20:25]).all() and np.allclose(knees[:5], 0.0)


def test_hips_on_the_wrong_sides_say_the_whole_body_was_mirrored():
    """Facing the camera, a person's left hip is on the image's right. ``_legs`` puts the labelled
    left leg, hip and all, on the image's left in every frame: continuity cannot tell (nothing
    jumps), the model's labels vote to keep them, and the hips' order outweighs them (weight 2).
    From behind the same order is right; agreeing hips never vote."""
    s = _legs(60)
    assert not _flags(s).any()  # continuity and the labels alone: as labelled
    assert swap_flags(s, _settings(hips_apart_shins=0.2, mirrored_hips_weight=2.0), np.ones(60)).all()
    assert not swap_flags(s, _settings(hips_apart_shins=0.2, mirrored_hips_weight=0.5), np.ones(60)).any()
    hips = _settings(hips_apart_shins=0.2, mirrored_hips_weight=2.0)
    assert not swap_flags(s, hips, -np.ones(60)).any()  # from behind
    assert not swap_flags(s, hips, np.zeros(60)).any()  # from the side: the hips' order is chance
    right_way = replace(s, image=s.image[:, SWAPPED_ORDER])  # left leg on the image's right: agrees
    assert not swap_flags(right_way, _settings(hips_apart_shins=0.2, mirrored_hips_weight=2.0), np.ones(60)).any()
