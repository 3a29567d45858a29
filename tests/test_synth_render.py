"""The synthetic lunge renderer: its ground truth is self-consistent, and the REAL pose model sees
the drawn figure where the truth says it is (so synthetic clips can benchmark the pipeline).

Tolerances come from measuring the full model on these clips and on the sample set: median joint
error 0.7-2.2% of the figure's height (3-7 px at 480p), at most ~4% of frames with a leg joint off by
more than 12%. The bounds below leave ~2x headroom.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.synth import (
    MISTAKES,
    BodyProportions,
    CameraSpec,
    ClipSpec,
    LungeForm,
    RepSpec,
    SetSpec,
    apply_mistakes,
    lunge_metrics,
    render_clip_full,
)
from formcheck.synth.kinematics import build_pose, solve_bottom, split_stance, stance_pose

MODEL = Path(__file__).resolve().parents[1] / "models" / "pose_landmarker_full.task"
TEST_FPS = 15.0                       # enough for VIDEO-mode tracking, half the work of 30 fps
MEDIAN_TOL = 0.04                     # median joint error / figure height (measured 0.007-0.022)
OUTLIER_TOL = 0.12                    # a joint this far off counts as a miss
MAX_OUTLIER_FRAMES = 0.10             # measured <= 0.042
JOINTS = {"shoulders": (11, 12), "hips": (23, 24), "knees": (25, 26), "ankles": (27, 28)}

# Fault rules from the brief: metric, comparison, threshold (what a checker must see).
RULES = {
    "stance_too_narrow": ("stance_width_ratio", "<", 0.5),
    "stance_too_wide": ("stance_width_ratio", ">", 2.0),
    "step_too_short": ("step_length_ratio", "<", 0.55),
    "step_too_long": ("step_length_ratio", ">", 1.35),
    "step_crosses_midline": ("back_foot_cross_ratio", ">", 0.3),
    "knee_past_toes": ("knee_past_toes_ratio", ">", 0.15),
    "back_heel_down": ("back_heel_lift_ratio", "<", 0.04),
    "knee_caving_in": ("knee_valgus_fppa_deg", ">", 15.0),
    "depth_short": ("front_knee_flexion_deg", "<", 65.0),
    "trunk_lean_forward": ("trunk_lean_forward_deg", ">", 30.0),
    "trunk_lean_side": ("trunk_lean_side_deg", ">", 15.0),
    "hip_drop": ("pelvic_obliquity_deg", ">", 10.0),
    "hips_rotated": ("hip_rotation_deg", ">", 25.0),
}


def bottom_metrics(mistakes: dict[str, float]) -> dict[str, float]:
    body = BodyProportions()
    form = apply_mistakes(LungeForm(), mistakes)
    stand = stance_pose(form.stance_width_ratio, body)
    feet = split_stance(form, "right", stand, "reverse", body)
    values = lunge_metrics(build_pose(solve_bottom(form, feet, body), body), "right", body)
    values["stance_width_ratio"] = form.stance_width_ratio
    return values


def violates(values: dict[str, float], code: str) -> bool:
    metric, op, limit = RULES[code]
    return values[metric] < limit if op == "<" else values[metric] > limit


# ---------------------------------------------------------------------------------------------
# Ground truth (pure numpy, fast)
# ---------------------------------------------------------------------------------------------

def test_kinematics_is_pure_numpy():
    """The skeleton/motion module must stay free of OpenCV (it is reused without a renderer)."""
    import ast

    import formcheck.synth.kinematics as kin

    tree = ast.parse(Path(kin.__file__).read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in modules if m.split(".")[0] in {"cv2", "mediapipe"}}


def test_every_mistake_code_has_a_rule():
    assert set(MISTAKES) == set(RULES)


def test_clean_form_is_clean_and_in_range():
    values = bottom_metrics({})
    assert not [code for code in RULES if violates(values, code)]
    assert 85 <= values["front_knee_flexion_deg"] <= 100 and 85 <= values["back_knee_flexion_deg"] <= 100
    assert 0.85 <= values["step_length_ratio"] <= 1.0
    assert abs(values["trunk_lean_forward_deg"]) < 10 and values["pelvic_obliquity_deg"] < 3


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_mistake_crosses_its_threshold(code):
    assert violates(bottom_metrics({code: 1.0}), code)
    assert not violates(bottom_metrics({code: 0.0}), code)


# ---------------------------------------------------------------------------------------------
# The real model on rendered clips
# ---------------------------------------------------------------------------------------------

def detect(video: Path) -> np.ndarray:
    """(T, 33, 2) pixels from MediaPipe PoseLandmarker (full) in VIDEO mode; NaN = no person."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(MODEL)),
                                        running_mode=vision.RunningMode.VIDEO)
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = []
    with vision.PoseLandmarker.create_from_options(opts) as landmarker:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            h, w = frame.shape[:2]
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            res = landmarker.detect_for_video(image, int(round(len(out) * 1000 / fps)))
            out.append([(lm.x * w, lm.y * h) for lm in res.pose_landmarks[0]] if res.pose_landmarks
                       else np.full((33, 2), np.nan))
    cap.release()
    return np.asarray(out, float)


