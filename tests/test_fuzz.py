"""Fuzzing with hypothesis, bounded in time: the geometry core and the analysis never raise on
NaN, inf, zeros or degenerate skeletons, and never turn a missing value into a number."""

from __future__ import annotations

import json
import warnings

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conftest import assert_valid_report
from formcheck import geometry as g
from formcheck.api import analyze_landmarks

ANY_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                      st.sampled_from([0.0, -0.0, 1e-300, 1e300, np.nan, np.inf, -np.inf]))
POINTS = arrays(np.float64, st.tuples(st.integers(1, 6), st.just(2)), elements=ANY_FLOAT)
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _angle_ok(x: np.ndarray, lo: float, hi: float) -> bool:
    x = np.asarray(x, float)
    return bool(np.all(np.isnan(x) | ((x >= lo - 1e-9) & (x <= hi + 1e-9))))


@FAST
@given(POINTS, POINTS, POINTS)
def test_joint_angles_are_in_range_or_nan(a, b, c):
    n = min(len(a), len(b), len(c))
    a, b, c = a[:n], b[:n], c[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 1e300 px overflows to inf on the way: a warning, never an exception
        assert _angle_ok(g.joint_angle_deg(a, b, c), 0.0, 180.0)
        assert _angle_ok(g.flexion_deg(a, b, c), 0.0, 180.0)
        assert _angle_ok(g.tilt_from_vertical_deg(a, b), -180.0, 180.0)
        assert _angle_ok(g.tilt_from_horizontal_deg(a, b), -90.0, 90.0)
        assert _angle_ok(g.fppa_equivalent_deg(g.offset_from_line_x(a, b, c), g.distance(b, c)), -180.0, 180.0)
        missing = np.isnan(a).any(-1) | np.isnan(b).any(-1) | np.isnan(c).any(-1)
        assert np.all(np.isnan(g.flexion_deg(a, b, c))[missing])  # NaN in, NaN out


@FAST
@given(arrays(np.float64, st.integers(0, 40), elements=ANY_FLOAT), st.integers(1, 9), st.floats(0, 100))
@example(np.array([8.98846567e307] * 2), 1, 0.0)  # found in CI: averaging two near-limit values overflowed
@example(np.array([-9e307, 9e307]), 2, 50.0)
@example(np.array([np.inf, -np.inf]), 1, 0.0)
def test_rolling_quantile_and_median_never_raise(values, window, q):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the NaN-aware helpers stay silent on all-NaN input
        out = g.rolling_quantile(values, window, q)
        assert out.shape == values.shape
        g.nan_median(values)


SKELETONS = arrays(np.float64, st.tuples(st.integers(1, 40), st.just(33), st.just(4)),
                   elements=st.one_of(st.floats(-0.5, 1.5), st.just(np.nan), st.just(0.0), st.just(1.0)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SKELETONS, st.sampled_from(["reverse-lunge", "reverse-walk"]))
@example(np.zeros((1, 33, 4)), "reverse-walk")  # found by this test: one frame has no frame interval
def test_analysis_of_degenerate_skeletons_never_raises(landmarks, exercise):
    t = np.arange(len(landmarks)) / 30.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy may warn on empty slices; what matters is no exception
        result = analyze_landmarks(landmarks, t, (640, 480), exercise=exercise)
    json.dumps(result.to_dict(), allow_nan=False)  # strict JSON: no NaN or inf leaks into the report
    assert_valid_report(result.to_dict(), f"the {exercise} report of a degenerate skeleton")
    assert all(r.rep.complete in (True, False) for r in result.reps)
