"""The real-footage benchmark: every clip of ``real-labels.json`` scored rep by rep.

Real clips are the first judge (users live on real footage); the rendered benchmark comes second.
Each labelled rep is matched to the found complete rep whose bottom is nearest (within
``MATCH_TOLERANCE_S``); then, per rep: the stepping leg where labelled (``left`` / ``right``, or
``same`` / ``alternating`` across the clip's reps), the variant, each labelled mistake's family
found on its rep, and cues on reps labelled clean. A complete rep matched to no labelled rep is a
phantom; one whose bottom falls inside a ``not_reps`` frame range is also counted there.

``stepped_forward`` on a rep labelled ``forward`` is the variant reported, not a false cue: the
label says the step went forward. Findings that are not flagged (ok, not assessed, uncertain)
are never cues.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..analysis import Analysis, analyze_series
from ..errors import InputError
from ..profile import Profile, load_profile
from .accuracy import pose_series
from .dataset import LABELS_FILE, BenchClip, load_labels, shared_videos_dir

SCHEMA = "formcheck-real-bench/1"
MATCH_TOLERANCE_S = 0.8  # a found bottom this close to a labelled one is that rep (labels: within ~8 frames)
VARIANT_CODE = "stepped_forward"  # the finding that reports a forward step in reverse-lunge mode
_FRAME_RANGE = re.compile(r"frames?\s+(\d+)\s*-\s*(\d+)")


@dataclass
class RepScore:
    """One labelled rep against the found rep matched to it (``found`` None: missed)."""

    bottom_frame: int
    found: int | None  # index into the analysis' reps
    found_bottom_frame: int | None
    leg_label: str
    leg: str | None
    leg_ok: bool | None  # None: the label does not say (``?``), or the rep was missed
    variant_label: str
    variant: str | None
    variant_ok: bool | None
    clean: bool | None  # the label: True clean, False mistakes, None not judged
    mistake_families: list[str]
    families_found: list[str]
    cues: list[str]  # flagged codes on this rep (the variant's own code left out where labelled forward)

    @property
    def false_cues(self) -> list[str]:
        return self.cues if self.clean else []


@dataclass
class ClipResult:
    clip: str
    view_label: str
    view: str
    complete_reps: int
    complete_range: tuple[int, int]
    reps: list[RepScore]
    phantoms: list[int]  # bottom frames of complete reps matched to no labelled rep
    not_reps_counted: list[int]  # the phantoms that fall inside a labelled not_reps frame range
    leg_pattern_label: str = ""  # "same" / "alternating" where the labels give only that
    leg_pattern_ok: bool | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def count_ok(self) -> bool:
        lo, hi = self.complete_range
        return lo <= self.complete_reps <= hi

    def tallies(self) -> dict[str, int]:
        legs = [r.leg_ok for r in self.reps if r.leg_ok is not None]
        variants = [r.variant_ok for r in self.reps if r.variant_ok is not None]
        labelled = sum(len(r.mistake_families) for r in self.reps)
        found = sum(len(set(r.mistake_families) & set(r.families_found)) for r in self.reps)
        clean = [r for r in self.reps if r.clean]
        return {
            "labelled_reps": len(self.reps),
            "matched_reps": sum(r.found is not None for r in self.reps),
            "leg_judged": len(legs) + (self.leg_pattern_ok is not None),
            "leg_right": sum(legs) + bool(self.leg_pattern_ok),
            "variant_judged": len(variants),
            "variant_right": sum(variants),
            "mistakes_labelled": labelled,
            "mistakes_found": found,
            "clean_reps": len(clean),
            "clean_reps_cued": sum(bool(r.false_cues) for r in clean),
            "phantoms": len(self.phantoms),
            "not_reps_counted": len(self.not_reps_counted),
        }

    @property
    def all_right(self) -> bool:
        """The issue's bar for one clip: count in range, no not_reps, every judged leg and variant
        right, every labelled mistake found, no cue on a clean rep."""
        t = self.tallies()
        return (self.count_ok and t["not_reps_counted"] == 0 and t["leg_right"] == t["leg_judged"]
                and t["variant_right"] == t["variant_judged"] and t["mistakes_found"] == t["mistakes_labelled"]
                and t["clean_reps_cued"] == 0 and t["matched_reps"] == t["labelled_reps"])

    def to_dict(self) -> dict:
        d = asdict(self)
        d["complete_range"] = list(self.complete_range)
        return d | {"count_ok": self.count_ok, "all_right": self.all_right, "tallies": self.tallies()}


def families(form) -> tuple[bool | None, list[str]]:
    """A label's ``form`` read as (clean?, mistake families): 'clean...' -> (True, []); a list of
    'family: description' -> (False, families); null -> (None, [])."""
    if form is None:
        return None, []
    if isinstance(form, str):
        return (True, []) if form.startswith("clean") else (None, [])
    return False, sorted({item.split(":", 1)[0].strip() for item in form})


def _not_rep_ranges(entry: dict) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for text in entry.get("not_reps", []) for a, b in _FRAME_RANGE.findall(text)]


def _match(labelled: list[int], found: list[int], tolerance: int) -> list[int | None]:
    """Each labelled bottom's found bottom (index into ``found``), nearest first, each used once."""
    pairs = sorted((abs(f - lab), i, j) for i, lab in enumerate(labelled) for j, f in enumerate(found)
                   if abs(f - lab) <= tolerance)
    out: list[int | None] = [None] * len(labelled)
    used: set[int] = set()
    for _, i, j in pairs:
        if out[i] is None and j not in used:
            out[i] = j
            used.add(j)
    return out


