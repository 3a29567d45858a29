"""Issue 7's hard scenes: rendered lunges, edited the way phones and rooms edit real footage, then
analysed by the real pose model. The renderer knows every rep, so each scene has an exact truth.

Scenes: the person leaving and coming back, a second person walking behind, a mirrored (selfie)
video, portrait and rotation-tagged phone videos, very dark and blown-out footage, a variable
frame rate, and a file without read permission. The rule for every scene (issue 7): count what
was seen correctly, or say why not; never a rep from noise, never an invented cue. The rendered
person makes no mistakes, so every flagged finding here is an invented cue.

Where formcheck falls short today the test is ``xfail(strict=True)`` with the measured numbers in
its reason: it starts passing (and then fails as XPASS) the day the fix lands.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import cv2
import numpy as np
import pytest

import formcheck
from conftest import ROOT, SHARED_VIDEOS
from formcheck import analyze_video
from formcheck.errors import FormcheckError, NoPersonError, NotAnalyzableError
from formcheck.profile import load_profile
from formcheck.sources import exposure_problem, probe, read_frames
from formcheck.synth import CameraSpec, ClipSpec, RepSpec, SetSpec
from formcheck.synth.clips import _clip_points, rep_truth
from formcheck.synth.kinematics import plan_reps, sample_motion
from formcheck.synth.render import Appearance, FrameRenderer, Mp4Writer, place_camera
from formcheck.synth.walking import WalkSpec, plan_walk

pytestmark = pytest.mark.skipif(not (ROOT / "models" / "pose_landmarker_full.task").is_file(),
                                reason="pose models not found")

FPS = 15.0                      # as tests/test_synth_render.py: enough for VIDEO-mode tracking, half the work
SIDE = CameraSpec(yaw_deg=90.0)
THREE_REPS = (SetSpec((RepSpec("left"), RepSpec("right"), RepSpec("left"))),)  # 2 left, 1 right: a swap shows
BOTTOM_TOL_S = 0.3              # a counted rep's bottom within this of the truth's (measured: <= 0.13 s)


# ---------------------------------------------------------------------------------------------
# Filming: render to frames in memory, edit them, write them
# ---------------------------------------------------------------------------------------------

@dataclass
class Film:
    """A rendered clip held in memory: frames, the empty room behind them, and the rep truth."""

    frames: list[np.ndarray]
    background: np.ndarray
    t: np.ndarray
    reps: list[dict]

    def per_leg(self, seen: Callable[[dict], bool] = lambda rep: True) -> dict[str, int]:
        """Complete reps per leg among the reps ``seen`` accepts (the shape of ``reps_per_leg()``)."""
        out = {"left": 0, "right": 0, "unknown": 0}
        for rep in self.reps:
            out[rep["leg"]] += int(rep["complete"] and seen(rep))
        return out


def film(spec: ClipSpec) -> Film:
    """``render_clip`` without the file: the same motion, camera and rep truth, frames in memory."""
    timeline = plan_reps(spec.sets, spec.body, spec.tempo, spec.lead_in_s, spec.tail_s, spec.form)
    motion = sample_motion(timeline, spec.fps, spec.body, spec.arms)
    frames, background = _draw(motion, spec)
    return Film(frames, background, motion.t, rep_truth(motion, spec))


def _draw(motion, spec) -> tuple[list[np.ndarray], np.ndarray]:
    pts = _clip_points(motion, spec.body)
    renderer = FrameRenderer(place_camera(spec.camera, pts, spec.size), spec.body, spec.look, spec.shape,
                             spec.scene, centre=(pts.min(axis=0) + pts.max(axis=0)) / 2,
                             supersample=spec.supersample)
    background = cv2.resize(renderer.background, spec.size, interpolation=cv2.INTER_AREA)
    return [renderer.render(pose) for pose in motion.poses], background


def write_mp4(path: Path, frames: list[np.ndarray], fps: float = FPS) -> Path:
    h, w = frames[0].shape[:2]
    with Mp4Writer(str(path), fps, (w, h)) as writer:
        for frame in frames:
            writer.write(np.ascontiguousarray(frame))
    return path


def ffmpeg(*args: str) -> None:
    exe = pytest.importorskip("imageio_ffmpeg").get_ffmpeg_exe()
    proc = subprocess.run([exe, "-v", "error", "-y", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def flagged(result) -> list[str]:
    """Every flagged finding as "rep:code" (the rendered person makes no mistakes)."""
    return [f"{r.rep.index}:{f.code}" for r in result.reps for f in r.findings if f.status == "flagged"]


def describe(result) -> str:
    reps = [(r.rep.leg, round(r.rep.bottom_s, 2), r.rep.incomplete_reason or "complete") for r in result.reps]
    return f"counted {result.reps_per_leg()}, reps {reps}, flagged {flagged(result)}, warnings {result.warnings}"


def assert_bottoms_match(result, truth: list[dict]) -> None:
    """Each counted rep is a true rep: its bottom lies near a true bottom."""
    bottoms = np.array([r["bottom_s"] for r in truth if r["complete"]])
    for r in result.complete_reps:
        assert np.abs(bottoms - r.rep.bottom_s).min() <= BOTTOM_TOL_S, describe(result)


@pytest.fixture(scope="module")
def side_lunges() -> Film:
    return film(ClipSpec("side", THREE_REPS, SIDE, fps=FPS))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scenes")


# ---------------------------------------------------------------------------------------------
# 1. The person leaves and comes back
# ---------------------------------------------------------------------------------------------

@dataclass
class AwayAndBack:
    film: Film
    gaps: list[tuple[float, float]]   # seconds with the empty room instead of the person
    result: object


AWAY_S = 4.0  # the empty room between two reps


@pytest.fixture(scope="module")
def away_and_back(side_lunges, workdir) -> AwayAndBack:
    """The three reps with the person gone for 4 s of empty room between the first two (they
    walk off and come back to their spot), and gone again from the middle of the third rep's
    descent to the middle of its ascent (its bottom is never seen)."""
    clip, away = side_lunges, round(AWAY_S * FPS)
    cut = round((clip.reps[0]["end_s"] + 0.35) * FPS)  # standing between rep 1 and rep 2
    frames = clip.frames[:cut] + [clip.background] * away + clip.frames[cut:]
    later = {k: AWAY_S for k in ("start_s", "bottom_s", "end_s")}
    reps = [r if r["end_s"] * FPS < cut else {**r, **{k: r[k] + d for k, d in later.items()}} for r in clip.reps]
    hidden = reps[2]
    gaps = [(cut / FPS, (cut + away) / FPS),
            ((hidden["start_s"] + hidden["bottom_s"]) / 2, (hidden["bottom_s"] + hidden["end_s"]) / 2)]
    t = np.arange(len(frames)) / FPS
    gone = (t > gaps[1][0]) & (t < gaps[1][1])
    frames = [clip.background if g else f for f, g in zip(frames, gone, strict=True)]
    result = analyze_video(write_mp4(workdir / "away_and_back.mp4", frames), model="full")
    return AwayAndBack(Film(frames, clip.background, t, reps), gaps, result)


def _overlaps(a: float, b: float, gaps: list[tuple[float, float]]) -> bool:
    return any(a < g1 and b > g0 for g0, g1 in gaps)


def test_person_leaving_and_coming_back_counts_what_was_seen(away_and_back):
    """Reps wholly in view are counted; the rep whose bottom was hidden is not (at most an
    incomplete rep "person lost from view"); no rep spans an empty stretch."""
    res, gaps = away_and_back.result, away_and_back.gaps
    seen = away_and_back.film.per_leg(lambda rep: not _overlaps(rep["start_s"], rep["end_s"], gaps))
    assert seen == {"left": 1, "right": 1, "unknown": 0}  # guards the scene: rep 3 is the hidden one
    assert res.reps_per_leg() == seen, describe(res)
    assert_bottoms_match(res, away_and_back.film.reps)
    for r in res.complete_reps:
        assert not _overlaps(r.rep.start_s, r.rep.end_s, gaps), describe(res)
    cut = [r for r in res.reps if _overlaps(r.rep.start_s, r.rep.end_s, gaps)]
    assert all(not r.rep.complete for r in cut), describe(res)


def test_a_rep_cut_by_the_gap_invents_no_cue(away_and_back):
    assert flagged(away_and_back.result) == [], describe(away_and_back.result)


def test_leaving_the_view_is_reported(away_and_back):
    assert any("out of view" in w for w in away_and_back.result.warnings), describe(away_and_back.result)


# ---------------------------------------------------------------------------------------------
# 2. Two people: a bystander walks past behind the person
# ---------------------------------------------------------------------------------------------

@dataclass
class Walker:
    frames: list[np.ndarray]
    masks: list[np.ndarray]


def _person_mask(frame: np.ndarray, background: np.ndarray, tol: int = 18) -> np.ndarray:
    """Pixels that differ from the empty room: the figure and its shadow."""
    return np.abs(frame.astype(np.int16) - background).max(axis=2) > tol


@pytest.fixture(scope="module")
def walker() -> Walker:
    """Someone else (other clothes, other build) walking forward across the room, facing left."""
    spec = WalkSpec("bystander", direction="forward", steps=8, cadence_spm=60, step_length_ratio=0.6,
                    camera=CameraSpec(yaw_deg=-90.0), fps=FPS, lead_in_s=0.3, tail_s=0.3, supersample=1,
                    look=Appearance(shirt=(40, 40, 160), shorts=(30, 30, 30), hair=(20, 20, 20)))
    timeline, _ = plan_walk(spec)
    frames, background = _draw(sample_motion(timeline, spec.fps, spec.body, spec.arms), spec)
    return Walker(frames, [_person_mask(f, background) for f in frames])


def _feet_and_height(masks: list[np.ndarray]) -> tuple[float, float]:
    rows = [np.flatnonzero(m.any(axis=1)) for m in masks]
    return float(np.median([r[-1] for r in rows])), float(np.median([r[-1] - r[0] for r in rows]))


def with_bystander(main: Film, walker: Walker, size: float) -> list[np.ndarray]:
    """Paste the walker ``size`` times the main person's height, farther back (feet higher in
    the image), behind the main person: only over pixels where the main frame shows the room."""
    feet, height = _feet_and_height([_person_mask(f, main.background) for f in main.frames[:10]])
    w_feet, w_height = _feet_and_height(walker.masks)
    scale = size * height / w_height
    shift = np.float32([[scale, 0, 0], [0, scale, feet - 100 * (1 - size) - scale * w_feet]])
    out = []
    for i, frame in enumerate(main.frames):
        j = min(i, len(walker.frames) - 1)
        h, w = frame.shape[:2]
        pasted = cv2.warpAffine(walker.frames[j], shift, (w, h), flags=cv2.INTER_AREA)
        mask = cv2.warpAffine(walker.masks[j].astype(np.uint8) * 255, shift, (w, h)) > 127
        mask &= ~_person_mask(frame, main.background)
        composed = frame.copy()
        composed[mask] = pasted[mask]
        out.append(composed)
    return out


@pytest.mark.parametrize("size", [
    # Until mediapipe 1.2.3 / opencv 5.1 (installed from PyPI since 2026-11-30) MediaPipe took this
    # smaller, partly hidden bystander's legs for the person's (a phantom rep with cues); now the
    # count is right. The people count still never sees this one (one person at every check).
    0.6,
    0.85,  # the tracker follows the bystander from 6.7 s (counted left 2 right 0): the warning says why
], ids=["farther", "nearer"])
def test_a_second_person_walking_past(side_lunges, walker, workdir, size):
    """Either the main person's count stays right with no invented cue, or formcheck says it
    could not follow one person (proposed wording: 'more than one person ...')."""
    path = write_mp4(workdir / f"bystander_{size}.mp4", with_bystander(side_lunges, walker, size))
    res = analyze_video(path, model="full")
    if any("more than one person" in w for w in res.warnings):
        return
    assert res.reps_per_leg() == side_lunges.per_leg() and not flagged(res), describe(res)


def test_head_out_of_frame(side_lunges, workdir):
    """The camera tilted down: everything above the neck cut off. MediaPipe's person detector
    looks for a face, so either the reps are still counted right with no invented cue, or the
    refusal says that nobody was found; never a phantom rep."""
    rows = np.flatnonzero(_person_mask(side_lunges.frames[0], side_lunges.background).any(axis=1))
    neck = rows[0] + round(0.13 * (rows[-1] - rows[0]))  # the head is about an eighth of the height
    out = _analyse_or_refusal(write_mp4(workdir / "headless.mp4", [f[neck:] for f in side_lunges.frames]))
    if isinstance(out, FormcheckError):
        assert isinstance(out, NoPersonError) and "no person was found" in str(out), out
        return
    assert flagged(out) == [], describe(out)
    assert out.reps_per_leg() == side_lunges.per_leg(), describe(out)


# ---------------------------------------------------------------------------------------------
# 3. Mirrored video (front cameras mirror what they film)
# ---------------------------------------------------------------------------------------------

def test_mirrored_video_counts_the_same_reps_with_the_legs_swapped(side_lunges, workdir):
    """A mirror image of someone stepping back with the left leg is, pixel for pixel, an image of
    someone stepping back with the right leg: no video analysis can tell them apart. So the truth
    of a mirrored clip is the original's reps with left and right exchanged (2 left + 1 right
    becomes 1 left + 2 right), at the same times. Pass the unmirrored file to count real legs."""
    path = write_mp4(workdir / "mirrored.mp4", [f[:, ::-1] for f in side_lunges.frames])
    res = analyze_video(path, model="full")
    truth = side_lunges.per_leg()
    assert res.reps_per_leg() == {"left": truth["right"], "right": truth["left"], "unknown": 0}, describe(res)
    assert [r.rep.leg for r in res.complete_reps] == ["right", "left", "right"], describe(res)
    assert_bottoms_match(res, side_lunges.reps)
    assert flagged(res) == [], describe(res)


# ---------------------------------------------------------------------------------------------
# 4. Portrait and rotation-tagged phone videos
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portrait_lunges() -> Film:
    return film(ClipSpec("portrait", THREE_REPS, SIDE, size=(480, 854), fps=FPS))


def test_portrait_video(portrait_lunges, workdir):
    res = analyze_video(write_mp4(workdir / "portrait.mp4", portrait_lunges.frames), model="lite")
    assert res.image_size == (480, 854)
    assert res.reps_per_leg() == portrait_lunges.per_leg(), describe(res)
    assert_bottoms_match(res, portrait_lunges.reps)


def test_rotation_tagged_phone_video_is_analysed_upright(portrait_lunges, workdir):
    """Phones store portrait video as landscape frames plus a display rotation in the container;
    ffmpeg writes the tag the way phones do, and the frames must come out upright."""
    stored = write_mp4(workdir / "stored.mp4", [cv2.rotate(f, cv2.ROTATE_90_CLOCKWISE) for f in portrait_lunges.frames])
    tagged = workdir / "tagged.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(stored), "-c", "copy", str(tagged))
    assert (probe(stored).width, probe(stored).height) == (854, 480)
    assert (probe(tagged).width, probe(tagged).height) == (480, 854)
    first = next(read_frames(tagged)).image
    assert np.abs(first.astype(int) - portrait_lunges.frames[0]).mean() < 8  # upright, codec noise only
    res = analyze_video(tagged, model="lite")
    assert res.image_size == (480, 854)
    assert res.reps_per_leg() == portrait_lunges.per_leg(), describe(res)
    assert_bottoms_match(res, portrait_lunges.reps)


# ---------------------------------------------------------------------------------------------
# 5. Very dark and blown-out footage
# ---------------------------------------------------------------------------------------------

def darken(frames: list[np.ndarray], gain: float, noise: float = 3.0) -> list[np.ndarray]:
    """Underexposure: scaled down, then sensor noise (what a phone's gain leaves in the dark)."""
    rng = np.random.default_rng(1)
    out = []
    for f in frames:
        dark = rng.standard_normal(f.shape, dtype=np.float32) * np.float32(noise) + f * np.float32(gain)
        out.append(np.clip(dark, 0, 255).astype(np.uint8))
    return out


def blow_out(frames: list[np.ndarray], gain: float, offset: float) -> list[np.ndarray]:
    return [np.clip(f.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8) for f in frames]


EXPOSURES = {  # name: (edit, the exposure sources.exposure_problem must name: None / "dark" / "washed out")
    "dim": (lambda fr: darken(fr, 0.15), None),                # mean brightness 25
    "very_dark": (lambda fr: darken(fr, 0.08), "dark"),        # 13
    "black": (lambda fr: darken(fr, 0.05), "dark"),            # 7
    "bright": (lambda fr: blow_out(fr, 1.5, 40), None),        # 246, contrast 15.5
    "blown_out": (lambda fr: blow_out(fr, 2.2, 60), "washed out"),  # 251, contrast 6.4
    "white": (lambda fr: blow_out(fr, 4.0, 120), "washed out"),     # 252, contrast 0.2
}


@pytest.fixture(scope="module")
def exposed(side_lunges, workdir) -> Callable[[str], Path]:
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = write_mp4(workdir / f"exposure_{name}.mp4", EXPOSURES[name][0](side_lunges.frames))
        return cache[name]

    return get


def measured_exposure(path: Path, max_frames: int = 400) -> str | None:
    frames = list(islice(read_frames(path, max_side=64), max_frames))
    return exposure_problem(np.array([f.luma for f in frames]), np.array([f.luma_std for f in frames]),
                            load_profile())


@pytest.mark.parametrize("name", sorted(EXPOSURES))
def test_exposure_is_measured_while_decoding(exposed, name):
    problem, expected = measured_exposure(exposed(name)), EXPOSURES[name][1]
    assert (problem is None) if expected is None else (expected in str(problem)), problem


@pytest.mark.skipif(not (SHARED_VIDEOS / "forward_lunge_side.mp4").is_file(), reason="shared clips not available")
@pytest.mark.slow
def test_a_white_backdrop_is_not_overexposure():
    """A real studio clip: 92% of its pixels are white, yet the person stands out (contrast 46)."""
    assert measured_exposure(SHARED_VIDEOS / "forward_lunge_side.mp4") is None


def _analyse_or_refusal(path: Path):
    try:
        return analyze_video(path, model="full")
    except (NoPersonError, NotAnalyzableError) as exc:
        return exc


@pytest.mark.parametrize("name", ["dim", "very_dark", "black", "bright", "blown_out", "white"])
def test_dark_or_blown_out_footage_counts_right_or_says_why(side_lunges, exposed, name):
    """Correct reps with no cue, or (when the exposure is the problem) a warning or refusal that
    names it. Never a phantom rep or an invented cue, warned or not."""
    out = _analyse_or_refusal(exposed(name))
    problem = EXPOSURES[name][1]
    if isinstance(out, FormcheckError):
        assert problem is not None and problem in str(out), f"refused: {out}"
        return
    assert flagged(out) == [], describe(out)
    assert all(r.rep.complete for r in out.reps) or problem, describe(out)
    if problem is None:
        assert out.reps_per_leg() == side_lunges.per_leg(), describe(out)
        assert_bottoms_match(out, side_lunges.reps)
    else:
        assert any(problem in w for w in out.warnings), describe(out)


# ---------------------------------------------------------------------------------------------
# 6. Variable frame rate
# ---------------------------------------------------------------------------------------------

def test_variable_frame_rate_keeps_real_time(side_lunges, workdir):
    """A phone drops to half its frame rate when the light falls: 15 fps for the first half, then
    7.5 fps, written with each frame's own timestamp (ffmpeg select + passthrough timing). Times
    must be the container's: ``index / average fps`` would put the middle of the clip ~2 s late."""
    cfr = write_mp4(workdir / "cfr.mp4", side_lunges.frames)
    half = len(side_lunges.frames) // 2
    vfr = workdir / "vfr.mp4"
    ffmpeg("-i", str(cfr), "-vf", f"select='lt(n\\,{half})+not(mod(n\\,2))'", "-fps_mode", "passthrough",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", str(vfr))
    kept = np.array([i for i in range(len(side_lunges.frames)) if i < half or i % 2 == 0])
    info = probe(vfr)
    assert info.fps < 0.9 * FPS  # guards the scene: the file really is variable (its average rate)
    res = analyze_video(vfr, model="lite")
    assert len(res.series) == len(kept)
    assert np.abs(res.series.t - kept / FPS).max() < 0.002  # the container's presentation times
    assert res.summary()["duration_s"] == pytest.approx(kept[-1] / FPS, abs=0.002)
    assert res.reps_per_leg() == side_lunges.per_leg(), describe(res)
    assert_bottoms_match(res, side_lunges.reps)
    for r, truth in zip(res.complete_reps, [t for t in side_lunges.reps if t["complete"]], strict=True):
        assert abs((r.rep.end_s - r.rep.start_s) - (truth["end_s"] - truth["start_s"])) < 0.5, describe(res)


# ---------------------------------------------------------------------------------------------
# 7. Paths: no read permission; a report path that is not a regular file
# ---------------------------------------------------------------------------------------------

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run this Python as uid 65534, importing the same formcheck as the tests (``cwd`` elsewhere)."""
    package_root = str(Path(formcheck.__file__).resolve().parents[1])
    env = {**os.environ, "HOME": str(cwd), "MPLCONFIGDIR": str(cwd),
           "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([*NOBODY, sys.executable, *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


def _folder_for_nobody() -> Path:
    """A folder anyone may enter, where uid 65534 can run this Python and formcheck; the test is
    skipped where it cannot (not root, no setpriv, or a checkout inside a folder only root may read)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("cannot drop privileges here (needs root and setpriv)")
    folder = Path(tempfile.mkdtemp(prefix="formcheck-perm-"))
    folder.chmod(0o755)
    if _as_nobody("-c", "import formcheck.cli", cwd=folder).returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip("the unprivileged user cannot read this Python or formcheck")
    return folder


def test_a_file_without_read_permission(side_lunges):
    """The tests run as root, whom chmod cannot stop: the CLI runs as the unprivileged user
    (uid 65534) on a mode-000 file in a folder anyone may enter."""
    folder = _folder_for_nobody()
    try:
        video = write_mp4(folder / "private.mp4", side_lunges.frames[:10])
        video.chmod(0)
        proc = _as_nobody("-m", "formcheck.cli", "analyze", str(video), cwd=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "permission denied" in lines[0].lower(), proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_profile_without_read_permission(side_lunges):
    """The same for ``--profile``: one line and the profile's exit code (4), not a usage box."""
    folder = _folder_for_nobody()
    try:
        video = write_mp4(folder / "clip.mp4", side_lunges.frames[:10])
        profile = folder / "mine.toml"
        profile.write_text("[checks.knee]\nvalgus_deg = 12.0\n")
        profile.chmod(0)
        proc = _as_nobody("-m", "formcheck.cli", "analyze", str(video), "--profile", str(profile), cwd=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert proc.returncode == 4, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "permission denied" in lines[0].lower(), proc.stderr


def test_a_report_written_to_a_pipe_stays_a_pipe(tmp_path):
    from formcheck.report.atomic import write_text_atomic

    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is waiting: writing cannot block
    try:
        write_text_atomic(fifo, '{"ok": 1}\n')
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert os.read(reader, 100) == b'{"ok": 1}\n'
    finally:
        os.close(reader)


def test_a_report_written_through_a_symlink_keeps_the_link(tmp_path):
    from formcheck.report.atomic import write_text_atomic

    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    write_text_atomic(link, '{"ok": 2}\n')
    assert link.is_symlink() and real.read_text() == '{"ok": 2}\n'
    assert sorted(p.name for p in real.parent.iterdir()) == ["latest.json"]  # no temp file left behind
