"""Knee caving in (valgus) from the front: the knee's offset off the hip-ankle line, corrected for
a camera turned a few degrees.

The exact-landmark tests project the generator's joints (no rendering, no model): they pin the
geometry.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.analysis import analyze_series
from formcheck.profile import load_profile
from formcheck.series import PoseSeries
from formcheck.synth import CameraSpec, ClipSpec, RepSpec, SetSpec
from formcheck.synth.clips import _clip_points, rep_truth
from formcheck.synth.kinematics import plan_reps, sample_motion
from formcheck.synth.render import place_camera

CAVING = {"knee_caving_in": 0.8}  # a medial knee offset of 0.19 shins: 22.5 deg FPPA-equivalent
TWO_CLEAN_TWO_CAVING = (SetSpec((RepSpec("left"), RepSpec("right"), RepSpec("left", mistakes=CAVING),
                                 RepSpec("right", mistakes=CAVING))),)


def _exact(yaw_deg: float) -> tuple[PoseSeries, list[dict]]:
    """The generator's joints, projected by the camera: a perfect pose model's series."""
    camera = CameraSpec(yaw_deg=yaw_deg, height_m=1.2, distance_m=3.5)
    spec = ClipSpec("exact", sets=TWO_CLEAN_TWO_CAVING, camera=camera)
    motion = sample_motion(plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form),
                           spec.fps, spec.body, spec.arms)
    px, _ = place_camera(camera, _clip_points(motion, spec.body), spec.size).project(motion.landmarks_m())
    return PoseSeries.from_landmarks(px / np.array(spec.size), motion.t, spec.size), rep_truth(motion, spec)


def _true_valgus_deg(rep: dict) -> float:
    return 2.0 * math.degrees(math.asin(rep["true_values"]["knee_medial_offset_ratio"]))


@pytest.mark.parametrize("yaw_deg", [-9.0, 0.0, 9.0])
def test_valgus_from_exact_landmarks_matches_the_truth_from_a_turned_camera(yaw_deg):
    series, truth = _exact(yaw_deg)
    reps = analyze_series(series).reps
    assert [r.rep.leg for r in reps] == [r["leg"] for r in truth]
    for found, rep in zip(reps, truth, strict=True):
        # measured: within 3.1 deg at +-9 deg of yaw, 2.2 head-on
        assert found.values["front_knee_valgus_deg"] == pytest.approx(_true_valgus_deg(rep), abs=4.0)
    assert [f.status for r in reps for f in r.findings if f.code == "knee_caving_in"] == ["ok", "ok", "flagged",
                                                                                          "flagged"]


def test_without_the_yaw_correction_a_turned_camera_reads_valgus_on_one_leg_and_varus_on_the_other(tmp_path):
    """Why the correction exists: at a lunge's bottom the knee is a thigh's length ahead of the
    hip-ankle line, and a camera turned 9 deg shows a sixth of that as a sideways offset."""
    uncorrected = tmp_path / "no_yaw.toml"
    uncorrected.write_text("[checks.knee]\nfoot_to_shin_ratio = 1e9\n")  # the feet then say: no yaw
    series, _ = _exact(9.0)
    clean = analyze_series(series, profile=load_profile(uncorrected)).reps[:2]
    left, right = (r.values["front_knee_valgus_deg"] for r in clean)
    assert left > 10.0 and right < -10.0  # measured: +12.6 and -16.9 on two clean reps
