#!/usr/bin/env python3
"""Rebuild formcheck's MediaPipe Tasks pose bundles from registry packages.

MediaPipe 1.x ships no pose model and cannot download one here, so formcheck ships its own
``pose_landmarker_{lite,full}.task``. This script rebuilds them reproducibly from two pinned
registry packages, checks the inputs' SHA-256, and records the outputs' SHA-256 in
``manifest.json``, which the loader verifies.

Inputs (Apache-2.0, see NOTICE):
  * npm ``@mediapipe/pose@0.5.1675469404``: ``pose_landmark_{lite,full,heavy}.tflite``
  * PyPI ``mediapipe==0.10.21``: ``mediapipe/modules/pose_detection/pose_detection.tflite``

Each model gets image-input normalisation metadata (written with mediapipe 0.10.21's metadata
writer, in a throwaway venv because it needs numpy<2), then the two are stored in an
uncompressed zip whose members are 4-byte aligned: the layout the Tasks API memory-maps.

Usage:  python models/build_models.py [--variant lite --variant full --variant heavy]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
PYPI_PACKAGE = "mediapipe==0.10.21"
DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
INPUT_SHA256 = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
    "pose_detection.tflite": "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
}
# Input normalisation each network was trained with (MediaPipe's pose graphs):
# the detector takes [-1, 1] pixels, the landmark model [0, 1] pixels.
NORMALIZATION = {"detector": (127.5, 127.5), "landmarks": (0.0, 255.0)}
ALIGNMENT = 4
ZIP_EXTRA_ALIGN_ID = 0xD935  # the zipalign extra-field id: padding readers skip


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verified(name: str, data: bytes) -> bytes:
    """Refuse an input whose bytes differ from the pinned release."""
    digest = sha256_of(data)
    if digest != INPUT_SHA256[name]:
        raise SystemExit(f"{name}: SHA-256 {digest} does not match pinned {INPUT_SHA256[name]}")
    return data


def fetch_landmark_models(work: Path) -> dict[str, bytes]:
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=work, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(work.glob("mediapipe-pose-*.tgz"))
    models = {}
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            if name.startswith("pose_landmark_") and name.endswith(".tflite"):
                models[name] = verified(name, tar.extractfile(member).read())
    return models


def metadata_venv(work: Path) -> Path:
    """A throwaway venv with the last mediapipe whose metadata writer works."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", PYPI_PACKAGE, "numpy<2"], check=True)
    return py


def fetch_detector(py: Path) -> bytes:
    site = subprocess.run([str(py), "-c", "import mediapipe, os; print(os.path.dirname(mediapipe.__file__))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    path = Path(site).parent / DETECTOR_MEMBER
    return verified("pose_detection.tflite", path.read_bytes())


def add_metadata(py: Path, src: Path, dst: Path, role: str) -> None:
    """Run the metadata writer (inside the old-mediapipe venv) on one model."""
    mean, std = NORMALIZATION[role]
    subprocess.run([str(py), __file__, "--write-metadata", str(src), str(dst), str(mean), str(std)],
                   check=True)


def write_metadata(src: str, dst: str, mean: str, std: str) -> None:
    """Executed inside the metadata venv: image input + one feature output per tensor."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    model = bytearray(Path(src).read_bytes())
    writer = metadata_writer.MetadataWriter.create(model)
    writer.add_general_info(Path(src).stem, "MediaPipe BlazePose model repackaged by formcheck")
    writer.add_image_input(norm_mean=[float(mean)], norm_std=[float(std)])
    for name in writer_utils.get_output_tensor_names(model):
        writer.add_feature_output(name=name)
    content, _ = writer.populate()
    Path(dst).write_bytes(bytes(content))


def write_aligned_bundle(members: dict[str, bytes], out: Path) -> None:
    """Store members uncompressed, padding each local header so its data is 4-byte aligned."""
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            header = 30 + len(name.encode()) + 4
            pad = (-(zf.fp.tell() + header)) % ALIGNMENT
            info.extra = struct.pack("<HH", ZIP_EXTRA_ALIGN_ID, pad) + b"\0" * pad
            zf.writestr(info, data)
    with zipfile.ZipFile(tmp) as zf:  # prove the alignment we promise
        for info in zf.infolist():
            data_offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            assert data_offset % ALIGNMENT == 0, (info.filename, data_offset)
    tmp.replace(out)


def build(variants: list[str]) -> None:
    manifest_path = HERE / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest.setdefault("bundles", {})
    manifest["sources"] = {"npm": NPM_PACKAGE, "pypi": PYPI_PACKAGE, "inputs_sha256": INPUT_SHA256}
    with tempfile.TemporaryDirectory(prefix="formcheck-models-") as tmpdir:
        work = Path(tmpdir)
        print(f"fetching {NPM_PACKAGE} and {PYPI_PACKAGE} ...")
        landmark_models = fetch_landmark_models(work)
        py = metadata_venv(work)
        (work / "detector.tflite").write_bytes(fetch_detector(py))
        add_metadata(py, work / "detector.tflite", work / "detector_md.tflite", "detector")
        detector = (work / "detector_md.tflite").read_bytes()
        for variant in variants:
            raw = work / f"pose_landmark_{variant}.tflite"
            raw.write_bytes(landmark_models[raw.name])
            add_metadata(py, raw, work / f"{variant}_md.tflite", "landmarks")
            out = HERE / f"pose_landmarker_{variant}.task"
            write_aligned_bundle({"pose_detector.tflite": detector,
                                  "pose_landmarks_detector.tflite": (work / f"{variant}_md.tflite").read_bytes()},
                                 out)
            manifest["bundles"][out.name] = {"sha256": sha256_of(out.read_bytes()),
                                             "bytes": out.stat().st_size}
            print(f"wrote {out.relative_to(HERE.parent)} ({out.stat().st_size / 1e6:.1f} MB)")
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--write-metadata":
        write_metadata(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", choices=["lite", "full", "heavy"],
                        help="bundle(s) to build; default: lite and full")
    args = parser.parse_args()
    build(args.variant or ["lite", "full"])


if __name__ == "__main__":
    main()
