"""Unit tests for formcheck.smoothing (One-Euro filter) with hand-computed expected values.

Smoothing factor of the One-Euro filter (Casiez 2012): alpha = 1 / (1 + tau/dt), tau = 1 / (2*pi*fc).
Handy cases used below:
    fc = 1/(2*pi) Hz, dt = 1 s      -> tau = 1,       alpha = 1/2
    fc = 3/(2*pi) Hz, dt = 1 s      -> tau = 1/3,     alpha = 3/4
    fc = 1 Hz,        dt = 1/30 s   -> tau = 0.159155, alpha = 2*pi/(2*pi + 30) = 6.2831853/36.2831853 = 0.1731707
White noise through y[n] = a*x[n] + (1-a)*y[n-1] keeps a variance fraction sum_k a^2 (1-a)^(2k) = a / (2 - a).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from formcheck.profile import load_profile
from formcheck.series import PoseSeries
from formcheck.smoothing import OneEuroFilter, one_euro, smooth_series, zero_phase_one_euro

FC_HALF = 1.0 / (2.0 * math.pi)  # cut-off giving alpha = 1/2 at dt = 1 s
A_1HZ_30FPS = 2 * math.pi / (2 * math.pi + 30)  # 0.1731707
NAN = float("nan")
SMOOTHING = load_profile().section("smoothing")  # the product's filter settings


def lowpass(**kw) -> OneEuroFilter:
    """beta = 0: a plain first-order low-pass at min_cutoff_hz; long max_gap so dt = 1 s is not a gap."""
    params = dict(min_cutoff_hz=FC_HALF, beta=0.0, d_cutoff_hz=FC_HALF, max_gap_s=10.0)
    params.update(kw)
    return OneEuroFilter(**params)


# ------------------------------------------------------------------------------ OneEuroFilter


def test_alpha_constant_is_what_the_comments_use():
    assert A_1HZ_30FPS == pytest.approx(0.1731707, abs=1e-7)


def test_first_call_returns_the_input():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
    x = np.array([[1.5, -2.0], [3.0, NAN]])
    out = f(x, 0.0)
    np.testing.assert_array_equal(out, x)
    assert out is not x


def test_beta_zero_first_step_alpha_one_half():
    # alpha = 1/2: 0 -> 10 gives 0.5*10 + 0.5*0 = 5, then 7.5, 8.75, 9.375 (10 * (1 - 0.5^n))
    f = lowpass()
    assert f(np.array(0.0), 0.0) == 0.0
    outs = [float(f(np.array(10.0), float(n))) for n in range(1, 5)]
    assert outs == pytest.approx([5.0, 7.5, 8.75, 9.375], abs=1e-12)


def test_beta_zero_first_step_at_1hz_30fps():
    # alpha = 1/(1 + (1/(2*pi)) / (1/30)) = 2*pi/(2*pi+30) = 0.1731707 -> a unit step gives 0.1731707
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
    f(np.array(0.0), 0.0)
    assert f(np.array(1.0), 1 / 30) == pytest.approx(0.1731707, abs=1e-7)


def test_beta_zero_step_matches_closed_form():
    # First-order low-pass step response: y[n] = 100 * (1 - (1 - a)^n), a = 0.1731707.
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
    f(np.array(0.0), 0.0)
    for n in range(1, 31):
        y = f(np.array(100.0), n / 30)
        assert y == pytest.approx(100 * (1 - (1 - A_1HZ_30FPS) ** n), rel=1e-9)
    # after 1 s (30 frames): 100 * (1 - 0.8268293^30) = 100 * (1 - 0.003330) = 99.667
    assert y == pytest.approx(99.667, abs=2e-3)


def test_beta_speeds_up_the_cutoff_by_hand():
    # min_cutoff = d_cutoff = 1/(2*pi), dt = 1 -> a_d = 1/2; beta = 1/(5*pi).
    # Step 0 -> 10:  dx = 10, dx_hat = 0.5*10 + 0.5*0 = 5, fc = 1/(2pi) + 5/(5pi) = 3/(2pi) -> alpha = 3/4
    #                -> 0.75 * 10 = 7.5
    # Next, x = 10:  dx = 2.5, dx_hat = 0.5*2.5 + 0.5*5 = 3.75, fc = (1 + 1.5)/(2pi) -> tau = 0.4,
    #                alpha = 1/1.4 = 5/7 -> 5/7*10 + 2/7*7.5 = 65/7 = 9.2857
    f = lowpass(beta=1 / (5 * math.pi))
    f(np.array(0.0), 0.0)
    assert f(np.array(10.0), 1.0) == pytest.approx(7.5, abs=1e-12)
    assert f(np.array(10.0), 2.0) == pytest.approx(65 / 7, abs=1e-12)


def test_elements_are_filtered_independently():
    # Same hand numbers as above, per element: a still element is untouched, a moving one is smoothed.
    f = lowpass()
    f(np.array([[0.0, 3.0], [0.0, -1.0]]), 0.0)
    out = f(np.array([[10.0, 3.0], [-4.0, -1.0]]), 1.0)
    np.testing.assert_allclose(out, [[5.0, 3.0], [-2.0, -1.0]], atol=1e-12)


def test_constant_input_stays_constant_to_rounding():
    f = OneEuroFilter(min_cutoff_hz=1.5, beta=0.05, d_cutoff_hz=1.0, max_gap_s=0.3)
    c = np.array([0.0, 0.1, 0.7, 123.456, 640 * 0.4137, -5e3])
    for n in range(300):
        out = f(c, n / 30)
    np.testing.assert_allclose(out, c, rtol=1e-13, atol=0)
    # zero is exact: a*0 + (1-a)*0 = 0
    assert out[0] == 0.0


def test_constant_input_stays_exactly_constant():
    f = OneEuroFilter(min_cutoff_hz=1.5, beta=0.05, d_cutoff_hz=1.0, max_gap_s=0.3)
    c = np.array([0.1, 0.7, 123.456, 640 * 0.4137])
    for n in range(200):
        np.testing.assert_array_equal(f(c, n / 30), c)


def test_step_input_converges_monotonically_without_overshoot():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.05, d_cutoff_hz=1.0, max_gap_s=0.3)
    outs = [float(f(np.array(0.0), n / 30)) for n in range(10)]
    outs += [float(f(np.array(100.0), n / 30)) for n in range(10, 100)]
    outs = np.array(outs)
    assert (outs[:10] == 0.0).all()
    assert 0.0 < outs[10] < 100.0
    assert (np.diff(outs) >= 0).all()
    assert (outs <= 100.0).all()
    # beta = 0 alone leaves 100 * 0.8268293^89 = 4.5e-6 after 89 frames; beta > 0 only raises alpha.
    assert outs[-1] == pytest.approx(100.0, abs=1e-4)


def test_gap_longer_than_max_gap_resets():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
    f(np.array([0.0, 0.0]), 0.0)
    f(np.array([0.0, 0.0]), 1 / 30)
    # 0.5 s later (> 0.3 s): the new value is taken as is
    out = f(np.array([5.0, -7.0]), 1 / 30 + 0.5)
    np.testing.assert_array_equal(out, [5.0, -7.0])
    # and the filter runs on from there: alpha(1 Hz, 1/30 s) = 0.1731707 toward 15
    out = f(np.array([15.0, -7.0]), 1 / 30 + 0.5 + 1 / 30)
    np.testing.assert_allclose(out, [5.0 + 10.0 * A_1HZ_30FPS, -7.0], rtol=1e-12)


def test_gap_shorter_than_max_gap_is_bridged():
    # dt = 0.2 s (< 0.3 s): alpha = 1/(1 + 1/(2*pi*0.2)) = 1/(1 + 0.7957747) = 0.5568627 -> 5 * that = 2.7843136
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
    f(np.array(0.0), 0.0)
    assert f(np.array(5.0), 0.2) == pytest.approx(2.7843136, abs=1e-6)


def test_non_increasing_time_restarts():
    f = lowpass()
    f(np.array(0.0), 1.0)
    assert f(np.array(10.0), 1.0) == 10.0  # same timestamp: no dt to filter with
    assert f(np.array(20.0), 0.5) == 20.0  # time went backward


def test_many_frames_at_once_equal_the_same_frames_one_by_one():
    """``run`` carries the filter's state from call to call as single frames do: a noisy path with
    a gap and a NaN filtered in three uneven blocks equals it filtered frame by frame, bit for bit."""
    rng = np.random.default_rng(7)
    t = np.concatenate([np.arange(40) / 30.0, 2.0 + np.arange(30) / 30.0])  # a 0.7 s gap resets it
    x = np.cumsum(rng.normal(size=(70, 3, 2)), axis=0)
    x[50, 1] = NAN
    one = lowpass(beta=0.05, max_gap_s=0.3)
    by_frame = np.array([one(x[i], float(t[i])) for i in range(70)])
    blocks = lowpass(beta=0.05, max_gap_s=0.3)
    at_once = np.concatenate([blocks.run(x[a:b], t[a:b]) for a, b in ((0, 1), (1, 45), (45, 70))])
    assert np.array_equal(by_frame, at_once, equal_nan=True)
    assert np.array_equal(at_once[40], x[40])  # after the gap: the measurement itself
    assert np.isnan(at_once[50, 1]).all() and np.array_equal(at_once[51, 1], x[51, 1])  # NaN, then a restart


def test_reset_forgets_state():
    f = lowpass()
    f(np.array(0.0), 0.0)
    f.reset()
    assert f(np.array(8.0), 1.0) == 8.0


def test_nan_landmark_restarts_from_its_new_value():
    # alpha = 1/2 throughout (beta = 0, dt = 1).
    f = lowpass()
    np.testing.assert_array_equal(f(np.array([0.0, 0.0]), 0.0), [0.0, 0.0])
    out = f(np.array([NAN, 10.0]), 1.0)  # landmark 0 lost, landmark 1 filtered: 0.5*10 = 5
    assert np.isnan(out[0]) and out[1] == pytest.approx(5.0)
    out = f(np.array([NAN, 10.0]), 2.0)  # still lost: 0.5*10 + 0.5*5 = 7.5
    assert np.isnan(out[0]) and out[1] == pytest.approx(7.5)
    out = f(np.array([7.0, 10.0]), 3.0)  # back: restarts at exactly 7; landmark 1 -> 8.75
    assert out[0] == 7.0 and out[1] == pytest.approx(8.75)
    out = f(np.array([9.0, 10.0]), 4.0)  # filtered again from 7: 0.5*9 + 0.5*7 = 8
    assert out[0] == pytest.approx(8.0) and out[1] == pytest.approx(9.375)


def test_nan_frame_stays_nan_and_restarts_without_warnings():
    f = OneEuroFilter(min_cutoff_hz=1.5, beta=0.05, d_cutoff_hz=1.0, max_gap_s=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f(np.array([1.0, 2.0]), 0.0)
        assert np.isnan(f(np.array([NAN, NAN]), 1 / 30)).all()
        assert np.isnan(f(np.array([NAN, NAN]), 2 / 30)).all()
        np.testing.assert_array_equal(f(np.array([4.0, -3.0]), 3 / 30), [4.0, -3.0])


# ------------------------------------------------------------------------- one_euro / zero phase


def _bump(fps: float = 30.0, n: int = 121, centre_s: float = 2.0, sigma_s: float = 0.4):
    t = np.arange(n) / fps
    return t, 100.0 * np.exp(-0.5 * ((t - centre_s) / sigma_s) ** 2)  # peak at index 60 (t = 2.0 s)


@pytest.mark.parametrize(("fc", "beta"), [(1.5, 0.05), (1.0, 0.0), (0.5, 0.0)])
def test_zero_phase_has_no_lag_at_a_symmetric_peak(fc, beta):
    t, bump = _bump()
    assert int(np.argmax(bump)) == 60  # the input's peak, by construction
    params = dict(min_cutoff_hz=fc, beta=beta, d_cutoff_hz=1.0, max_gap_s=0.3)
    causal = one_euro(bump, t, **params)
    zp = zero_phase_one_euro(bump, t, **params)
    assert int(np.argmax(zp)) == 60
    assert int(np.argmax(causal)) > 60  # the causal filter lags
    # a symmetric input gives a symmetric output
    np.testing.assert_allclose(zp, zp[::-1], atol=1e-9)


def test_causal_lag_grows_with_heavier_smoothing():
    # Low-pass group delay ~ tau = 1/(2*pi*fc): 0.16 s (~5 frames) at 1 Hz, 0.32 s (~10 frames) at 0.5 Hz.
    t, bump = _bump()
    lag = {}
    for fc in (1.0, 0.5):
        out = one_euro(bump, t, min_cutoff_hz=fc, beta=0.0, d_cutoff_hz=1.0, max_gap_s=0.3)
        lag[fc] = int(np.argmax(out)) - 60
    assert 2 <= lag[1.0] <= 6
    assert lag[0.5] > lag[1.0]


def test_zero_phase_constant_and_empty():
    t = np.arange(50) / 30
    vals = np.full((50, 3, 2), 42.0)
    out = zero_phase_one_euro(vals, t, min_cutoff_hz=1.5, beta=0.05, d_cutoff_hz=1.0, max_gap_s=0.3)
    assert out.shape == (50, 3, 2)
    np.testing.assert_allclose(out, 42.0, rtol=1e-13)
    empty = zero_phase_one_euro(np.empty((0, 33, 3)), np.empty(0), min_cutoff_hz=1.5, beta=0.05,
                                d_cutoff_hz=1.0, max_gap_s=0.3)
    assert empty.shape == (0, 33, 3)


def test_zero_phase_by_hand_three_samples():
    # alpha = 1/2 (fc = 1/(2*pi), dt = 1, beta = 0). Input [0, 8, 0]:
    #   forward  : 0, 0.5*8 = 4, 0.5*0 + 0.5*4 = 2
    #   backward (run on [0, 8, 0] reversed = [0, 8, 0]): 0, 4, 2 -> reversed back: 2, 4, 0
    #   average  : 1, 4, 1
    out = zero_phase_one_euro(np.array([0.0, 8.0, 0.0]), np.array([0.0, 1.0, 2.0]), min_cutoff_hz=FC_HALF,
                              beta=0.0, d_cutoff_hz=FC_HALF, max_gap_s=10.0)
    np.testing.assert_allclose(out, [1.0, 4.0, 1.0], atol=1e-12)


def test_zero_phase_nonuniform_and_offset_timestamps():
    # The backward pass re-times t as (t[-1] - t[::-1]) + t[0]; with t = [10, 11, 13] it must run on [10, 12, 13]
    # and give the same answer as if the reversed samples had those gaps.
    # alpha(dt=1) = 1/2, alpha(dt=2) = 1/(1 + 1/2) = 2/3.  Input [0, 6, 0]:
    #   forward : 0, 0.5*6 = 3, (dt=2) 2/3*0 + 1/3*3 = 1
    #   backward: samples [0, 6, 0] with gaps 2 then 1: 0, (dt=2) 2/3*6 = 4, (dt=1) 0.5*0 + 0.5*4 = 2
    #             -> reversed back: 2, 4, 0
    #   average : 1, 3.5, 0.5
    out = zero_phase_one_euro(np.array([0.0, 6.0, 0.0]), np.array([10.0, 11.0, 13.0]), min_cutoff_hz=FC_HALF,
                              beta=0.0, d_cutoff_hz=FC_HALF, max_gap_s=10.0)
    np.testing.assert_allclose(out, [1.0, 3.5, 0.5], atol=1e-12)


# ------------------------------------------------------------------------------- smooth_series


def _static_noisy_series(n: int = 600, noise_px: float = 2.0, seed: int = 7, size=(640, 480),
                         with_world: bool = False) -> tuple[PoseSeries, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 30.0
    base = rng.uniform(0.2, 0.8, size=(33, 2))
    w, h = size
    lm = np.empty((n, 33, 4))
    lm[:, :, 0] = base[:, 0] + rng.normal(0, noise_px / w, size=(n, 33))  # noise_px pixels in x and y
    lm[:, :, 1] = base[:, 1] + rng.normal(0, noise_px / h, size=(n, 33))
    lm[:, :, 2] = 0.0
    lm[:, :, 3] = rng.uniform(0.0, 1.0, size=(n, 33))
    world_base = rng.uniform(-0.5, 0.5, size=(33, 3))
    world = world_base + rng.normal(0, 0.01, size=(n, 33, 3)) if with_world else None
    return PoseSeries.from_landmarks(lm, t, size, world=world), base * np.array(size, float), world_base


def _noise_ratio(smoothed: PoseSeries, raw: PoseSeries, base_px: np.ndarray, edge: int = 30) -> float:
    before = raw.pixels[edge:-edge] - base_px
    after = smoothed.pixels[edge:-edge] - base_px
    return float(np.std(after) / np.std(before))


def test_smooth_series_causal_noise_matches_first_order_theory():
    # beta = 0, fc = 1 Hz, 30 fps: a = 0.1731707, std kept = sqrt(a/(2-a)) = sqrt(0.0947931) = 0.30788
    raw, base_px, _ = _static_noisy_series()
    out = smooth_series(raw, **(SMOOTHING | dict(min_cutoff_hz=1.0, beta=0.0, zero_phase=False)))
    assert _noise_ratio(out, raw, base_px) == pytest.approx(0.30788, rel=0.06)


def test_smooth_series_zero_phase_reduces_white_noise_by_a_large_factor():
    # Forward and backward outputs share only the current sample (weight a each): cov = a^2 * var.
    # Kept variance = (2 * a/(2-a) + 2 * a^2) / 4 = (0.0947931 + 0.0299881) / 2 = 0.0623906 -> std 0.24978 (4x less).
    raw, base_px, _ = _static_noisy_series()
    out = smooth_series(raw, **(SMOOTHING | dict(min_cutoff_hz=1.0, beta=0.0)))
    ratio = _noise_ratio(out, raw, base_px)
    assert ratio == pytest.approx(0.24978, rel=0.06)
    assert ratio < 1 / 3.5


def test_smooth_series_default_parameters_still_halve_jitter():
    raw, base_px, _ = _static_noisy_series()
    assert _noise_ratio(smooth_series(raw, **SMOOTHING), raw, base_px) < 0.5


def test_smooth_series_smooths_world_landmarks_in_metres():
    # beta = 0: the mm scaling does not matter and the same 0.24978 ratio applies to world noise.
    raw, _, world_base = _static_noisy_series(with_world=True)
    out = smooth_series(raw, **(SMOOTHING | dict(min_cutoff_hz=1.0, beta=0.0)))
    before = np.std(raw.world[30:-30] - world_base)
    after = np.std(out.world[30:-30] - world_base)
    assert before == pytest.approx(0.01, rel=0.05)
    assert after / before == pytest.approx(0.24978, rel=0.06)


def test_smooth_series_keeps_nan_frames_nan_and_visibility_unchanged():
    raw, _, _ = _static_noisy_series(n=200)
    image = raw.image.copy()
    image[100:105] = np.nan  # nobody in frames 100-104
    image[50:60, 0] = np.nan  # the nose lost for 10 frames
    series = PoseSeries.from_landmarks(image, raw.t, raw.image_size)
    before = series.image.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = smooth_series(series, **SMOOTHING)
    # NaN stays NaN, numbers stay numbers
    np.testing.assert_array_equal(np.isnan(out.image), np.isnan(series.image))
    assert np.isnan(out.image[100:105]).all()
    assert not out.detected[100:105].any() and out.detected[:100].all() and out.detected[105:].all()
    assert np.isnan(out.image[50:60, 0, :3]).all()
    assert np.isfinite(out.image[50:60, 1:, :3]).all()
    # visibility bit for bit, NaN where it was NaN
    np.testing.assert_array_equal(out.image[:, :, 3], series.image[:, :, 3])
    np.testing.assert_array_equal(out.visibility, series.visibility)
    # everything else carried over, and the input is not modified
    np.testing.assert_array_equal(out.t, series.t)
    assert out.image_size == series.image_size and out.source == series.source
    np.testing.assert_array_equal(series.image, before)
    assert np.isnan(out.world).all()  # no world landmarks given: still none


def test_smooth_series_frames_right_after_a_gap_restart_at_the_measurement():
    # Causal pass only: the first frame after a NaN frame equals its input exactly (restart, no bridging).
    raw, _, _ = _static_noisy_series(n=60)
    image = raw.image.copy()
    image[30] = np.nan
    series = PoseSeries.from_landmarks(image, raw.t, raw.image_size)
    out = smooth_series(series, **(SMOOTHING | dict(zero_phase=False)))
    np.testing.assert_allclose(out.image[31], series.image[31], rtol=1e-12)
    assert not np.allclose(out.image[29, :, :2], series.image[29, :, :2], rtol=1e-6, atol=0)


def test_smooth_series_is_resolution_independent():
    # The same pixel trajectory in a 640x480 and a 1280x960 frame gives the same smoothed pixels (beta acts in px).
    t = np.arange(90) / 30.0
    px = np.zeros((90, 33, 2))
    px[:, :, 0] = 200 + 150 * np.sin(2 * np.pi * 0.5 * t)[:, None] + np.arange(33)  # a 0.5 Hz sway
    px[:, :, 1] = 300.0
    small = PoseSeries.from_landmarks(px / np.array([640.0, 480.0]), t, (640, 480))
    large = PoseSeries.from_landmarks(px / np.array([1280.0, 960.0]), t, (1280, 960))
    a = smooth_series(small, **(SMOOTHING | dict(beta=0.5)))
    b = smooth_series(large, **(SMOOTHING | dict(beta=0.5)))
    np.testing.assert_allclose(a.pixels, b.pixels, rtol=1e-9)
    assert not np.allclose(a.pixels, small.pixels)  # it did smooth something


def test_smooth_series_empty_series():
    s = PoseSeries.empty((640, 480))
    out = smooth_series(s, **SMOOTHING)
    assert len(out) == 0
