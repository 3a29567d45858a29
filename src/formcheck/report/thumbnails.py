"""Each rep's bottom frame with the skeleton drawn and the faulty joint or segment in red.

Frames come from the analysed video, decoded once in order (seeking is unreliable in some
codecs) and matched by timestamp; a session with no video (a camera) gets the skeleton on a
plain background, drawn from the landmarks the report keeps for each rep's bottom.
"""

from __future__ import annotations

import base64
import os

import cv2
import numpy as np

from ..errors import FormcheckError
from ..overlay import draw_skeleton
from ..series import Landmark as L
from ..sources import open_video, read_frames

THUMB_HEIGHT = 260
FAULT = (40, 40, 230)  # BGR red
_LEG = {side: (getattr(L, f"{side.upper()}_HIP"), getattr(L, f"{side.upper()}_KNEE"),
               getattr(L, f"{side.upper()}_ANKLE"), getattr(L, f"{side.upper()}_HEEL"),
               getattr(L, f"{side.upper()}_FOOT_INDEX")) for side in ("left", "right")}


def fault_segments(code: str, side: str) -> list[tuple[int, int]]:
    """The bones to paint red for a mistake code on a side ("left", "right" or "none")."""
    sides = [side] if side in _LEG else list(_LEG)
    segments: list[tuple[int, int]] = []
    for s in sides:
        hip, knee, ankle, heel, toe = _LEG[s]
        if code in ("knee_past_toes", "knee_caving_in", "depth_short"):
            segments += [(hip, knee), (knee, ankle)]
        elif code in ("stance_too_narrow", "stance_too_wide", "step_too_short", "step_too_long",
                      "step_crosses_midline", "stepped_forward", "back_heel_down"):
            segments += [(ankle, heel), (heel, toe), (ankle, toe)]
    if code in ("trunk_lean_forward", "trunk_lean_side"):
        segments += [(L.LEFT_SHOULDER, L.LEFT_HIP), (L.RIGHT_SHOULDER, L.RIGHT_HIP)]
    if code in ("hip_drop", "hips_rotated"):
        segments += [(L.LEFT_HIP, L.RIGHT_HIP)]
    return segments


def draw_faults(img: np.ndarray, pose: np.ndarray, mistakes: list[dict], min_visibility: float) -> np.ndarray:
    """Skeleton plus the faulty bones of ``mistakes`` (report dicts with code and side), in red.

    ``pose``: (33, 4) normalised landmarks. A faulty bone is drawn even where the model marks it
    hidden (the far leg from the side): the mistake was measured on it.
    """
    draw_skeleton(img, pose, min_visibility)
    h, w = img.shape[:2]
    pts = np.nan_to_num(pose[:, :2] * (w, h)).astype(int)
    width = max(3, h // 70)
    for m in mistakes:
        for a, b in fault_segments(m["code"], m.get("side", "none")):
            if not (np.isnan(pose[a, 0]) or np.isnan(pose[b, 0])):
                cv2.line(img, tuple(pts[a]), tuple(pts[b]), FAULT, width, cv2.LINE_AA)
                for j in (a, b):
                    cv2.circle(img, tuple(pts[j]), width, FAULT, -1, cv2.LINE_AA)
    return img


def bottom_frames(video: str | os.PathLike | None, times: list[float]) -> dict[float, np.ndarray]:
    """Frames of ``video`` nearest each time in ``times`` (empty when the video cannot be read)."""
    if not video or not times:
        return {}
    try:
        cap, info = open_video(video)
        cap.release()
        wanted = sorted(times)
        found: dict[float, tuple[float, np.ndarray]] = {}
        for frame in read_frames(video):
            for tw in wanted:
                err = abs(frame.t - tw)
                if err <= 0.5 / max(info.fps, 1.0) + 1e-6 and (tw not in found or err < found[tw][0]):
                    found[tw] = (err, frame.image)
            if frame.t > wanted[-1] + 0.5:
                break
        return {tw: img for tw, (_, img) in found.items()}
    except FormcheckError:
        return {}


def thumbnail_jpeg(frame: np.ndarray | None, pose: np.ndarray, mistakes: list[dict],
                   size: tuple[int, int], min_visibility: float) -> str:
    """A base64 JPEG of the rep's bottom: the frame (or a plain canvas) with skeleton and faults."""
    w, h = size
    canvas = frame.copy() if frame is not None else np.full((h, w, 3), 236, np.uint8)
    scale = THUMB_HEIGHT / canvas.shape[0]
    canvas = cv2.resize(canvas, (max(1, round(canvas.shape[1] * scale)), THUMB_HEIGHT),
                        interpolation=cv2.INTER_AREA)
    draw_faults(canvas, pose, mistakes, min_visibility)
    ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""
