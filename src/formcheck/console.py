"""What the command line prints: the summary tables of an analysis, its dip-by-dip explanation and
the accuracy benchmark's table.

Kept apart from ``cli`` so the commands stay thin: they parse, call the library, and hand the
result here.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

err = Console(stderr=True)
out = Console()


def print_summary(result) -> None:
    """Reps per leg, sets, and one row per rep with its mistakes."""
    from .feedback import describe

    if result.walk is not None:
        print_walk_summary(result)
        return
    s = result.summary()
    legs = s["reps_per_leg"]
    out.print(f"[bold]{Path(result.source).name}[/]: {s['complete_reps']} complete reps "
              f"(left {legs['left']}, right {legs['right']}"
              + (f", unknown {legs['unknown']}" if legs["unknown"] else "")
              + f"), {s['sets']} set(s), view: {result.view or 'unknown'}"
              + (f", {s['incomplete_reps']} incomplete" if s["incomplete_reps"] else ""), highlight=False)
    if not result.reps:
        out.print("No lunge reps found.")
        return
    table = Table(show_lines=False)
    for col in ("rep", "set", "leg", "variant", "bottom s", "front knee", "trunk lean", "mistakes"):
        table.add_column(col)
    for r in result.reps:
        rep = r.rep
        knee, lean = r.values.get("front_knee_flexion_deg"), r.values.get("trunk_lean_forward_deg")
        mistakes = ", ".join(sorted({describe(f.code) + (f" ({f.side})" if f.side not in ("none", "") else "")
                                     for f in r.mistakes})) or "[green]clean[/]"
        unsure = sorted({describe(f.code) for f in r.uncertain})
        if unsure:
            mistakes += "".join(f"\n[dim]uncertain: {u}[/]" for u in unsure)
        if not rep.complete:
            mistakes = f"[yellow]incomplete: {rep.incomplete_reason}[/]"
        table.add_row(str(rep.index), str(rep.set), rep.leg, rep.variant, f"{rep.bottom_s:.1f}",
                      "-" if knee != knee else f"{knee:.0f}°", "-" if lean != lean else f"{lean:.0f}°", mistakes)
    out.print(table)
    not_seen = sorted({f.code for r in result.reps for f in r.findings if f.status == "not_assessed"})
    if not_seen:
        out.print(f"Not assessed from this view: {', '.join(not_seen)}", style="dim", highlight=False)


def print_walk_summary(result) -> None:
    """Steps per foot, pace, posture and balance, and what to work on."""
    from .feedback import cue_for, describe

    w = result.walk
    v = w.values
    feet = w.steps_per_foot()
    name = Path(result.source).name
    if w.direction != "backward":
        what = {"standing": "no steps: standing", "forward": "walking forwards, not backwards",
                "mixed": "steps both ways"}[w.direction]
        out.print(f"[bold]{name}[/]: {what} ({len(w.steps)} steps seen); no backward-walking checks", highlight=False)
        return

    def fmt(key: str, digits: int, unit: str) -> str:
        x = v.get(key, float("nan"))
        return "not measured from this view" if x != x else f"{x:.{digits}f}{unit}"

    out.print(f"[bold]{name}[/]: {len(w.backward_steps)} backward steps (left {feet['left']}, right {feet['right']}), "
              f"view: {result.view or 'unknown'}", highlight=False)
    table = Table(show_header=False)
    for label, text in (("cadence", fmt("cadence_spm", 0, " steps/min")),
                        ("step length", fmt("step_length_ratio", 2, " leg lengths")),
                        ("speed", fmt("speed_leg_lengths_per_s", 2, " leg lengths/s")),
                        ("left/right difference", fmt("step_asymmetry_ratio", 2, "")),
                        ("trunk lean", fmt("trunk_lean_forward_deg", 0, "°")),
                        ("sideways sway", fmt("sway_ratio", 2, " hip widths")),
                        ("stops / turns", f"{len(w.stops)} / {len(w.turns)}")):
        table.add_row(label, text)
    out.print(table)
    for f in w.mistakes:
        out.print(f"- {describe(f.code)}: {cue_for(f.code)}", highlight=False)
    if not w.mistakes:
        out.print("[green]No walking mistakes found.[/]")
    not_seen = sorted({f.code for f in w.findings if f.status == "not_assessed"})
    if not_seen:
        out.print(f"Not assessed from this view: {', '.join(not_seen)}", style="dim", highlight=False)


def print_explain(result) -> None:
    """Every hip dip with its start, bottom and end, and the gate that made it a rep or turned it
    away, with the measured margin of each gate: a wrong count explained from one command."""
    if not result.dips:
        out.print("No hip dips: nobody lowered their hips below the rep threshold.", highlight=False)
        return
    table = Table(title="hip dips and the gates they met", show_lines=True)
    for col in ("start s", "bottom s", "end s", "outcome", "gates (margin past the threshold)"):
        table.add_column(col)
    for d in result.dips:
        gates = "\n".join(f"{'ok' if v.passed else 'NO'} {v.gate}"
                          + ("" if v.margin != v.margin else f" ({v.margin:+.3g})") + f": {v.detail}"
                          for v in d.verdicts)
        table.add_row(f"{d.start_s:.2f}", f"{d.bottom_s:.2f}", f"{d.end_s:.2f}", d.outcome, gates)
    (out if out.is_terminal else Console(width=160)).print(table)


def print_accuracy(report: dict) -> bool:
    """Print the accuracy table and any missed targets; True when every model meets them."""
    from .bench.table import missed_targets, table_rows

    header, rows = table_rows(report)
    clips = {m: (d["rendered"]["clips"], d["real"]["clips"]) for m, d in report["models"].items()}
    sizes = ", ".join(f"{m}: {a} rendered + {b} real" for m, (a, b) in clips.items())
    table = Table(title=f"formcheck accuracy ({sizes} clips)")
    for col in header:
        table.add_column(col)
    for r in rows:
        table.add_row(*r)
    out.print(table)
    ok = True
    for m in report["models"]:
        misses = missed_targets(report, m)
        if misses:
            ok = False
            err.print(f"[yellow]{m} misses:[/] " + "; ".join(misses), highlight=False)
    return ok
