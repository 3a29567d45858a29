"""Scoring: rep counts per leg and mistake detection per rep, against the truth (pure Python).

Rep counts are scored as the RepCount literature does (Hu et al. 2022, TransRAC): MAE normalised
by the true count, and off-by-one accuracy (OBO); here per leg, plus the share of clips exact on
both legs. Mistakes are scored per rep and code after pairing true and found reps by their bottom
times:

- a true rep's code that is present (pos) and the view can show: flagged = TP, otherwise FN;
- absent (neg) and flagged = FP, whatever the view: a wrong cue is wrong from any angle;
- borderline: not scored, but counted (and how often flagged) so the band stays honest;
- a found complete rep with no true rep: its flags are FPs; found incomplete reps at the clip's
  edges are not scored (real clips label only whole reps).

A clean rep (no code present or borderline) with any flag is a false cue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..analysis import Analysis, RepResult
from ..exercises import reverse_lunge
from ..profile import Profile
from .truth import BORDER, CODES, NEG, POS, RULES, STEPPED_FORWARD, true_value

MATCH_WINDOW_S = 1.0  # a found bottom within 1 s of a true bottom is the same rep (reps are >= 2 s apart)
FLAGGED, OK, NOT_ASSESSED = "flagged", "ok", "not_assessed"


def predictions(result: RepResult) -> dict[str, str]:
    """flagged / ok / not_assessed per code for one found rep."""
    out: dict[str, str] = {STEPPED_FORWARD: OK}
    for f in result.findings:
        prev = out.get(f.code)
        if f.status == FLAGGED or prev == FLAGGED:
            out[f.code] = FLAGGED
        elif f.status == OK or prev == OK:
            out[f.code] = OK
        else:
            out[f.code] = NOT_ASSESSED
    return out


def match_reps(true_bottoms: list[float], found_bottoms: list[float], window_s: float = MATCH_WINDOW_S,
               true_spans: list[tuple[float, float]] | None = None) -> dict[int, int]:
    """Pair true -> found rep indices, closest bottoms first, each used once. A found bottom
    matches a true rep within ``window_s`` of its bottom, or anywhere inside its span when the
    truth gives one (a long, low hold can put the two bottoms far apart in one rep)."""
    def near(i: int, f: float) -> bool:
        inside = true_spans is not None and true_spans[i][0] <= f <= true_spans[i][1]
        return inside or abs(true_bottoms[i] - f) <= window_s

    pairs = sorted((abs(t - f), i, j) for i, t in enumerate(true_bottoms) for j, f in enumerate(found_bottoms)
                   if near(i, f))
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


@dataclass
class CodeTally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    border: int = 0
    border_flagged: int = 0
    unseen_pos: int = 0          # present, but the true view cannot show it (not scored)
    abstained: int = 0           # the view could show it but landmarks were missing

    def add(self, other: CodeTally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(precision=_round(self.precision), recall=_round(self.recall), f1=_round(self.f1),
                 positives=self.tp + self.fn)
        return d


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def tally(label: str, prediction: str, assessable: bool) -> CodeTally:
    """One (true rep, code) outcome."""
    t = CodeTally()
    flagged = prediction == FLAGGED
    if label == BORDER:
        t.border, t.border_flagged = 1, int(flagged)
    elif label == POS:
        if not assessable:
            t.unseen_pos = 1
        elif flagged:
            t.tp = 1
        else:
            t.fn = 1
            t.abstained = int(prediction == NOT_ASSESSED)
    elif label == NEG:
        if flagged:
            t.fp = 1
        else:
            t.tn = 1
    return t


@dataclass
class ClipScore:
    name: str
    kind: str
    view: str
    true_counts: dict[str, int]
    found_counts: dict[str, int]
    same_leg: bool                        # truth says "one leg throughout" without saying which
    reps_true: int
    reps_found: int
    reps_matched: int
    phantom_reps: int
    codes: dict[str, CodeTally] = field(default_factory=dict)
    clean_reps: int = 0
    clean_reps_cued: int = 0
    false_cues: list[str] = field(default_factory=list)
    value_errors: dict[str, list[float]] = field(default_factory=dict)

    @property
    def count_errors(self) -> dict[str, int]:
        """Found minus true complete reps, per leg (for a same-leg truth: the leg the tool chose)."""
        found = dict(self.found_counts)
        if self.same_leg:
            n = self.true_counts["left"] + self.true_counts["right"]
            main = max(("left", "right"), key=lambda leg: found[leg])
            return {"left": found[main] - n, "right": found["left" if main == "right" else "right"]}
        return {leg: found[leg] - self.true_counts[leg] for leg in ("left", "right")}

    @property
    def exact(self) -> bool:
        return all(e == 0 for e in self.count_errors.values())

    @classmethod
    def from_dict(cls, d: dict) -> ClipScore:
        """Back from ``to_dict`` (value errors are not kept there), to re-pool saved results."""
        codes = {c: CodeTally() for c in CODES}
        for c, t in d["codes"].items():
            codes[c] = CodeTally(**{k: t[k] for k in CodeTally.__dataclass_fields__})
        return cls(d["name"], d["kind"], d["view"], d["true_counts"], d["found_counts"], d.get("same_leg", False),
                   d["reps_true"], d["reps_found"], d["reps_matched"], d["phantom_reps"], codes, d["clean_reps"],
                   d["clean_reps_cued"], list(d["false_cues"]))

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "same_leg": self.same_leg, "view": self.view,
            "true_counts": self.true_counts,
            "found_counts": self.found_counts, "count_errors": self.count_errors, "exact": self.exact,
            "reps_true": self.reps_true, "reps_found": self.reps_found, "reps_matched": self.reps_matched,
            "phantom_reps": self.phantom_reps, "clean_reps": self.clean_reps,
            "clean_reps_cued": self.clean_reps_cued, "false_cues": self.false_cues,
            "codes": {c: t.to_dict() for c, t in self.codes.items() if t.to_dict()["positives"] or t.fp or t.border},
        }


# Which value of the tool's rep values each truth rule is compared with (for the value errors).
_TOOL_VALUE = {(c.code, c.threshold): c.value for c in reverse_lunge.CHECKS}


def score_clip(name: str, kind: str, truth_reps: list[dict], view: str, true_counts: dict[str, int],
               result: Analysis, assessable: set[str], profile: Profile, same_leg: bool = False) -> ClipScore:
    """Score one analysed clip. ``truth_reps`` need bottom_s, complete, labels (code -> label) and
    may carry true_values (rendered clips) for the value errors (some derived with ``profile``)."""
    found = result.reps
    spans = [(r["start_s"], r["end_s"]) for r in truth_reps] if all("start_s" in r for r in truth_reps) else None
    pairs = match_reps([r["bottom_s"] for r in truth_reps], [f.rep.bottom_s for f in found], true_spans=spans)
    counts = result.reps_per_leg()
    found_counts = {"left": counts["left"], "right": counts["right"]}
    for i, j in pairs.items():  # a rep the truth does not count is not held against the tool either
        if not truth_reps[i].get("countable", True) and found[j].rep.complete and found[j].rep.leg in found_counts:
            found_counts[found[j].rep.leg] -= 1
    score = ClipScore(name, kind, view, dict(true_counts), found_counts, same_leg, len(truth_reps), len(found),
                      len(pairs), 0, codes={c: CodeTally() for c in CODES})
    for i, rep in enumerate(truth_reps):
        if not rep.get("countable", True):
            continue
        pred = predictions(found[pairs[i]]) if i in pairs else {}
        labels = rep["labels"]
        for code in CODES:
            score.codes[code].add(tally(labels.get(code, "unknown"), pred.get(code, OK), code in assessable))
        if all(labels.get(c) in (NEG, "unknown") for c in CODES) and i in pairs:
            score.clean_reps += 1
            cued = sorted(c for c, p in pred.items() if p == FLAGGED)
            if cued:
                score.clean_reps_cued += 1
                score.false_cues.append(f"rep {rep.get('index', i + 1)}: {', '.join(cued)}")
        if i in pairs and "true_values" in rep:
            _value_errors(score.value_errors, rep["true_values"], found[pairs[i]].values, assessable, profile)
    matched = set(pairs.values())
    for j, f in enumerate(found):
        if j in matched or not f.rep.complete:
            continue
        score.phantom_reps += 1
        for code, p in predictions(f).items():
            if p == FLAGGED:
                score.codes[code].fp += 1
    return score


def _value_errors(out: dict[str, list[float]], true_values: dict, tool_values: dict, assessable: set[str],
                  profile: Profile) -> None:
    """Measured minus true value, for each value the view lets the tool judge (once per value)."""
    seen = set()
    for rule in RULES:
        key = _TOOL_VALUE.get((rule.code, rule.threshold))
        if rule.code not in assessable or key is None or rule.true_value in seen:
            continue
        seen.add(rule.true_value)
        truth, got = true_value(true_values, rule.true_value, profile), tool_values.get(key)
        if truth is None or got is None or got != got:
            continue
        out.setdefault(rule.true_value, []).append(float(got) - float(truth))


@dataclass
class Summary:
    """Totals over a set of clip scores (one model, one kind of clip)."""

    clips: int
    exact_share: float
    obo_share: float
    mae_abs: float
    mae_norm: float | None
    codes: dict[str, CodeTally]
    clean_reps: int
    clean_reps_cued: int
    phantom_reps: int
    reps_true: int
    reps_matched: int
    value_errors: dict[str, dict[str, float]]

    @property
    def false_cue_rate(self) -> float | None:
        return self.clean_reps_cued / self.clean_reps if self.clean_reps else None

    def to_dict(self) -> dict:
        return {
            "clips": self.clips, "count_exact_share": round(self.exact_share, 4),
            "count_obo_share": round(self.obo_share, 4), "count_mae_abs": round(self.mae_abs, 4),
            "count_mae_norm": _round(self.mae_norm), "reps_true": self.reps_true, "reps_matched": self.reps_matched,
            "phantom_reps": self.phantom_reps, "clean_reps": self.clean_reps, "clean_reps_cued": self.clean_reps_cued,
            "false_cue_rate": _round(self.false_cue_rate),
            "codes": {c: t.to_dict() for c, t in self.codes.items()}, "value_errors": self.value_errors,
        }


def summarise(scores: list[ClipScore]) -> Summary:
    """Pool per-clip scores: counts per (clip, leg), code tallies summed over reps."""
    errors = [(s.count_errors[leg], s.true_counts[leg] if not s.same_leg else None) for s in scores
              for leg in ("left", "right")]
    norm = [abs(e) / n for e, n in errors if n]
    codes = {c: CodeTally() for c in CODES}
    values: dict[str, list[float]] = {}
    for s in scores:
        for c, t in s.codes.items():
            codes[c].add(t)
        for k, v in s.value_errors.items():
            values.setdefault(k, []).extend(v)
    return Summary(
        clips=len(scores),
        exact_share=sum(s.exact for s in scores) / len(scores) if scores else 0.0,
        obo_share=sum(abs(e) <= 1 for e, _ in errors) / len(errors) if errors else 0.0,
        mae_abs=sum(abs(e) for e, _ in errors) / len(errors) if errors else 0.0,
        mae_norm=sum(norm) / len(norm) if norm else None,
        codes=codes, clean_reps=sum(s.clean_reps for s in scores),
        clean_reps_cued=sum(s.clean_reps_cued for s in scores), phantom_reps=sum(s.phantom_reps for s in scores),
        reps_true=sum(s.reps_true for s in scores), reps_matched=sum(s.reps_matched for s in scores),
        value_errors={k: _spread(v) for k, v in sorted(values.items())},
    )


def _spread(errors: list[float]) -> dict[str, float]:
    """Bias (median error) and spread (median absolute error) of a measured value."""
    s = sorted(errors)
    med = s[len(s) // 2]
    return {"n": len(s), "median_error": round(med, 3),
            "median_abs_error": round(sorted(abs(e) for e in s)[len(s) // 2], 3)}
