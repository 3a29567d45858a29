"""Screenshots for the README and the docs: the HTML report and the live window.

    python tools/screenshots.py        # writes docs/img/report.png and docs/img/live.png

Needs what the tests need: Debian's chromium with playwright (the report) and Xvfb (the window).
The report is of the bundled side-view sample; the window replays the live sample as if it were a
webcam, 9 s in (calibrated, into the second rep).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def report_png(folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    html = folder / "report.html"
    sample = ROOT / "sample_videos" / "lunge_side_knee.mp4"
    subprocess.run([sys.executable, "-m", "formcheck.cli", "analyze", str(sample), "--html", str(html), "-q"],
                   check=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1300})
        page.goto(html.as_uri())
        page.screenshot(path=str(OUT / "report.png"))
        browser.close()


def live_png() -> None:
    from PIL import ImageGrab

    display = ":97"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"} | {"DISPLAY": display}
    try:
        time.sleep(1.0)
        proc = subprocess.Popen([sys.executable, "-m", "formcheck.cli", "live", "--source",
                                 str(ROOT / "sample_videos" / "lunge_live_side.mp4"), "--no-voice"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(9)
        shot = ImageGrab.grab(xdisplay=display)
        box = shot.getbbox()
        shot.crop(box).save(OUT / "live.png")
        proc.terminate()
        proc.wait(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        report_png(Path(tmp))
    live_png()
    print(f"wrote {OUT / 'report.png'} and {OUT / 'live.png'}")
