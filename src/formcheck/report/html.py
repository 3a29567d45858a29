"""The HTML report: one self-contained page (inline CSS, SVG plots, JPEG thumbnails as data URIs).

Built from the report dict (what ``--json`` writes), so a fresh analysis and a saved session
render the same way. No scripts, no fonts, no network requests; it prints on A4 without cut plots.
"""

from __future__ import annotations

import math
import os
from html import escape
from pathlib import Path

import numpy as np

from ..feedback import describe
from ..profile import Profile, load_profile
from .atomic import write_text_atomic
from .insights import form_score, imbalances, leg_summaries, target_verdict, top_fixes
from .svg import Band, Line, Threshold, line_plot
from .thumbnails import bottom_frames, thumbnail_jpeg

HIP_RANGE_DEG = (-45.0, 45.0)  # the hip plot's axis: rotation glitches of 150+ deg are clipped, not scaled to
LEG_COLOUR = {"left": "#1f77b4", "right": "#e67e22"}
UNITS = {  # how a finding's value reads, by code
    "stance_too_narrow": "hip widths", "stance_too_wide": "hip widths", "step_too_short": "leg lengths",
    "step_too_long": "leg lengths", "step_crosses_midline": "hip widths", "knee_past_toes": "shin lengths",
    "back_heel_down": "leg lengths",
}
CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;
max-width:980px;margin:0 auto;padding:16px 20px 40px;background:#fafafa}
h1{font-size:26px;margin:8px 0 2px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #ddd}
.meta{color:#666;font-size:13px}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:170px;flex:1}
.card .big{font-size:28px;font-weight:600}.card .sub{color:#666;font-size:13px}
.ok{color:#1e8449}.warn{color:#b9770e}.bad{color:#c0392b}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border:1px solid #ddd;padding:5px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}
svg.plot{width:100%;height:auto;margin:6px 0;background:#fff}
.plot-title{font-size:14px;font-weight:600}.tick{font-size:11px;fill:#444}.plot-empty{font-size:14px;fill:#888}
.thumbs{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;background:#fff;border:1px solid #ddd;
border-radius:6px;padding:6px;width:300px}figure img{width:100%;height:auto;display:block}
figcaption{font-size:13px;margin-top:4px}.na{color:#888;font-size:13px}
@media print{body{background:#fff;max-width:none;padding:0}section,figure,svg.plot,tr{break-inside:avoid}
.card{border-color:#999}}
"""


def _num(v, digits: int = 0) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def _profile_of(report: dict) -> Profile:
    path = report.get("profile")
    try:
        return load_profile(path if path and Path(path).is_file() else None)
    except Exception:  # a profile moved or changed since: the defaults still draw the page
        return load_profile()


def _series(report: dict, name: str) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in report.get("frames", {}).get(name, [])], float)


def plots(report: dict, profile: Profile) -> list[str]:
    """Knee flexion, trunk lean and hip alignment over time, with rep bands, bottoms and thresholds."""
    t = _series(report, "t")
    if len(t) < 2:
        return ['<p class="na">No per-frame data in this report.</p>']
    bands = [Band(r["start_s"], r["end_s"], LEG_COLOUR.get(r["leg"], "#888"),
                  f'rep {r["index"]}: {r["leg"]} leg back') for r in report["reps"]]
    bottoms = [r["bottom_s"] for r in report["reps"]]
    p = profile
    knee = line_plot("Knee flexion (0 = straight; about 90 at the bottom of a good lunge)", t,
                     [Line("left knee", _series(report, "left_knee_flexion_deg"), LEG_COLOUR["left"]),
                      Line("right knee", _series(report, "right_knee_flexion_deg"), LEG_COLOUR["right"])],
                     "degrees", bands, bottoms,
                     [Threshold(p["checks.knee.depth_front_min_flexion_deg"], "front knee depth target"),
                      Threshold(p["checks.knee.depth_back_min_flexion_deg"], "back knee depth target", "#8e44ad")])
    trunk = line_plot("Trunk lean (0 = upright)", t,
                      [Line("forward", _series(report, "trunk_lean_forward_deg"), "#2c3e50"),
                       Line("sideways", _series(report, "trunk_lean_side_deg"), "#16a085")],
                      "degrees", bands, bottoms,
                      [Threshold(p["checks.posture.trunk_forward_deg"], "forward limit"),
                       Threshold(p["checks.posture.trunk_side_deg"], "sideways limit", "#16a085"),
                       Threshold(-p["checks.posture.trunk_side_deg"], "", "#16a085")])
    hips = line_plot("Hip alignment (pelvis tilt and rotation; shown for reference, see limits)", t,
                     [Line("tilt", _series(report, "pelvis_tilt_deg"), "#7f8c8d"),
                      Line("rotation", _series(report, "pelvis_rotation_deg"), "#c0392b")],
                     "degrees", bands, bottoms,
                     [Threshold(p["checks.posture.hip_drop_deg"], "tilt limit", "#7f8c8d"),
                      Threshold(p["checks.posture.hip_rotation_deg"], "rotation limit")], y_range=HIP_RANGE_DEG)
    return [knee, trunk, hips]


def _cards(cards: list[tuple[str, str, str]]) -> str:
    """A row of cards: (label, big value as HTML, small print)."""
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="sub">{escape(k)}</div><div class="big">{v}</div>'
        f'<div class="sub">{escape(sub)}</div></div>' for k, v, sub in cards) + "</div>"


def _summary(report: dict, profile: Profile) -> str:
    s = report["summary"]
    legs = s["reps_per_leg"]
    target = tuple(s["target_reps_per_leg"])
    score = form_score(report)
    score_cls = "ok" if score is not None and score >= 90 else "warn" if score is not None and score >= 70 else "bad"
    cards = [
        ("Left leg back", str(legs["left"]), target_verdict(legs["left"], target, "reps")),
        ("Right leg back", str(legs["right"]), target_verdict(legs["right"], target, "reps")),
        ("Sets", str(s["sets"]), target_verdict(s["sets"], tuple(s["target_sets"]), "sets")),
        ("Form score", "–" if score is None else f'<span class="{score_cls}">{score:.0f}%</span>',
         "checks passed on complete reps"),
    ]
    html = ['<section id="summary"><h2>Summary</h2>', _cards(cards)]
    fixes = top_fixes(report, profile.section("cues.priority"))
    if fixes:
        html.append("<h3>Top things to fix</h3><ol id=\"fixes\">")
        html += [f"<li><b>{escape(f.what.capitalize())}</b> on {f.reps} of {f.of_reps} reps. "
                 f"{escape(f.cue)}.</li>" for f in fixes]
        html.append("</ol>")
    elif s["complete_reps"]:
        html.append('<p class="ok" id="fixes">No mistakes found on any complete rep.</p>')
    for w in report.get("warnings", []):
        html.append(f'<p class="warn">Warning: {escape(w)}</p>')
    html.append("</section>")
    return "".join(html)


def _legs(report: dict) -> str:
    legs = leg_summaries(report)
    rows = [("Reps", lambda x: str(x.reps)),
            ("Front knee at the bottom (depth)", lambda x: _num(x.front_knee_deg) + "°"),
            ("Back knee at the bottom", lambda x: _num(x.back_knee_deg) + "°"),
            ("Forward trunk lean", lambda x: _num(x.trunk_lean_deg) + "°"),
            ("Mistakes", lambda x: str(x.mistakes)), ("Clean reps", lambda x: str(x.clean_reps))]
    html = ['<section id="legs"><h2>Left vs right</h2><table><tr><th></th>'
            '<th>Left leg back (right leg working)</th><th>Right leg back (left leg working)</th></tr>']
    html += [f"<tr><th>{escape(name)}</th><td>{get(legs['left'])}</td><td>{get(legs['right'])}</td></tr>"
             for name, get in rows]
    html.append("</table>")
    notes = imbalances(legs)
    html += [f'<p class="warn">{escape(n)}</p>' for n in notes] or ['<p class="ok">No left/right imbalance worth '
                                                                   'noting.</p>']
    html.append("</section>")
    return "".join(html)


def _finding(m: dict) -> str:
    """A finding as 'what: measured vs limit'; an uncertain one, close to its limit by definition,
    with one more digit so the two numbers differ."""
    side = f" ({m['side']})" if m.get("side") not in (None, "", "none") else ""
    if m.get("value") is None:
        return f"{escape(describe(m['code']))}{side}"
    unit = UNITS.get(m["code"], "°")
    unit = unit if unit == "°" else " " + unit
    sign = "&lt;" if m["compare"] == "below" else "&gt;"
    digits = (0 if unit == "°" else 2) + (m.get("status") == "uncertain")
    return (f"{escape(describe(m['code']))}{side}: {_num(m['value'], digits)}{unit} {sign} "
            f"{_num(m['threshold'], digits)}{unit}")


def _rep_table(report: dict) -> str:
    html = ['<section id="reps"><h2>Every rep</h2><table><tr><th>Rep</th><th>Set</th><th>Leg back</th>'
            "<th>Variant</th><th>Bottom (s)</th><th>Front knee</th><th>Trunk lean</th>"
            "<th>Mistakes (measured vs limit)</th></tr>"]
    for r in report["reps"]:
        v = r["values"]
        if not r["complete"]:
            mistakes = f'<span class="warn">incomplete: {escape(r["incomplete_reason"])}</span>'
        else:
            mistakes = "<br>".join(_finding(m) for m in r["mistakes"]) or '<span class="ok">clean</span>'
            mistakes += "".join(f'<br><span class="na">uncertain: {_finding(m)}</span>' for m in r.get("uncertain", []))
        html.append(f'<tr><td>{r["index"]}</td><td>{r["set"]}</td><td>{escape(r["leg"])}</td><td>{escape(r["variant"])}'
                    f'</td><td>{r["bottom_s"]:.1f}</td><td>{_num(v.get("front_knee_flexion_deg"))}°</td>'
                    f'<td>{_num(v.get("trunk_lean_forward_deg"))}°</td><td>{mistakes}</td></tr>')
    html.append("</table>")
    unseen = sorted({c["code"] for r in report["reps"] for c in r["checks"] if c["status"] == "not_assessed"})
    if str(report.get("view", "")).startswith("rear"):
        html.append('<p class="na">Filmed from behind: the reps are counted, but no check is judged from this '
                    "view. Film from the side or the front for form feedback.</p>")
    if unseen:
        html.append(f'<p class="na">Not assessed from this camera view (never counted as passed): '
                    f'{escape(", ".join(describe(c) for c in unseen))}.</p>')
    html.append("</section>")
    return "".join(html)


def _thumbs(report: dict, video: str | os.PathLike | None, profile: Profile) -> str:
    reps = [r for r in report["reps"] if r.get("bottom_pose")]
    frames = bottom_frames(video, [r["bottom_s"] for r in reps])
    size = tuple(report.get("image_size") or (640, 480))
    html = ['<section id="thumbnails"><h2>The bottom of each rep</h2><div class="thumbs">']
    for r in reps:
        pose = np.array([[math.nan if v is None else v for v in p] for p in r["bottom_pose"]], float)
        jpeg = thumbnail_jpeg(frames.get(r["bottom_s"]), pose, r["mistakes"], size, profile["pose.min_visibility"])
        what = "; ".join(sorted({describe(m["code"]) for m in r["mistakes"]})) or "clean"
        html.append(f'<figure><img class="thumb" alt="rep {r["index"]} at its bottom" '
                    f'src="data:image/jpeg;base64,{jpeg}"><figcaption><b>Rep {r["index"]}</b>, {escape(r["leg"])} '
                    f"leg back, {r['bottom_s']:.1f} s: {escape(what)}</figcaption></figure>")
    html.append("</div>")
    if reps and not frames:
        html.append('<p class="na">The video was not available: skeletons are drawn on a plain background.</p>')
    html.append("</section>")
    return "".join(html)


def _walk(report: dict, profile: Profile) -> list[str]:
    """The walking-backwards sections: steps, pace, symmetry, posture and sway, and the findings."""
    w = report["walk"]
    v, feet = w["values"], w["steps_per_foot"]

    def val(key: str, digits: int, unit: str = "") -> str:
        return "–" if v.get(key) is None else f"{v[key]:.{digits}f}{unit}"

    if w["direction"] != "backward":
        what = {"standing": "No steps: the person stood still.", "forward": "These steps went forwards, not "
                "backwards: nothing is counted or judged.", "mixed": "Steps went both ways: nothing is judged."}
        return [f'<section id="walk"><h2>Walking</h2><p class="warn">{escape(what[w["direction"]])}</p></section>']
    cards = [("Backward steps", str(w["backward_steps"]), f'left {feet["left"]}, right {feet["right"]}'),
             ("Cadence", val("cadence_spm", 0), "steps per minute"),
             ("Step length", val("step_length_ratio", 2), "leg lengths (side view)"),
             ("Speed", val("speed_leg_lengths_per_s", 2), "leg lengths per second"),
             ("Left/right difference", "–" if v.get("step_asymmetry_ratio") is None
              else f'{100 * v["step_asymmetry_ratio"]:.0f}%', "of the mean step"),
             ("Sideways sway", val("sway_ratio", 2), "hip widths each way (front view)")]
    html = ['<section id="walk"><h2>Walking backwards</h2>', _cards(cards)]
    flagged = [f for f in w["findings"] if f["status"] == "flagged"]
    html.append('<h3>What to work on</h3><ol id="fixes">' + "".join(
        f"<li><b>{escape(describe(f['code']).capitalize())}</b>: {escape(f['cue'])}.</li>" for f in flagged)
        + "</ol>" if flagged else '<p class="ok" id="fixes">No walking mistakes found.</p>')
    unseen = sorted({f["code"] for f in w["findings"] if f["status"] == "not_assessed"})
    if unseen:
        html.append(f'<p class="na">Not assessed from this view: {escape(", ".join(describe(c) for c in unseen))}.</p>')
    stops = ", ".join(f'{x["t"]:.1f} s ({x["seconds"]:.1f} s)' for x in w["stops"]) or "none"
    html.append(f'<p class="meta">Stops: {escape(stops)}. Turns: {len(w["turns"])}.</p></section>')
    steps = [x for x in w["steps"] if x["direction"] == "backward"]
    st = np.array([x["t"] for x in steps], float)
    html.append('<section id="plots"><h2>Over time</h2>')
    if len(st) >= 2:
        lengths = {f: np.array([x["length_ratio"] if x["foot"] == f and x["length_ratio"] is not None else math.nan
                                for x in steps], float) for f in ("left", "right")}
        html.append(line_plot("Step length, each step (left and right should match)", st,
                              [Line(f"{f} foot", lengths[f], LEG_COLOUR[f], dots=True) for f in ("left", "right")],
                              "leg lengths", thresholds=[Threshold(profile["checks.walk.step_too_long_ratio"],
                                                                   "too long for control")]))
        cadence = np.concatenate([[math.nan], 60.0 / np.maximum(np.diff(st), 1e-6)])
        html.append(line_plot("Pace: steps per minute, step by step (start slowly)", st,
                              [Line("cadence", cadence, "#2c3e50", dots=True)], "steps/min"))
    t = _series(report, "t")
    if len(t) >= 2:
        html.append(line_plot("Trunk lean while walking (0 = upright, + forward)", t,
                              [Line("forward", _series(report, "trunk_lean_forward_deg"), "#2c3e50")], "degrees",
                              markers=list(st), thresholds=[
                                  Threshold(profile["checks.walk.slouch_deg"], "slouching"),
                                  Threshold(-profile["checks.walk.lean_back_deg"], "leaning back", "#8e44ad")]))
    html.append("</section>")
    return html


def _mirror_note(report: dict) -> str:
    """" + mirror pass", and from when if it started late (``pose.estimate_frames``)."""
    if not report.get("mirror_pass"):
        return ""
    start = report.get("mirror_pass_from_s") or 0.0
    return f" + mirror pass from {start:.0f} s" if start >= 0.5 else " + mirror pass"


def render_html(report: dict, video: str | os.PathLike | None = None) -> str:
    """The whole page. ``video``: where to take thumbnails from (default: the report's source)."""
    profile = _profile_of(report)
    video = video if video is not None else report.get("source")
    name = Path(str(report.get("source", "session"))).name
    head = (f'<header><h1>Reverse lunge report: {escape(name)}</h1><p class="meta">'
            f'{escape(report.get("exercise", ""))} · view: {escape(report.get("view") or "unknown")} · model: '
            f'{escape(report.get("model", ""))}{_mirror_note(report)} · '
            f'{report["summary"]["duration_s"]:.0f} s, '
            f'{report["summary"]["frames"]} frames · formcheck {escape(report.get("formcheck_version", ""))}'
            "</p></header>")
    if report.get("walk") is not None:
        body = [head.replace("Reverse lunge report", "Walking backwards report"), *_walk(report, profile)]
    else:
        body = [head, _summary(report, profile), _legs(report),
                '<section id="plots"><h2>Over time</h2><p class="meta">Shaded: reps (blue: left leg back, orange: '
                "right leg back); dotted: the bottom of each rep; dashed: the limits the checks use.</p>",
                *plots(report, profile), "</section>", _rep_table(report), _thumbs(report, video, profile)]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>formcheck: {escape(name)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f"<body>{''.join(body)}</body></html>\n")


def write_html(report: dict, path: str | os.PathLike, video: str | os.PathLike | None = None) -> None:
    write_text_atomic(path, render_html(report, video))
