"""``formcheck bench``: the accuracy benchmarks against ground truth (rendered and real clips)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ..console import err, out, print_accuracy
from .common import fail, one_line_errors

bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks against ground truth.")


@bench_app.command("accuracy")
def bench_accuracy(
    models: str = typer.Option("lite,full", help="Comma-separated pose models to compare (heavy: build it first, "
                               "python models/build_models.py --variant heavy). Each as analyze runs it, the "
                               "mirror pass once the person is seen from the side or at an angle; full+mirror: "
                               "with it from the first frame; full-mirror: without it."),
    clips: int = typer.Option(96, help="Rendered clips (seeds first-seed .. first-seed+clips-1)."),
    first_seed: int = typer.Option(0, help="First seed of the rendered set."),
    real: bool = typer.Option(True, help="Also score the labelled real clips in ../shared/videos."),
    json_path: str = typer.Option("bench_accuracy.json", "--json", help="Write the full results here."),
    cache: Path = typer.Option(Path(".bench"), help="Folder for rendered clips and cached pose series."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute every pose series (published numbers)."),
    profile: Path | None = typer.Option(None, readable=False, help="Threshold profile TOML overriding the defaults."),
    check: bool = typer.Option(False, help="Exit 1 when a model misses an issue-3 target."),
) -> None:
    """Rep counting and mistake detection scored on rendered and real clips, one table per run."""
    import json

    from ..bench.accuracy import run_benchmark
    from ..report.atomic import write_text_atomic

    names = [m.strip() for m in models.split(",") if m.strip()]
    with one_line_errors(), err.status("benchmark") as status:
        report = run_benchmark(names, range(first_seed, first_seed + clips), real=real,
                               render_dir=cache / "renders", pose_cache=None if no_cache else cache / "poses",
                               profile=str(profile) if profile else None,
                               progress=lambda msg: status.update(f"benchmark: {msg}"))
        write_text_atomic(json_path, json.dumps(report, indent=1) + "\n")
    if not print_accuracy(report) and check:
        raise typer.Exit(1)


@bench_app.command("real")
def bench_real(
    model: str = typer.Option("full", help="Pose model, run as analyze runs it."),
    json_path: str = typer.Option("bench_real.json", "--json", help="Write the full results here."),
    cache: Path = typer.Option(Path(".bench"), help="Folder for cached pose series."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute every pose series."),
    profile: Path | None = typer.Option(None, readable=False, help="Threshold profile TOML overriding the defaults."),
) -> None:
    """Every clip of ../shared/videos/real-labels.json scored rep by rep: the first judge."""
    import json

    from ..bench.real import run_real_benchmark, table_rows
    from ..report.atomic import write_text_atomic

    with one_line_errors(), err.status("real benchmark") as status:
        report = run_real_benchmark(model, pose_cache=None if no_cache else cache / "poses",
                                    profile=str(profile) if profile else None,
                                    progress=lambda name: status.update(f"real benchmark: {name}"))
        write_text_atomic(json_path, json.dumps(report, indent=1) + "\n")
    header, rows = table_rows(report)
    table = Table(title=f"formcheck on real footage ({model})")
    for col in header:
        table.add_column(col)
    for r in rows:
        table.add_row(*r)
    (out if out.is_terminal else Console(width=160)).print(table)  # a pipe or a log gets every column


@bench_app.command("walk")
def bench_walk(
    clips: int = typer.Option(24, help="Rendered walks (seeds first-seed .. first-seed+clips-1)."),
    first_seed: int = typer.Option(0, help="First seed."),
    model: str = typer.Option("full", help="Pose model."),
    json_path: str = typer.Option("bench_walk.json", "--json", help="Write the full results here."),
    cache: Path = typer.Option(Path(".bench"), help="Folder for rendered walks and cached pose series."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute every pose series."),
) -> None:
    """Walking backwards: steps, direction and the walk checks scored on rendered walks."""
    import json

    from ..bench.walking import run_walk_benchmark
    from ..report.atomic import write_text_atomic

    with one_line_errors(), err.status("walk benchmark") as status:
        report = run_walk_benchmark(range(first_seed, first_seed + clips), cache, model, not no_cache,
                                    progress=lambda name: status.update(f"walk benchmark: {name}"))
        write_text_atomic(json_path, json.dumps(report, indent=1) + "\n")
    s = report["summary"]
    out.print(f"{s['clips']} walks ({model}): direction right {s['direction_ok']}/{s['clips']}, steps exact "
              f"{s['steps_exact']}/{s['clips']}, within one {s['steps_within_one']}/{s['clips']}, step MAE "
              f"{s['step_mae']}; clean walks flagged {s['clean_walks_flagged']}/{s['clean_walks']}", highlight=False)
    table = Table()
    for col in ("code", "TP", "FP", "FN", "F1", "positives not assessed"):
        table.add_column(col)
    for code, c in s["codes"].items():
        table.add_row(code, str(c["tp"]), str(c["fp"]), str(c["fn"]), "-" if c["f1"] is None else f"{c['f1']:.2f}",
                      str(c["not_assessed_positives"]))
    out.print(table)


@bench_app.command("table")
def bench_table(reports: list[Path] = typer.Argument(..., help="JSON files written by `bench accuracy`."),
                first: int | None = typer.Option(None, help="Score only each model's first N rendered clips.")) -> None:
    """One table from several accuracy runs (e.g. one model per run, run in parallel)."""
    import json

    from ..bench.accuracy import merge_reports

    try:
        report = merge_reports([json.loads(p.read_text()) for p in reports], first=first)
    except (OSError, ValueError, KeyError) as exc:
        fail(f"cannot read the reports: {exc}", 2)
    print_accuracy(report)
