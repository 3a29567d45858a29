"""The benchmark's one table, as plain rows (the CLI draws them with Rich)."""

from __future__ import annotations

from .truth import CODES

TARGETS = {
    "rendered_exact": 0.98,     # issue 3: rep count exact per leg on >= 98% of rendered clips
    "obo": 1.0,                 # off-by-one accuracy 100%
    "real_exact": 1.0,          # exact per leg on every real clip
    "f1": 0.90,                 # per mistake code on rendered clips
    "false_cue_rate": 0.02,     # on clean reps
}


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _f1_cell(code: dict) -> str:
    if not code["positives"] and not code["fp"]:
        return "-"
    f1 = "n/a" if code["f1"] is None else f"{code['f1']:.2f}"
    return f"{f1} ({code['tp']}/{code['positives']}, fp {code['fp']})"


def table_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """Header (metric + one column per model) and rows: counts first, then F1 per code."""
    models = list(report["models"])
    header = ["metric", *models, "target"]
    rows: list[list[str]] = []

    def row(label: str, cell, target: str = "") -> None:
        rows.append([label, *(cell(report["models"][m]) for m in models), target])

    row("rendered clips: count exact per leg", lambda m: _pct(m["rendered"]["count_exact_share"]), ">= 98%")
    row("rendered: off-by-one (per leg)", lambda m: _pct(m["rendered"]["count_obo_share"]), "100%")
    row("rendered: count MAE (normalised)", lambda m: f"{m['rendered']['count_mae_norm'] or 0:.3f}")
    row("real clips: count exact per leg",
        lambda m: f"{round(m['real']['count_exact_share'] * m['real']['clips'])}/{m['real']['clips']}", "all")
    row("rendered: reps found / true",
        lambda m: f"{m['rendered']['reps_matched']}/{m['rendered']['reps_true']} (+{m['rendered']['phantom_reps']})")
    row("false cues on clean reps", lambda m: f"{_pct(m['rendered']['false_cue_rate'])} of "
        f"{m['rendered']['clean_reps']}", "<= 2%")
    views = list(next(iter(report["models"].values()), {}).get("rendered_by_view", {}))
    if views:
        def per_view(m: dict, part, whole: str) -> str:
            cells = [m.get("rendered_by_view", {}).get(v) for v in views]
            return " / ".join(f"{part(c)}/{c[whole]}" if c else "-" for c in cells)

        row(f"exact clips by view ({' / '.join(views)})",
            lambda m: per_view(m, lambda c: round(c["count_exact_share"] * c["clips"]), "clips"))
        row(f"clean reps cued by view ({' / '.join(views)})",
            lambda m: per_view(m, lambda c: c["clean_reps_cued"], "clean_reps"))
    for code in CODES:
        row(f"F1 {code} (TP/pos, fp)", lambda m, c=code: _f1_cell(m["rendered"]["codes"][c]), ">= 0.90")
    row("real clips: F1 stepped_forward / trunk lean",
        lambda m: f"{_f1_cell(m['real']['codes']['stepped_forward'])} / "
                  f"{_f1_cell(m['real']['codes']['trunk_lean_forward'])}")
    row("pose fps (uncached clips)", lambda m: "-" if m["pose_fps"] is None else f"{m['pose_fps']:.1f}")
    return header, rows


def missed_targets(report: dict, model: str) -> list[str]:
    """Targets the model misses (empty = all met). Codes without positives are skipped."""
    m = report["models"][model]
    ren, real = m["rendered"], m["real"]
    missed = []
    if ren["clips"] and ren["count_exact_share"] < TARGETS["rendered_exact"]:
        missed.append(f"rendered count exact {ren['count_exact_share']:.3f} < {TARGETS['rendered_exact']}")
    if ren["clips"] and ren["count_obo_share"] < TARGETS["obo"]:
        missed.append(f"off-by-one {ren['count_obo_share']:.3f} < 1")
    if real["clips"] and real["count_exact_share"] < TARGETS["real_exact"]:
        missed.append(f"real clips exact {real['count_exact_share']:.3f} < 1")
    for code, t in ren["codes"].items():
        if t["positives"] and (t["f1"] or 0.0) < TARGETS["f1"]:
            missed.append(f"F1 {code} {t['f1']} < {TARGETS['f1']}")
    rate = ren["false_cue_rate"]
    if rate is not None and rate > TARGETS["false_cue_rate"]:
        missed.append(f"false cues {rate:.3f} > {TARGETS['false_cue_rate']}")
    return missed
