"""PoseSeries: the one data type that flows through formcheck.

Every stage (source -> pose -> smoothing -> metrics -> reps -> checks -> reports) takes and
returns this or something computed from it, so a stage can be tested with a hand-built skeleton
and replaced without touching its neighbours (the role ``Detections`` plays in supervision).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

import numpy as np


class Landmark(IntEnum):
    """MediaPipe BlazePose's 33 landmark indices (the model's own order)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = 33


def exchanged_order(pairs) -> np.ndarray:
    """(33,) landmark order with each (left, right) pair of ``pairs`` exchanged:
    ``landmarks[order]`` relabels them."""
    order = np.arange(NUM_LANDMARKS)
    for left, right in pairs:
        order[[left, right]] = right, left
    return order


# every left/right pair, by name (MOUTH_LEFT and MOUTH_RIGHT included)
LEFT_RIGHT_PAIRS = tuple((lm, Landmark[lm.name.replace("LEFT", "RIGHT")]) for lm in Landmark if "LEFT" in lm.name)
# landmark order of the mirror image: ``landmarks[MIRROR_ORDER]`` exchanges every left/right pair
MIRROR_ORDER = exchanged_order(LEFT_RIGHT_PAIRS)


def mirrored_back(image: np.ndarray) -> np.ndarray:
    """(..., 33, 4) image landmarks found in a left-right mirrored frame, put back into the
    frame as filmed: x mirrored, and the labels exchanged (the mirrored person's left leg is the
    person's right one)."""
    out = image[..., MIRROR_ORDER, :].copy()
    out[..., 0] = 1.0 - out[..., 0]
    return out


# Bones drawn as the skeleton (pairs of Landmark indices).
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32),
    (28, 32), (0, 11), (0, 12),
)


def _no_samples() -> np.ndarray:
    return np.empty(0)


@dataclass(frozen=True)
class Capture:
    """What the source and pose stages measured about the footage, beside the landmarks.

    Attributes:
        model: the pose model's file name ("" for landmarks handed in).
        expected_frames: the frame count the container's header announces (0: unknown).
        luma, luma_std: (T,) mean and spread of each frame's brightness (empty: not measured).
        exposure_problem: "" or why the footage is too dark or washed out to judge (``api``).
        mirror_pass_from_s: when the mirror pass started (None: it did not run).
        people_t, people_n: when the people in view were counted, and how many were found.
        people_count_failed: "" or why counting them failed.
        streams, warmup_frames: the pose processes that read the video, and the frames they
            read twice to warm up their trackers (``parallel``).
    """

    model: str = ""
    expected_frames: int = 0
    luma: np.ndarray = field(default_factory=_no_samples)
    luma_std: np.ndarray = field(default_factory=_no_samples)
    exposure_problem: str = ""
    mirror_pass_from_s: float | None = None
    people_t: np.ndarray = field(default_factory=_no_samples)
    people_n: np.ndarray = field(default_factory=_no_samples)
    people_count_failed: str = ""
    streams: int = 1
    warmup_frames: int = 0

    @property
    def mirror_pass(self) -> bool:
        return self.mirror_pass_from_s is not None


