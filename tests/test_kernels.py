"""The loops of ``kernels``: the numpy ones (offline analyses) and the compiled ones (live mode)
give the same results to the last bit, so which ran never changes a report."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck import compiled_kernels, kernels


def _euro(loops, x: np.ndarray, t: np.ndarray, blocks: tuple[int, ...]) -> np.ndarray:
    """``x`` filtered by ``loops`` in consecutive blocks of frames, the state carried between them."""
    d = x.shape[1]
    state = np.empty(d), np.zeros(d), np.full(1, np.nan)
    out = np.empty_like(x)
    bounds = (0, *blocks, len(x))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        loops(x[a:b], t[a:b], 1.2, 0.05, 1.0, 0.3, *state, out[a:b])
    return out


@pytest.mark.parametrize("seed", range(8))
def test_the_compiled_one_euro_is_the_numpy_one_bit_for_bit(seed):
    """Random walks with gaps (> 0.3 s: a restart), a repeated time (a restart), missing values and
    whole missing frames, filtered in uneven blocks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    t = np.cumsum(rng.choice([1 / 30, 1 / 60, 0.5, 0.0], size=n, p=[0.8, 0.14, 0.03, 0.03]))
    x = np.cumsum(rng.normal(scale=10 ** rng.uniform(-2, 2), size=(n, 7)), axis=0)
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(n) < 0.03] = np.nan
    blocks = tuple(sorted(set(rng.integers(1, n, size=3).tolist())))
    reference = _euro(kernels._numpy_one_euro_steps, x, t, blocks)
    compiled = _euro(compiled_kernels.one_euro_steps, x, t, blocks)
    assert np.array_equal(reference, compiled, equal_nan=True)
    assert not np.isnan(reference).all()


@pytest.mark.parametrize("seed", range(8))
def test_the_compiled_rolling_quantile_is_the_numpy_one_bit_for_bit(seed):
    """Windows longer and shorter than the series, odd and even, any percentile, NaN runs, ties
    (rounded values) and infinities."""
    rng = np.random.default_rng(100 + seed)
    for _ in range(40):
        n, window = int(rng.integers(1, 250)), int(rng.integers(2, 300))
        q = float(rng.choice([0.0, 10.0, 50.0, 90.0, 100.0, rng.uniform(0, 100)]))
        values = rng.normal(size=(n, int(rng.integers(1, 4)))) * 10 ** rng.uniform(-3, 3)
        if rng.random() < 0.3:
            values = np.round(values)
        values[rng.random(values.shape) < rng.uniform(0, 0.6)] = np.nan
        values[rng.random(values.shape) < 0.01] = np.inf
        reference = kernels._numpy_rolling_quantile_columns(values, window, q, np.empty_like(values))
        compiled = compiled_kernels.rolling_quantile_columns(values, window, q, np.empty_like(values))
        assert np.array_equal(reference, compiled, equal_nan=True), (n, window, q)


def test_use_compiled_switches_the_process_and_says_false_without_numba(monkeypatch, caplog):
    """Where numba cannot be loaded the numpy loops stay, with one warning; once loaded, the public
    functions run the compiled ones."""
    def no_compiler() -> None:
        raise RuntimeError("numba: no compiler for this platform")

    monkeypatch.setattr(kernels, "_compiled", None)
    monkeypatch.setattr(compiled_kernels, "warm_up", no_compiler)
    assert kernels.use_compiled() is False and kernels._compiled is None
    assert "could not be loaded (numba: no compiler" in caplog.text
    monkeypatch.undo()
    monkeypatch.setattr(kernels, "_compiled", None)
    assert kernels.use_compiled() is True and kernels._compiled is compiled_kernels
    x = np.arange(6, dtype=float).reshape(3, 2)
    assert np.array_equal(kernels.rolling_quantile_columns(x, 3, 50.0, np.empty_like(x)), [[1, 2], [2, 3], [3, 4]])