CLIPS = {
    "side": ClipSpec("t_side", (SetSpec((RepSpec("left"), RepSpec("right"))),), CameraSpec(yaw_deg=90.0),
                     fps=TEST_FPS, lead_in_s=0.6, tail_s=0.4, blur_sigma=0.7),
    "front": ClipSpec("t_front", (SetSpec((RepSpec("left"), RepSpec("right"))),), CameraSpec(yaw_deg=0.0),
                      fps=TEST_FPS, lead_in_s=0.6, tail_s=0.4, blur_sigma=0.7),
    "oblique": ClipSpec("t_oblique", (SetSpec((RepSpec("right"),)),), CameraSpec(yaw_deg=40.0),
                        size=(360, 640), fps=TEST_FPS, lead_in_s=0.6, tail_s=0.4, blur_sigma=0.7),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    if not MODEL.is_file():
        pytest.skip(f"pose model not found: {MODEL}")
    root = tmp_path_factory.mktemp("synth")
    out = {}
    for view, spec in CLIPS.items():
        clip = render_clip_full(spec, root / f"{spec.name}.mp4")
        out[view] = (clip, detect(root / f"{spec.name}.mp4"), root)
    return out


def figure_height(px: np.ndarray) -> float:
    """Median nose-to-lowest-ankle height in pixels (the scale for tolerances)."""
    return float(np.median(np.ptp(px[:, [0, 27, 28], 1], axis=1)))


def test_files_and_schema(rendered):
    clip, _, root = rendered["side"]
    truth = json.loads((root / "t_side.json").read_text())
    assert truth == clip.truth
    assert truth["schema"] == "formcheck-sample/1" and truth["video"] == "t_side.mp4"
    assert truth["view"] == "side" and truth["facing"] == "right" and truth["fps"] == TEST_FPS
    assert [r["leg"] for r in truth["reps"]] == ["left", "right"]
    assert [r["front_leg"] for r in truth["reps"]] == ["right", "left"]
    assert truth["complete_reps_per_leg"] == {"left": 1, "right": 1} and truth["sets"] == 1
    for r in truth["reps"]:
        assert r["start_s"] < r["bottom_s"] < r["end_s"] and r["complete"] and r["mistakes"] == []
    npz = np.load(root / "t_side.truth.npz")
    n = truth["frames"]
    assert npz["joints_px"].shape == (n, 33, 2) and npz["joints_m"].shape == (n, 33, 3)
    assert npz["t"].shape == (n,) and np.allclose(np.diff(npz["t"]), 1 / TEST_FPS)
    assert np.isfinite(npz["joints_px"]).all()
    bottom = int(round(truth["reps"][0]["bottom_s"] * TEST_FPS))
    front_knee = truth["reps"][0]["true_values"]["front_knee_flexion_deg"]
    assert abs(npz["right_knee_flexion_deg"][bottom] - front_knee) < 1


@pytest.mark.parametrize("view", sorted(CLIPS))
def test_model_detects_the_figure(rendered, view):
    _, det, _ = rendered[view]
    assert np.isfinite(det[:, 0, 0]).mean() >= 0.95


@pytest.mark.parametrize("view", sorted(CLIPS))
def test_model_landmarks_match_truth(rendered, view):
    clip, det, _ = rendered[view]
    px = clip.frames_px
    scale = figure_height(px)
    err = np.linalg.norm(det - px, axis=-1) / scale
    ok = np.isfinite(err[:, 0])
    for name, idx in JOINTS.items():
        median = float(np.median(err[ok][:, idx]))
        assert median < MEDIAN_TOL, f"{view} {name}: median {median * scale:.1f}px ({median:.1%} of height)"
    legs = err[ok][:, [23, 24, 25, 26, 27, 28]].max(axis=1)
    assert (legs > OUTLIER_TOL).mean() <= MAX_OUTLIER_FRAMES


def test_front_view_left_is_the_persons_left(rendered):
    """Non-mirrored front view: the person's left side is on the image's right, for truth and model."""
    clip, det, _ = rendered["front"]
    px = clip.frames_px
    for left, right in ((11, 12), (23, 24), (25, 26), (27, 28)):
        assert (px[:, left, 0] > px[:, right, 0]).all()
        ok = np.isfinite(det[:, left, 0])
        assert (det[ok, left, 0] > det[ok, right, 0]).mean() > 0.95
        closer = (np.linalg.norm(det[ok, left] - px[ok, left], axis=-1)
                  < np.linalg.norm(det[ok, left] - px[ok, right], axis=-1))
        assert closer.mean() > 0.95
