"""The overlay drawn on frames: skeleton, knee angles, reps per leg and set, the cue in large type.

Live mode's window, the annotated video and the report's thumbnails all draw with it. Sizes scale
with the frame height; the cue and the rep counter are big enough to read from 3 m on a laptop
screen. Drawing costs about a millisecond per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from .series import SKELETON_EDGES
from .series import Landmark as L

WHITE, BLACK, GREEN, YELLOW, CYAN = (255, 255, 255), (0, 0, 0), (80, 220, 80), (0, 215, 255), (255, 220, 120)
BONE = (255, 200, 40)  # BGR: light blue skeleton, visible on skin, walls and floors alike
FONT = cv2.FONT_HERSHEY_DUPLEX
KNEES = {"left": L.LEFT_KNEE, "right": L.RIGHT_KNEE}


@dataclass
class HudState:
    counts: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    set_number: int = 1
    unit: str = "set"  # what the line under the counter says: "set 2", or for a walk "steps" (counts are steps)
    knees_deg: dict[str, float] = field(default_factory=dict)
    cue: str = ""
    hint: str = ""
    calibrated: bool = False
    paused: bool = False
    fps: float = 0.0


def _text_box(img: np.ndarray, text: str, center_x: int, y: int, scale: float, colour, thickness: int,
              max_width: int) -> None:
    """Text centred at ``center_x`` with its baseline at ``y``, on a dark box, shrunk to fit ``max_width``."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    if w > max_width:
        scale *= max_width / w
        (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x = int(center_x - w / 2)
    pad = max(4, int(h * 0.35))
    overlay = img.copy()
    cv2.rectangle(overlay, (x - pad, y - h - pad), (x + w + pad, y + base + pad), BLACK, -1)
    cv2.addWeighted(overlay, 0.6, img, 0.4, 0, dst=img)
    cv2.putText(img, text, (x, y), FONT, scale, colour, thickness, cv2.LINE_AA)


def draw_skeleton(img: np.ndarray, image_lm: np.ndarray, min_visibility: float) -> None:
    """Bones between landmarks the model sees (``image_lm``: (33, 4) normalised)."""
    if np.isnan(image_lm[:, 0]).all():
        return
    h, w = img.shape[:2]
    pts = np.nan_to_num(image_lm[:, :2] * (w, h)).astype(int)
    seen = np.nan_to_num(image_lm[:, 3]) >= min_visibility
    width = max(2, h // 160)
    for a, b in SKELETON_EDGES:
        if seen[a] and seen[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), BONE, width, cv2.LINE_AA)
    for i in np.flatnonzero(seen[11:]) + 11:
        cv2.circle(img, tuple(pts[i]), width + 1, WHITE, -1, cv2.LINE_AA)


def draw_hud(img: np.ndarray, image_lm: np.ndarray, state: HudState, min_visibility: float) -> np.ndarray:
    """Draw everything onto ``img`` (in place) and return it."""
    h, w = img.shape[:2]
    s = h / 480.0
    draw_skeleton(img, image_lm, min_visibility)
    for side, j in KNEES.items():  # left knee's label to its right, right knee's to its left: never on top
        angle = state.knees_deg.get(side, math.nan)
        if not (math.isnan(angle) or np.isnan(image_lm[j, 0])):
            text = f"{side[0].upper()} {angle:.0f}"
            (tw, _), _ = cv2.getTextSize(text, FONT, 0.7 * s, max(1, int(2 * s)))
            x = int(image_lm[j, 0] * w) + (int(12 * s) if side == "left" else -int(12 * s) - tw)
            y = int(image_lm[j, 1] * h)
            cv2.putText(img, text, (x, y), FONT, 0.7 * s, BLACK, int(4 * s) + 1, cv2.LINE_AA)
            cv2.putText(img, text, (x, y), FONT, 0.7 * s, CYAN, max(1, int(2 * s)), cv2.LINE_AA)
    counter = f"L {state.counts.get('left', 0)}   R {state.counts.get('right', 0)}"
    _text_box(img, counter, int(w * 0.22), int(52 * s), 1.5 * s, WHITE, max(2, int(3 * s)), int(w * 0.42))
    below = f"set {state.set_number}" if state.unit == "set" else f"{sum(state.counts.values())} {state.unit}"
    _text_box(img, below, int(w * 0.22), int(92 * s), 0.8 * s, WHITE, max(1, int(2 * s)),
              int(w * 0.42))
    if state.fps:
        cv2.putText(img, f"{state.fps:.0f} fps", (w - int(95 * s), h - int(10 * s)), FONT, 0.5 * s, WHITE, 1,
                    cv2.LINE_AA)
    if state.hint:
        _text_box(img, state.hint, w // 2, int(140 * s), 0.9 * s, YELLOW, max(1, int(2 * s)), int(w * 0.92))
    if state.cue:
        _text_box(img, state.cue, w // 2, h - int(40 * s), 1.3 * s, GREEN, max(2, int(3 * s)), int(w * 0.94))
    if state.paused:
        _text_box(img, "PAUSED  (space resumes)", w // 2, h // 2, 1.2 * s, YELLOW, max(2, int(3 * s)), int(w * 0.9))
    return img
