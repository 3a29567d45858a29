"""Synthetic reverse-lunge videos with exact ground truth (for tests, samples and benchmarks).

``kinematics`` (pure numpy) builds a 3-D skeleton and the motion of every rep from a few
parameters, ``render`` draws it through a perspective camera with OpenCV, and ``clips`` ties the
two together into an mp4 plus JSON / NPZ ground truth.
"""

from formcheck.synth.clips import ClipSpec, RenderedClip, random_clip_spec, render_clip, render_clip_full
from formcheck.synth.kinematics import (
    MISTAKES,
    BodyProportions,
    LungeForm,
    Motion,
    RepSpec,
    SetSpec,
    Tempo,
    apply_mistakes,
    lunge_metrics,
    plan_reps,
    sample_motion,
)
from formcheck.synth.render import Appearance, Camera, CameraSpec, FrameRenderer, Scene, place_camera

__all__ = [
    "MISTAKES", "Appearance", "BodyProportions", "Camera", "CameraSpec", "ClipSpec", "FrameRenderer",
    "LungeForm", "Motion", "RenderedClip", "RepSpec", "Scene", "SetSpec", "Tempo", "apply_mistakes",
    "lunge_metrics", "place_camera", "plan_reps", "random_clip_spec", "render_clip", "render_clip_full",
    "sample_motion",
]