def _cues(result: Analysis, k: int, variant_label: str) -> list[str]:
    codes = [f.code for f in result.reps[k].mistakes]
    return [c for c in codes if not (c == VARIANT_CODE and variant_label == "forward")]


def _labelled_leg(rep, variant_label: str) -> str:
    """The found rep's leg in the labels' sense: the stepping leg of a lunge, the front leg of a
    split squat (formcheck's ``Rep.leg`` is the back leg of a split squat)."""
    return rep.front_leg if variant_label == "split_squat" else rep.leg


def _leg_pattern(label: str, legs: list[str]) -> bool | None:
    """``same``: every matched rep on one leg; ``alternating``: no two reps in a row on one leg."""
    if label not in ("same", "alternating") or len(legs) < 2:
        return None
    if label == "same":
        return len(set(legs)) == 1
    return all(a != b for a, b in zip(legs, legs[1:], strict=False))


def score_clip(name: str, entry: dict, result: Analysis) -> ClipResult:
    """One clip's analysis against its labels (see the module docstring)."""
    fps = float(entry["fps"])
    found = [k for k, r in enumerate(result.reps) if r.rep.complete]
    found_bottoms = [int(round(result.reps[k].rep.bottom_s * fps)) for k in found]
    incomplete = [int(e["bottom_frame"]) for e in entry.get("incomplete", [])]
    labelled = [int(r["bottom_frame"]) for r in entry["reps"]]
    tolerance = int(round(MATCH_TOLERANCE_S * fps))
    match = _match(labelled + incomplete, found_bottoms, tolerance)
    reps = []
    for lab, j in zip(entry["reps"], match, strict=False):
        rep = result.reps[found[j]].rep if j is not None else None
        clean, fams = families(lab.get("form"))
        cues = _cues(result, found[j], lab["variant"]) if j is not None else []
        flagged = {f.family for f in result.reps[found[j]].mistakes} if j is not None else set()
        leg_label = lab.get("leg", "?")
        leg = _labelled_leg(rep, lab["variant"]) if rep else None
        reps.append(RepScore(
            int(lab["bottom_frame"]), found[j] if j is not None else None,
            found_bottoms[j] if j is not None else None, leg_label, leg,
            (leg == leg_label) if leg and leg_label in ("left", "right") else None,
            lab["variant"], rep.variant if rep else None, (rep.variant == lab["variant"]) if rep else None,
            clean, fams, sorted(flagged & set(fams)), cues))
    matched = {j for j in match if j is not None}
    phantoms = [found_bottoms[j] for j in range(len(found)) if j not in matched]
    ranges = _not_rep_ranges(entry)
    not_reps = [b for b in phantoms if any(a - tolerance <= b <= z + tolerance for a, z in ranges)]
    pattern = next((r["leg"] for r in entry["reps"] if r.get("leg") in ("same", "alternating")), "")
    legs = [r.leg for r in reps if r.leg is not None]
    lo, hi = entry["complete_reps"]
    return ClipResult(name, entry.get("view", ""), result.view, len(found), (int(lo), int(hi)), reps, phantoms,
                      not_reps, pattern, _leg_pattern(pattern, legs), list(result.warnings))


