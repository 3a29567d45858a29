"""The annotated video: the analysed clip with skeleton, knee angles, rep counter and cues drawn on.

It draws the live overlay (``overlay.draw_hud``) from the finished analysis, and its cues come
from the live cue policy run over the reps in time order, so a viewer sees what live mode would
have said. Encoded to play anywhere (``encode``: H.264 in MP4, else VP9 in WebM). Written to a
temp file beside the target and renamed: never a half-written video.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..analysis import Analysis
from ..errors import InputError
from ..feedback import DEPTH_CODES, CuePolicy
from ..overlay import HudState, draw_hud
from ..profile import Profile
from ..sources import probe, read_frames
from .atomic import usual_permissions
from .encode import Encoding, VideoEncoder, choose_encoding

TICK_S = 0.1


def cue_timeline(analysis: Analysis, profile: Profile) -> list[tuple[float, str]]:
    """(time, text) of each cue live mode's policy would give over this analysis."""
    policy = CuePolicy.from_profile(profile)
    events: list[tuple[float, int, object]] = []
    for r in analysis.complete_reps:
        codes = {f.code for f in r.mistakes}
        events.append((r.rep.bottom_s + profile["reps.bottom_window_s"], 0, codes & set(DEPTH_CODES)))
        events.append((r.rep.end_s, 1, codes))
    out: list[tuple[float, str]] = []
    said_at_bottom: set[str] = set()
    clock = 0.0
    for t, kind, codes in sorted(events, key=lambda e: (e[0], e[1])):
        while clock < t:  # live mode ticks every frame: a cue held by the cooldown comes out in between
            held = policy.tick(clock)
            if held is not None:
                out.append((clock, held.text))
            clock += TICK_S
        if kind == 0:
            cue = policy.at_bottom(codes, t)
            said_at_bottom = {cue.code} if cue else set()
        else:
            cue = policy.after_rep(codes, t, said_at_bottom=said_at_bottom)
        if cue is not None:
            out.append((t, cue.text))
    return out


def write_annotated(analysis: Analysis, video: str | os.PathLike, out_path: str | os.PathLike, profile: Profile,
                    progress: Callable[[int, int], None] | None = None) -> tuple[Path, Encoding]:
    """Draw the overlay on every frame of ``video`` (the clip ``analysis`` came from) into ``out_path``.

    Returns the file written (its suffix follows the encoding, see ``choose_encoding``) and the encoding.
    """
    info = probe(video)
    encoding, target = choose_encoding(Path(out_path))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
    os.close(fd)
    encoder = None
    try:
        encoder = VideoEncoder(Path(tmp), encoding, info.fps)
        _draw_all(analysis, video, encoder, profile, progress, info.frame_count)
        encoder.close()
        usual_permissions(tmp)
        os.replace(tmp, target)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, encoding


def _draw_all(analysis: Analysis, video, encoder: VideoEncoder, profile: Profile, progress, expected: int) -> None:
    m, series = analysis.metrics, analysis.series
    cues = cue_timeline(analysis, profile)
    hud = HudState(calibrated=True, unit=analysis.unit)
    display_s = profile["cues.display_s"]
    min_vis = profile["pose.min_visibility"]
    for i, frame in enumerate(read_frames(video)):
        if i >= len(series):
            break
        t = series.t[i]
        done = [c.leg for c in analysis.counted if c.frame <= i]
        hud.counts = {leg: done.count(leg) for leg in ("left", "right")}
        started = [r.rep.set for r in analysis.reps if r.rep.start_frame <= i]
        hud.set_number = started[-1] if started else 1
        hud.knees_deg = {s: float(m[f"{s}_knee_flexion_deg"][i]) for s in ("left", "right")}
        hud.cue = next((text for ct, text in reversed(cues) if ct <= t < ct + display_s), "")
        encoder.write(draw_hud(frame.image, series.image[i], hud, min_vis), frame.t)
        if progress is not None:
            progress(i + 1, expected)

