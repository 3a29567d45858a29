"""The HTML report and the annotated video: hand-checked pieces, then a real sample in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import SAMPLES
from formcheck.overlay import BONE
from formcheck.report.html import _mirror_note
from formcheck.report.insights import form_score, imbalances, leg_summaries, top_fixes
from formcheck.report.svg import Line, Threshold, line_plot

CLIP = SAMPLES / "lunge_side_knee.mp4"  # rep 2, 5 knee past toes; rep 4 too shallow (6 reps, side view)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# --- pieces, by hand ---------------------------------------------------------------------------
def test_plot_breaks_lines_at_gaps_and_places_thresholds_exactly():
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    svg = line_plot("p", t, [Line("a", np.array([0.0, 10.0, np.nan, 20.0, 30.0]), "#000")], "deg",
                    thresholds=[Threshold(25.0, "limit")], width=152, height=160, y_range=(0.0, 100.0))
    # plot area: x from 52 to 140 (152 - 52 - 12 wide: 88 px per 4 s), y from 26 to 126 (100 px per 100 deg)
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert lines == ["52.0,126.0 74.0,116.0", "118.0,106.0 140.0,96.0"]  # the NaN splits the line in two
    assert 'y1="101.0" y2="101.0"' in svg  # 25 deg: 126 - 25


def test_plot_of_nothing_says_so():
    svg = line_plot("p", np.arange(5.0), [Line("a", np.full(5, np.nan), "#000")], "deg")
    assert "not measurable from this view" in svg and "<polyline" not in svg


def _check(code: str, status: str) -> dict:
    return {"code": code, "status": status}


def _rep(index: int, leg: str, mistakes: list[str], checks: list[dict], front: float, lean: float) -> dict:
    return {"index": index, "leg": leg, "complete": True, "mistakes": [{"code": c, "side": "left"} for c in mistakes],
            "checks": checks, "values": {"front_knee_flexion_deg": front, "back_knee_flexion_deg": 80.0,
                                         "trunk_lean_forward_deg": lean}}


def toy_report() -> dict:
    ok, bad, na = "ok", "flagged", "not_assessed"
    return {"reps": [
        # depth is checked on both knees: it counts once, failed if either failed
        _rep(1, "left", ["depth_short"], [_check("depth_short", bad), _check("depth_short", ok),
                                          _check("trunk_lean_forward", ok), _check("knee_caving_in", na)], 60.0, 5.0),
        _rep(2, "right", [], [_check("depth_short", ok), _check("depth_short", ok),
                              _check("trunk_lean_forward", ok)], 90.0, 4.0),
        _rep(3, "left", ["depth_short", "trunk_lean_forward"],
             [_check("depth_short", bad), _check("trunk_lean_forward", bad)], 66.0, 25.0),
    ]}


def test_the_header_says_whether_and_from_when_the_mirror_pass_ran():
    assert _mirror_note({"mirror_pass": False, "mirror_pass_from_s": None}) == ""
    assert _mirror_note({"mirror_pass": True, "mirror_pass_from_s": 0.0}) == " + mirror pass"
    assert _mirror_note({"mirror_pass": True, "mirror_pass_from_s": 2.03}) == " + mirror pass from 2 s"
    assert _mirror_note({"mirror_pass": True}) == " + mirror pass"   # a report from before the field


def test_form_score_counts_each_assessed_check_once_per_rep():
    # rep 1: depth failed, lean passed (caving not assessed); rep 2: 2 passed; rep 3: 2 failed -> 3 of 6
    assert form_score(toy_report()) == 50.0


def test_an_uncertain_check_counts_neither_way_in_the_form_score():
    report = toy_report()
    report["reps"][1]["checks"].append(_check("trunk_lean_side", "uncertain"))
    assert form_score(report) == 50.0


def test_top_fixes_by_frequency_then_importance():
    fixes = top_fixes(toy_report(), {"trunk_lean_forward": 5.0, "depth_short": 4.0})
    assert [(f.code, f.reps, f.of_reps) for f in fixes] == [("depth_short", 2, 3), ("trunk_lean_forward", 1, 3)]


def test_left_right_comparison_and_imbalances():
    legs = leg_summaries(toy_report())
    assert (legs["left"].reps, legs["left"].front_knee_deg, legs["left"].trunk_lean_deg) == (2, 63.0, 15.0)
    assert (legs["right"].mistakes, legs["left"].mistakes, legs["right"].clean_reps) == (0, 3, 1)
    notes = imbalances(legs)
    # left-leg-back reps (right leg working) bend the front knee 63 against 90: the left leg works deeper
    assert any("The left leg works through a deeper lunge than the right (27 deg" in n for n in notes)
    assert any("lean forward 11 deg more when stepping back with the left" in n for n in notes)
    assert any("stepping back with the left leg (3 against 0)" in n for n in notes)


# --- a real sample, end to end -----------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("html")
    proc = cli("analyze", str(CLIP), "--json", str(d / "r.json"), "--html", str(d / "r.html"),
               "--annotated", str(d / "a.mp4"), "--trc", str(d / "m.trc"), "--mot", str(d / "j.mot"))
    assert proc.returncode == 0, proc.stderr
    (d / "stderr.txt").write_text(proc.stderr)
    return d


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed (tools/system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def test_html_loads_offline_with_every_plot_and_thumbnail(outputs, browser):
    page, problems, requests = open_page(browser, outputs / "r.html")
    assert problems == []
    assert requests == [(outputs / "r.html").as_uri()]  # the page itself and nothing else: no network
    report = json.loads((outputs / "r.json").read_text())
    assert page.locator("svg.plot").count() == 3
    for i in range(3):  # each plot has its rep bands, bottom markers, thresholds and at least one line
        plot = page.locator("svg.plot").nth(i)
        assert plot.locator("polyline").count() >= 1
        assert plot.locator(".bottom-marker").count() == len(report["reps"])
        assert plot.locator(".threshold").count() >= 2
    sizes = page.evaluate("Array.from(document.querySelectorAll('img.thumb')).map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) == len(report["reps"]) == 6 and all(ok and w > 100 for ok, w in sizes)
    text = page.inner_text("body")
    assert "3 of 12-15 reps" in text and "1 of 2-3 sets" in text and "Form score" in text
    fixes = page.inner_text("#fixes")
    assert "Did not lower to about 90 degrees" in fixes and "Front knee travelled past the toes" in fixes
    assert "not assessed" in page.inner_text("#reps").lower()
    shot = outputs / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    pdf = page.pdf(format="A4")  # prints
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    page.close()


def test_thumbnails_mark_the_faulty_segment(outputs, browser):
    import base64

    import cv2

    report = json.loads((outputs / "r.json").read_text())
    page, _, _ = open_page(browser, outputs / "r.html")
    srcs = page.evaluate("Array.from(document.querySelectorAll('img.thumb')).map(i => i.src)")
    page.close()

    def red_pixels(src: str) -> int:
        img = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        b, g, r = (img[..., k].astype(int) for k in range(3))
        return int(((r > 180) & (g < 90) & (b < 90)).sum())

    for rep, src in zip(report["reps"], srcs, strict=True):
        if rep["mistakes"]:
            assert red_pixels(src) > 150, rep["index"]
        else:
            assert red_pixels(src) < 30, rep["index"]


def test_saved_report_renders_the_same_page(outputs):
    proc = cli("report", str(outputs / "r.json"), "--html", str(outputs / "again.html"))
    assert proc.returncode == 0, proc.stderr
    assert (outputs / "again.html").read_text() == (outputs / "r.html").read_text()


def test_report_without_the_video_draws_skeletons_on_plain_ground(outputs, browser):
    proc = cli("report", str(outputs / "r.json"), "--html", str(outputs / "novideo.html"),
               "--video", str(outputs / "gone.mp4"))
    assert proc.returncode == 0, proc.stderr
    page, problems, _ = open_page(browser, outputs / "novideo.html")
    assert problems == [] and page.locator("img.thumb").count() == 6
    assert "video was not available" in page.inner_text("#thumbnails")
    page.close()


@pytest.mark.parametrize("content, words", [("not json", "cannot read"), ('{"a": 1}', "not a formcheck report")])
def test_report_of_something_else_is_one_line(tmp_path, content, words):
    src = tmp_path / "x.json"
    src.write_text(content)
    proc = cli("report", str(src), "--html", str(tmp_path / "x.html"))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and words in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.html").exists()


def test_annotated_video_has_every_frame_with_the_overlay(outputs):
    import cv2

    src, out = cv2.VideoCapture(str(CLIP)), cv2.VideoCapture(str(outputs / "a.mp4"))
    assert int(out.get(cv2.CAP_PROP_FRAME_COUNT)) == int(src.get(cv2.CAP_PROP_FRAME_COUNT))
    assert (out.get(cv2.CAP_PROP_FRAME_WIDTH), out.get(cv2.CAP_PROP_FRAME_HEIGHT)) == \
        (src.get(cv2.CAP_PROP_FRAME_WIDTH), src.get(cv2.CAP_PROP_FRAME_HEIGHT))
    report = json.loads((outputs / "r.json").read_text())
    shallow = report["reps"][3]  # rep 4: the depth cue comes just after its bottom
    frame = round((shallow["bottom_s"] + 0.8) * out.get(cv2.CAP_PROP_FPS))
    out.set(cv2.CAP_PROP_POS_FRAMES, frame)
    ok, img = out.read()
    assert ok
    bone = np.all(np.abs(img.astype(int) - np.array(BONE)) <= 40, axis=-1).sum()
    cue_green = ((img[..., 1] > 180) & (img[..., 0] < 130) & (img[..., 2] < 130)).sum()  # the cue's text
    assert bone > 300 and cue_green > 500


def _video_state(browser, folder, name: str) -> dict:
    """Open a page holding only ``<video src=name>`` and wait until Chromium has a frame to show."""
    page_path = folder / f"{name}.html"
    page_path.write_text(f'<!doctype html><video id="v" src="{name}" preload="auto" muted></video>')
    page = browser.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_function("document.getElementById('v').readyState >= 2 || document.getElementById('v').error",
                           timeout=20000)
    state = page.evaluate("(() => { const v = document.getElementById('v'); return {ready: v.readyState, "
                          "duration: v.duration, width: v.videoWidth, error: v.error && v.error.code}; })()")
    page.close()
    return state


def test_annotated_video_plays_in_chromium(outputs, browser):
    import cv2

    src = cv2.VideoCapture(str(CLIP))
    duration = src.get(cv2.CAP_PROP_FRAME_COUNT) / src.get(cv2.CAP_PROP_FPS)
    assert f"annotated video: {outputs / 'a.mp4'} (H.264 in MP4)" in (outputs / "stderr.txt").read_text()
    state = _video_state(browser, outputs, "a.mp4")
    assert state["error"] is None and state["ready"] >= 2
    assert state["duration"] == pytest.approx(duration, abs=0.05) and state["width"] == src.get(3)


def test_the_webm_fallback_plays_in_chromium(tmp_path, browser):
    from formcheck.report.encode import VP9_WEBM, choose_encoding
    from test_encode import NO_SUCH, write_clip

    encoding, path = choose_encoding(tmp_path / "b.mp4", (NO_SUCH, VP9_WEBM))
    write_clip(path, encoding, [i / 25 for i in range(50)])
    state = _video_state(browser, tmp_path, path.name)
    assert state["error"] is None and state["ready"] >= 2
    assert state["duration"] == pytest.approx(2.0, abs=0.05) and state["width"] == 160


def test_trc_and_mot_from_the_command_line_match_the_json(outputs):
    from test_opensim_files import parse_mot, parse_trc

    report = json.loads((outputs / "r.json").read_text())
    frames = report["frames"]
    trc, mot = parse_trc((outputs / "m.trc").read_text()), parse_mot((outputs / "j.mot").read_text())
    assert trc["file"] == "m.trc" and len(trc["t"]) == len(frames["t"]) == len(mot["t"])
    assert float(trc["header"]["DataRate"]) == pytest.approx(report["summary"]["fps"], abs=1e-3)
    np.testing.assert_allclose(mot["t"], frames["t"], atol=1e-3)
    for name in ("left_knee_flexion_deg", "right_knee_flexion_deg", "trunk_lean_forward_deg"):
        column = np.array([np.nan if v is None else v for v in frames[name]], float)
        np.testing.assert_allclose(mot["values"][:, mot["columns"].index(name)], column, atol=1e-3)
    ankle = trc["xyz"][:, trc["names"].index("LAnkle")]
    assert np.nanmedian(ankle[:, 1]) < -0.5  # Y up, hip-centred: the ankle is well below the hips