@dataclass(frozen=True)
class PoseSeries:
    """T frames of one person's pose.

    Attributes:
        image: (T, 33, 4) float: x, y normalised to [0, 1] by frame width / height, z (MediaPipe's
            relative depth, same scale as x), visibility in [0, 1]. NaN rows: no person found.
        world: (T, 33, 3) float metres, hip-centred (MediaPipe world landmarks), NaN where missing.
        t: (T,) seconds from the container's presentation timestamps, strictly increasing.
        image_size: (width, height) in pixels of the frames the landmarks refer to (after rotation).
        source: where the frames came from (file path, "camera:0", "landmarks").
        capture: what was measured about the footage while reading it (``Capture``).
        mirrored: None, or (T, 33, 4) image landmarks of the same frames from the pose model run
            on the mirrored frames and put back (``mirrored_back``): a second opinion on which
            leg is left (``pose.estimate_frames``' mirror pass, read by ``identity``).
    """

    image: np.ndarray
    world: np.ndarray
    t: np.ndarray
    image_size: tuple[int, int]
    source: str = ""
    capture: Capture = field(default_factory=Capture)
    mirrored: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.t)
        if self.image.shape != (n, NUM_LANDMARKS, 4):
            raise ValueError(f"image landmarks must be (T, 33, 4), got {self.image.shape} for T={n}")
        if self.world.shape != (n, NUM_LANDMARKS, 3):
            raise ValueError(f"world landmarks must be (T, 33, 3), got {self.world.shape} for T={n}")
        if self.mirrored is not None and self.mirrored.shape != (n, NUM_LANDMARKS, 4):
            raise ValueError(f"mirrored landmarks must be (T, 33, 4), got {self.mirrored.shape} for T={n}")

    def __len__(self) -> int:
        return len(self.t)

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a person was found in the frame."""
        return ~np.isnan(self.image[:, :, 0]).all(axis=1)

    @property
    def visibility(self) -> np.ndarray:
        """(T, 33) visibility, 0 where missing."""
        return np.nan_to_num(self.image[:, :, 3], nan=0.0)

    @property
    def pixels(self) -> np.ndarray:
        """(T, 33, 2) image landmarks in pixels: the isotropic frame for 2-D angles."""
        w, h = self.image_size
        return self.image[:, :, :2] * np.array([w, h], dtype=self.image.dtype)  # float32 stays float32: half the memory

    def seen_pixels(self, min_visibility: float, points: tuple[int, ...] | None = None) -> np.ndarray:
        """(T, P, 2) float64 pixels of ``points`` (all 33 if None), the landmarks MediaPipe is
        guessing (visibility below ``min_visibility``, or nobody seen) NaN: a hidden foot's
        position is not evidence. The one statement of that rule: the metrics and the rep
        checks read their landmarks through it."""
        image = self.image if points is None else self.image[:, list(points)]
        px = image[:, :, :2] * np.array(self.image_size, float)
        px[~(image[:, :, 3] >= min_visibility)] = np.nan  # NaN visibility: not seen
        return px

    @property
    def fps(self) -> float:
        """Median frame rate from the timestamps (0 for fewer than two frames)."""
        if len(self.t) < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.t)))

    def with_landmarks(self, image: np.ndarray, world: np.ndarray | None = None) -> PoseSeries:
        """A copy with replaced landmarks (how filters return their output)."""
        return replace(self, image=image, world=self.world if world is None else world)

    def slice(self, start: int, stop: int) -> PoseSeries:
        return replace(self, image=self.image[start:stop], world=self.world[start:stop], t=self.t[start:stop],
                       mirrored=None if self.mirrored is None else self.mirrored[start:stop])

    @classmethod
    def empty(cls, image_size: tuple[int, int], source: str = "") -> PoseSeries:
        return cls(np.empty((0, NUM_LANDMARKS, 4)), np.empty((0, NUM_LANDMARKS, 3)),
                   np.empty(0), image_size, source)

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray, timestamps: np.ndarray,
                       image_size: tuple[int, int], world: np.ndarray | None = None,
                       source: str = "landmarks") -> PoseSeries:
        """Build from arrays shaped like MediaPipe's output (visibility optional)."""
        lm = np.asarray(landmarks, dtype=float)
        if lm.ndim != 3 or lm.shape[1] != NUM_LANDMARKS or lm.shape[2] not in (2, 3, 4):
            raise ValueError(f"landmarks must be (T, 33, 2|3|4), got {lm.shape}")
        t = np.asarray(timestamps, dtype=float)
        if t.shape != (len(lm),):
            raise ValueError(f"timestamps must be ({len(lm)},), got {t.shape}")
        if len(t) > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("timestamps must be strictly increasing")
        full = np.full((len(lm), NUM_LANDMARKS, 4), np.nan)
        full[:, :, : lm.shape[2]] = lm
        if lm.shape[2] < 3:  # no depth given: 0, but NaN where the landmark itself is missing
            full[:, :, 2] = np.where(np.isnan(lm[:, :, 0]), np.nan, 0.0)
        if lm.shape[2] < 4:
            full[:, :, 3] = np.where(np.isnan(lm[:, :, 0]), np.nan, 1.0)
        w = np.full((len(lm), NUM_LANDMARKS, 3), np.nan) if world is None else np.asarray(world, float)
        return cls(full, w, t, (int(image_size[0]), int(image_size[1])), source)