def summarise(clips: list[ClipResult]) -> dict:
    """Totals over the clips: the real table's bottom line."""
    totals: dict[str, int] = {}
    for c in clips:
        for k, v in c.tallies().items():
            totals[k] = totals.get(k, 0) + v
    return {"clips": len(clips), "count_in_range": sum(c.count_ok for c in clips),
            "clips_all_right": sum(c.all_right for c in clips)} | totals


def run_real_benchmark(model: str = "full", folder: Path | None = None, pose_cache: Path | None = Path(".bench/poses"),
                       profile: str | None = None, progress=None) -> dict:
    """Analyse every labelled real clip (pose series cached like ``bench accuracy``'s) and score it."""
    folder = Path(folder) if folder else shared_videos_dir()
    labels = load_labels(folder)
    if not labels:
        raise InputError(f"no {LABELS_FILE} with clips in {folder} (set FORMCHECK_SHARED_VIDEOS)")
    prof: Profile = load_profile(profile)
    clips = []
    for name, entry in labels.items():
        if progress:
            progress(name)
        series, _ = pose_series(BenchClip(Path(name).stem, folder / name, "real", entry), model, pose_cache, prof)
        clips.append(score_clip(name, entry, analyze_series(series, profile=prof)))
    return {"schema": SCHEMA, "model": model, "profile": prof.path, "summary": summarise(clips),
            "clips": [c.to_dict() for c in clips]}


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "-"


def table_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """One row per clip, then the totals: what the CLI draws."""
    header = ["clip", "view", "reps (label)", "leg", "variant", "mistakes found", "clean cued", "not reps", "all right"]
    rows = []
    for c in report["clips"]:
        t = c["tallies"]
        lo, hi = c["complete_range"]
        rows.append([c["clip"].removesuffix(".mp4"), c["view"], f"{c['complete_reps']} ({lo}-{hi})" if lo != hi else
                     f"{c['complete_reps']} ({lo})", _ratio(t["leg_right"], t["leg_judged"]),
                     _ratio(t["variant_right"], t["variant_judged"]),
                     _ratio(t["mistakes_found"], t["mistakes_labelled"]), _ratio(t["clean_reps_cued"], t["clean_reps"]),
                     str(t["phantoms"]) + (f" ({t['not_reps_counted']} listed)" if t["not_reps_counted"] else ""),
                     "yes" if c["all_right"] else "no"])
    s = report["summary"]
    rows.append(["all", "", f"{s['count_in_range']}/{s['clips']} in range", _ratio(s["leg_right"], s["leg_judged"]),
                 _ratio(s["variant_right"], s["variant_judged"]), _ratio(s["mistakes_found"], s["mistakes_labelled"]),
                 _ratio(s["clean_reps_cued"], s["clean_reps"]), str(s["phantoms"]),
                 f"{s['clips_all_right']}/{s['clips']}"])
    return header, rows
