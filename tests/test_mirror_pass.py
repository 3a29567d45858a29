"""The mirror pass: the real pose model on the mirrored frames, put back as a second opinion on
which leg is left (``pose.MirrorPass``, read by ``identity.swap_flags``)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.pose import estimate_video
from formcheck.series import Landmark as L
from formcheck.series import mirrored_back


def test_mirrored_back_exchanges_every_side_and_mirrors_x():
    image = np.random.default_rng(0).random((2, 33, 4))
    back = mirrored_back(image)
    assert np.allclose(back[:, L.LEFT_ANKLE, 0], 1.0 - image[:, L.RIGHT_ANKLE, 0])
    assert np.allclose(back[:, L.RIGHT_EAR, 1:], image[:, L.LEFT_EAR, 1:])  # y, z and visibility follow
    assert np.allclose(back[:, L.NOSE, 0], 1.0 - image[:, L.NOSE, 0])
    assert np.allclose(mirrored_back(back), image)  # its own inverse


@pytest.fixture(scope="module")
def front_series():
    return estimate_video(str(SAMPLES / "lunge_front_clean.mp4"), mirror_pass=True, count_people=False)


def test_the_mirrored_run_lands_on_the_same_body_with_the_same_sides(front_series):
    """Put back, the mirrored run's landmarks sit on the person as filmed, and its left shoulder
    is the person's left shoulder (from the front the two are ~90 px apart): a wrong mapping would
    put every label on the other side."""
    s = front_series
    assert s.mirrored is not None and s.mirrored.shape == s.image.shape and s.meta["mirror_pass"]
    size = np.array(s.image_size, float)
    px, mx = s.image[:, :, :2] * size, s.mirrored[:, :, :2] * size
    seen = s.detected & ~np.isnan(mx[:, 0, 0])
    assert seen.mean() > 0.95
    nose_gap = np.linalg.norm(px[seen, L.NOSE] - mx[seen, L.NOSE], axis=-1)
    assert np.median(nose_gap) < 0.01 * size[0]
    own = np.linalg.norm(mx[seen, L.LEFT_SHOULDER] - px[seen, L.LEFT_SHOULDER], axis=-1)
    other = np.linalg.norm(mx[seen, L.LEFT_SHOULDER] - px[seen, L.RIGHT_SHOULDER], axis=-1)
    assert (own < other).mean() > 0.95


def test_analyze_with_the_mirror_pass_counts_the_oblique_sample(tmp_path):
    """The CLI option end to end on the oblique sample: the true reps per leg, and the mirror
    pass recorded in the report; with several pose streams it is refused in one line."""
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(SAMPLES / "lunge_oblique_clean.mp4"),
           "--mirror-pass", "--json", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["mirror_pass"] is True
    truth = json.loads((SAMPLES / "lunge_oblique_clean.json").read_text())
    legs = [r["leg"] for r in truth["reps"] if r["complete"]]
    assert report["summary"]["reps_per_leg"]["left"] == legs.count("left")
    assert report["summary"]["reps_per_leg"]["right"] == legs.count("right")
    refused = subprocess.run(cmd + ["--jobs", "2"], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "one pose stream" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
