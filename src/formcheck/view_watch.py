"""When the person is turned away from the camera: the moment the mirror pass starts by default.

The mirror pass (``pose.MirrorPass``) is a second opinion on which leg is left. On the accuracy
benchmark it helps wherever the legs overlap in the picture: obliquely, MediaPipe exchanges the
legs as the stepping foot passes the other one; from the side, at a long step's bottom or in a
far-away split squat, it lets the labels flicker. From the front it changed nothing, except one
front-view split-squat set it put on the wrong leg. So by default it starts once the pose model's
own run has seen the person from the side or at an angle for a moment, and a front video pays
nothing for it. Pure numpy over one frame at a time: the video loop feeds it as it goes.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .points import gated_points
from .profile import Profile
from .series import PoseSeries
from .view import classify_view, frame_yaw_deg

TIME_TOLERANCE_S = 1e-6  # frame times are floats: a sample interval's worth of them may add up a hair short


class Every:
    """Which frames, fed in time order, fall due when one is wanted every ``period_s`` seconds:
    the first one, then each at least ``period_s`` after the last one due (to within
    ``TIME_TOLERANCE_S``, so that every 3rd frame at 30 fps is due every 0.1 s)."""

    def __init__(self, period_s: float) -> None:
        self.period_s = period_s
        self._next = -np.inf

    def due(self, t: float) -> bool:
        if t < self._next - TIME_TOLERANCE_S:
            return False
        self._next = t + self.period_s
        return True


class TurnedWatch:
    """Says when the median body yaw (``view.frame_yaw_deg``) of the last
    ``pose.mirror_watch_s`` seconds first reads other than a front view (``[view]``): an oblique
    or a side view.

    >>> watch = TurnedWatch((640, 480), load_profile())   # doctest: +SKIP
    >>> watch.seen_turned(image_landmarks, world_landmarks, t)   # once per frame, in time order
    False
    """

    def __init__(self, image_size: tuple[int, int], profile: Profile) -> None:
        self._size = image_size
        self._profile = profile
        self._window_s = profile["pose.mirror_watch_s"]
        self._sample = Every(profile["view.yaw_sample_s"])
        self._times: deque[float] = deque()
        self._yaws: deque[float] = deque()
        self._first_t: float | None = None

    def seen_turned(self, image: np.ndarray, world: np.ndarray, t: float) -> bool:
        """Feed one frame's (33, 4) image and (33, 3) world landmarks (NaN: nobody); True once the
        window is full and its median yaw reads oblique or side. Frames closer than
        ``view.yaw_sample_s`` to the last one read are skipped (False)."""
        if not self._sample.due(t):
            return False
        frame = PoseSeries(image[None], world[None], np.array([t]), self._size)
        px, world_points = gated_points(frame, self._profile["pose.min_visibility"])
        self._times.append(t)
        self._yaws.append(float(frame_yaw_deg(px, world_points, self._profile)[0]))
        if self._first_t is None:
            self._first_t = t
        while t - self._times[0] > self._window_s:
            self._times.popleft()
            self._yaws.popleft()
        yaws = np.array(self._yaws)
        if t - self._first_t < self._window_s or np.isnan(yaws).all():
            return False
        return classify_view(np.array([np.nanmedian(yaws)]), self._profile)[0] in ("oblique", "side")


def first_turned_frame(series: PoseSeries, profile: Profile) -> int | None:
    """The frame at which ``TurnedWatch`` fed ``series`` frame by frame first says turned (None:
    never): where a default mirror pass over the same video starts (the benchmark's cache)."""
    watch = TurnedWatch(series.image_size, profile)
    for i in range(len(series)):
        if watch.seen_turned(series.image[i], series.world[i], float(series.t[i])):
            return i
    return None
