"""Decoder fuzz (issue 7): mutated video bytes never crash, hang or print a traceback.

A small real mp4 (rendered, one lunge, 320x240) is mutated deterministically: bytes flipped,
ranges zeroed, the file cut, chunks duplicated, box names and sizes broken, both in the header
boxes (``moov``: sample tables, codec config) and in the frame data (``mdat``). Each mutant goes
through the real CLI in a subprocess with a timeout, like a user's file would: it must end in
time, with an exit code from the documented set and no Python traceback. Decoding garbage is
allowed to find a person or not; it is not allowed to take the program down.

Bounded: ~20 mutants, the lite model, a 3.4 s clip; most mutants fail at the probe in ~1 s.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from formcheck.synth import CameraSpec, ClipSpec, RepSpec, SetSpec, render_clip

ALLOWED_EXITS = {0, 2, 5, 6}  # ok, bad input, no person, person not analysable (README: exit codes)
TIMEOUT_S = 90                # per mutant; a clean run of this clip takes 2-5 s on a loaded 2-core box
SEED = 7


def run_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", "analyze", str(path), "--model", "lite",
                           "--json", "-"], capture_output=True, text=True, timeout=TIMEOUT_S)


def boxes(data: bytes) -> dict[str, tuple[int, int]]:
    """Offset and size of the first box of each type we mutate (a flat search is enough here)."""
    found = {}
    for name in (b"ftyp", b"moov", b"mvhd", b"tkhd", b"stsd", b"stts", b"stsz", b"stco", b"mdat", b"esds"):
        i = data.find(name)
        if i >= 4:
            size = int.from_bytes(data[i - 4:i], "big")
            found[name.decode()] = (i - 4, size)
    return found


Mutation = Callable[[bytes, dict, np.random.Generator], bytes]


def flip(box: str, n: int) -> Mutation:
    """XOR ``n`` random bytes inside ``box`` (its 8-byte header excluded)."""
    def apply(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
        start, size = bx[box]
        out = bytearray(data)
        for i in rng.integers(start + 8, start + max(size, 9), n):
            out[int(i)] ^= int(rng.integers(1, 256))
        return bytes(out)
    return apply


def zero(box: str, share: float) -> Mutation:
    """Zero a range covering ``share`` of ``box`` starting at a random point inside it."""
    def apply(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
        start, size = bx[box]
        length = max(1, int(size * share))
        at = int(rng.integers(start + 8, max(start + 9, start + size - length)))
        return data[:at] + bytes(length) + data[at + length:]
    return apply


def cut(where: Callable[[int, dict], int]) -> Mutation:
    return lambda data, bx, rng: data[:where(len(data), bx)]


def duplicate_mdat_chunk(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
    """Insert a copy of a slice of the frame data (all sample offsets after it now point wrong)."""
    start, size = bx["mdat"]
    a = int(rng.integers(start + 8, start + size // 2))
    chunk = data[a:a + size // 5]
    return data[:a] + chunk + data[a:]


def rename(box: str, new: bytes) -> Mutation:
    def apply(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
        start, _ = bx[box]
        return data[:start + 4] + new + data[start + 8:]
    return apply


def set_size(box: str, size: int) -> Mutation:
    def apply(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
        start, _ = bx[box]
        return data[:start] + size.to_bytes(4, "big") + data[start + 4:]
    return apply


def huge_count(box: str) -> Mutation:
    """A sample table announcing 2^31 entries (an allocation bomb if trusted)."""
    def apply(data: bytes, bx: dict, rng: np.random.Generator) -> bytes:
        start, _ = bx[box]
        at = start + 12 + (4 if box == "stsz" else 0)  # after version/flags (and stsz's sample size)
        return data[:at] + (0x7FFFFFFF).to_bytes(4, "big") + data[at + 4:]
    return apply


MUTATIONS: dict[str, Mutation] = {
    "flip_ftyp": flip("ftyp", 4),
    "flip_moov_1": flip("moov", 1),
    "flip_moov_40": flip("moov", 40),
    "flip_stsd": flip("stsd", 6),
    "flip_esds": flip("esds", 8),
    "flip_mdat_10": flip("mdat", 10),
    "flip_mdat_2000": flip("mdat", 2000),
    "zero_stsz": zero("stsz", 0.5),
    "zero_stco": zero("stco", 1.0),
    "zero_mdat": zero("mdat", 0.3),
    "cut_in_header": cut(lambda n, bx: 20),
    "cut_mid_mdat": cut(lambda n, bx: bx["mdat"][0] + bx["mdat"][1] // 2),
    "cut_in_moov": cut(lambda n, bx: bx["moov"][0] + bx["moov"][1] // 2),
    "cut_last_byte": cut(lambda n, bx: n - 1),
    "duplicate_mdat_chunk": duplicate_mdat_chunk,
    "moov_renamed_free": rename("moov", b"free"),
    "mdat_size_huge": set_size("mdat", 0xFFFFFFF0),
    "moov_size_tiny": set_size("moov", 9),
    "stsz_count_huge": huge_count("stsz"),
    "stts_count_huge": huge_count("stts"),
}


@pytest.fixture(scope="module")
def fuzz_source(tmp_path_factory) -> Path:
    spec = ClipSpec("fuzz", (SetSpec((RepSpec("left"),)),), CameraSpec(yaw_deg=90.0), size=(320, 240),
                    fps=10.0, lead_in_s=0.3, tail_s=0.2, supersample=1)
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.mp4"
    render_clip(spec, path)
    return path


def test_the_mutated_boxes_exist(fuzz_source):
    """Guards the fuzz itself: every box a mutation targets is in the source file."""
    assert {"ftyp", "moov", "stsd", "stsz", "stco", "stts", "mdat", "esds"} <= set(boxes(fuzz_source.read_bytes()))


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutated_video_ends_cleanly(fuzz_source, tmp_path, name):
    data = fuzz_source.read_bytes()
    rng = np.random.default_rng([SEED, sorted(MUTATIONS).index(name)])
    mutant = MUTATIONS[name](data, boxes(data), rng)
    assert mutant != data
    path = tmp_path / f"{name}.mp4"
    path.write_bytes(mutant)
    try:
        proc = run_cli(path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still running after {TIMEOUT_S} s (a hang)")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in ALLOWED_EXITS, f"{name}: exit {proc.returncode}: {proc.stderr}"
    if proc.returncode:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr


def test_an_unsupported_codec_is_one_line(fuzz_source, tmp_path):
    """A video stream in a codec FFmpeg has no decoder for: the sample entry's codec name
    ("mp4v") and the stream's object type in its esds (0x20, MPEG-4 Visual; FFmpeg reads the
    codec from either) become unknown ones. One line, exit 2 (bad input), no traceback."""
    data = bytearray(fuzz_source.read_bytes())
    start, size = boxes(bytes(data))["stsd"]
    entry = data.find(b"mp4v", start, start + size)
    config = data.find(b"\x04", boxes(bytes(data))["esds"][0] + 12)  # DecoderConfigDescriptor's tag
    oti = config + 1
    while data[oti] & 0x80:  # its size: 1-4 bytes, each but the last with the top bit set
        oti += 1
    oti += 1
    assert entry > 0 and data[oti] == 0x20  # guards the test: OpenCV wrote an MPEG-4 Part 2 stream
    data[entry:entry + 4], data[oti] = b"zq12", 0xC0  # 0xC0: a private, unregistered object type
    path = tmp_path / "unknown_codec.mp4"
    path.write_bytes(bytes(data))
    proc = run_cli(path)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
