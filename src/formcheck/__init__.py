"""formcheck: a camera-based form coach for the reverse lunge.

>>> import formcheck                                        # doctest: +SKIP
>>> result = formcheck.analyze_video("sample_videos/lunge_side_clean.mp4")
>>> result.reps_per_leg()
{'left': 3, 'right': 3, 'unknown': 0}
"""

__version__ = "0.3.0"

from .api import analyze_landmarks, analyze_video  # noqa: E402

__all__ = ["analyze_video", "analyze_landmarks", "__version__"]
