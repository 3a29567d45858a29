"""Model bundles: present, verified against the manifest, valid aligned Tasks zips."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile

import pytest

from formcheck import models
from formcheck.errors import ModelError


@pytest.mark.parametrize("variant", ["lite", "full"])
def test_bundle_is_verified_aligned_zip(variant):
    path = models.resolve_model(variant)
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        assert names == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
        raw = path.read_bytes()
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            data_offset = info.header_offset + 30 + name_len + extra_len
            assert data_offset % 4 == 0
            assert raw[data_offset + 4:data_offset + 8] == b"TFL3"  # a flatbuffer TFLite model


def test_tampered_bundle_fails_checksum(tmp_path, monkeypatch):
    src = models.resolve_model("lite")
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(src.parent / "manifest.json", folder / "manifest.json")
    data = bytearray(src.read_bytes())
    data[-100] ^= 0xFF
    (folder / src.name).write_bytes(bytes(data))
    monkeypatch.setattr(models, "model_dirs", lambda: [folder])
    with pytest.raises(ModelError, match="SHA-256.*build_models.py"):
        models.resolve_model("lite")


def test_missing_variant_says_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "model_dirs", lambda: [tmp_path])
    with pytest.raises(ModelError, match="build_models.py --variant heavy"):
        models.resolve_model("heavy")


def test_manifest_lists_committed_bundles():
    manifest = json.loads((models.resolve_model("full").parent / "manifest.json").read_text())
    assert {"pose_landmarker_lite.task", "pose_landmarker_full.task"} <= set(manifest["bundles"])


def test_people_count_without_its_model_is_skipped_quietly(tmp_path, capfd):
    """The people count is an extra run on its own thread: a bundle it cannot load must not
    print a traceback from that thread or stop the analysis; it says why it took no count."""
    import numpy as np

    from formcheck.analysis import _more_than_one_person
    from formcheck.pose import PeopleCounter
    from formcheck.series import Capture
    from formcheck.sources import Frame

    broken = tmp_path / "broken.task"
    broken.write_bytes(b"not a model bundle")
    for model in (str(broken), str(tmp_path / "missing.task")):
        counter = PeopleCounter(0.5, model=model)
        for i in range(6):
            counter.offer(Frame(i, i * 0.25, np.zeros((48, 64, 3), np.uint8)))
        counted = counter.close()
        assert len(counted["people_t"]) == len(counted["people_n"]) == 0
        assert ("cannot load" if model == str(broken) else "not found") in counter.failed
        assert counted["people_count_failed"] == counter.failed
        warning = _more_than_one_person(Capture(**counted))
        assert len(warning) == 1 and "could not be counted" in warning[0]
    assert "Traceback" not in capfd.readouterr().err


def test_quiet_stderr_overlapping_on_two_threads_gives_stderr_back():
    """The tracking landmarker's first frame and the people counter's model load hide the C
    stderr on two threads at once. Entered A, B and left A, B, two separate redirections left
    /dev/null behind for good, and every later warning vanished (a flaky CLI test showed it)."""
    import os
    import threading

    from formcheck.pose import _quiet_stderr

    before = os.fstat(2)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with _quiet_stderr():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with _quiet_stderr():
            b_in.set()
            a_out.wait(5)

    threads = [threading.Thread(target=f) for f in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
