"""Time-series plots as inline SVG: no plotting library, no fonts or scripts to fetch, prints sharp.

One function, ``line_plot``: lines (NaN breaks a line), shaded bands (reps), vertical markers
(the bottom of each rep) and dashed horizontal thresholds, with labelled axes and a legend. The
time axis is in seconds unless the caller labels it and places its ticks (the progress page's dates).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np


@dataclass(frozen=True)
class Line:
    label: str
    values: np.ndarray
    colour: str
    dots: bool = False  # a point per value, joined across NaN (a per-step series on a shared time axis)


@dataclass(frozen=True)
class Band:
    start: float
    end: float
    colour: str
    label: str = ""


@dataclass(frozen=True)
class Threshold:
    value: float
    label: str
    colour: str = "#c0392b"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _polylines(t: np.ndarray, v: np.ndarray, x, y) -> list[str]:
    """Point lists of the finite runs of ``v`` (a NaN gap breaks the line)."""
    runs, current = [], []
    for ti, vi in zip(t, v, strict=True):
        if math.isfinite(vi):
            current.append(f"{x(ti):.1f},{y(vi):.1f}")
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [" ".join(r) for r in runs if len(r) > 1]


def line_plot(title: str, t: np.ndarray, lines: list[Line], y_label: str, bands: list[Band] = (),
              markers: list[float] = (), thresholds: list[Threshold] = (), width: int = 900,
              height: int = 240, empty_note: str = "not measurable from this view",
              y_range: tuple[float, float] | None = None, x_label: str = "time (s)",
              x_ticks: Sequence[tuple[float, str]] | None = None, x_range: tuple[float, float] | None = None) -> str:
    """An SVG element (string). ``t`` in seconds; every line's values share it.

    ``y_range`` fixes the value axis; lines are clipped to it (a landmark glitch's spike would
    otherwise flatten everything else). ``x_range``, ``x_ticks`` ((value, label) pairs) and
    ``x_label`` replace the time axis's own span, numbered ticks and label (another unit on it).
    """
    left, right, top, bottom = 52, 12, 26, 34
    pw, ph = width - left - right, height - top - bottom
    t = np.asarray(t, float)
    finite = [v[np.isfinite(v)] for v in (np.asarray(ln.values, float) for ln in lines)]
    pool = np.concatenate(finite + [np.array([th.value for th in thresholds], float)]) if finite else np.array([])
    has_data = any(len(f) for f in finite)
    lo, hi = (float(np.min(pool)), float(np.max(pool))) if len(pool) else (0.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = (hi - lo) * 0.08
    lo, hi = (lo - pad, hi + pad) if y_range is None else y_range
    t0, t1 = x_range or ((float(t[0]), float(t[-1])) if len(t) > 1 else (0.0, 1.0))
    t1 = t1 if t1 > t0 else t0 + 1.0

    def x(v: float) -> float:
        return left + (v - t0) / (t1 - t0) * pw

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * ph

    clip = "clip-" + hashlib.sha1(title.encode()).hexdigest()[:10]  # stable: the same report, the same page
    out = [f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(title)}">',
           f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{pw}" height="{ph}"/></clipPath>',
           f'<text x="{left}" y="16" class="plot-title">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#bbb"/>']
    for b in bands:
        out.append(f'<rect x="{x(b.start):.1f}" y="{top}" width="{max(x(b.end) - x(b.start), 1):.1f}" '
                   f'height="{ph}" fill="{b.colour}" opacity="0.18"><title>{escape(b.label)}</title></rect>')
    step = _nice_step(hi - lo)
    for k in range(math.ceil(lo / step), math.floor(hi / step) + 1):
        v = k * step
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" class="tick" text-anchor="end">{v:g}</text>')
    if x_ticks is None:
        tstep = _nice_step(t1 - t0, 10)
        x_ticks = [(k * tstep, f"{k * tstep:g}") for k in range(math.ceil(t0 / tstep), math.floor(t1 / tstep) + 1)]
    for v, label in x_ticks:
        out.append(f'<text x="{x(v):.1f}" y="{top + ph + 14}" class="tick" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 4}" class="tick" text-anchor="middle">{escape(x_label)}</text>'
               f'<text x="12" y="{top + ph / 2}" class="tick" text-anchor="middle" '
               f'transform="rotate(-90 12 {top + ph / 2})">{escape(y_label)}</text>')
    for m in markers:
        out.append(f'<line x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{top}" y2="{top + ph}" stroke="#555" '
                   f'stroke-width="1" stroke-dasharray="2 3" class="bottom-marker"/>')
    for th in thresholds:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(th.value):.1f}" y2="{y(th.value):.1f}" '
                   f'stroke="{th.colour}" stroke-width="1.5" stroke-dasharray="7 4" class="threshold"/>'
                   f'<text x="{left + pw - 4}" y="{y(th.value) - 4:.1f}" class="tick" text-anchor="end" '
                   f'fill="{th.colour}">{escape(th.label)}</text>')
    for ln in lines:
        values = np.asarray(ln.values, float)
        if ln.dots:
            seen = np.isfinite(values)
            t_ln, values = t[seen], values[seen]
            out += [f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3.5" fill="{ln.colour}" class="dot"/>'
                    for a, b in zip(t_ln, values, strict=True)]
        else:
            t_ln = t
        for pts in _polylines(t_ln, values, x, y):
            out.append(f'<polyline points="{pts}" fill="none" stroke="{ln.colour}" stroke-width="1.8" '
                       f'clip-path="url(#{clip})"/>')
    lx = left + 8
    for ln in lines:
        out.append(f'<rect x="{lx}" y="{top + 6}" width="14" height="4" fill="{ln.colour}"/>'
                   f'<text x="{lx + 18}" y="{top + 12}" class="tick">{escape(ln.label)}</text>')
        lx += 26 + 7 * len(ln.label)
    if not has_data:
        out.append(f'<text x="{left + pw / 2}" y="{top + ph / 2}" class="plot-empty" text-anchor="middle">'
                   f'{escape(empty_note)}</text>')
    out.append("</svg>")
    return "\n".join(out)
