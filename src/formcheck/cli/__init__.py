"""Command line: thin typed functions over the library (parse, call, print).

Every FormcheckError becomes one line on stderr and its exit code; a traceback is a bug.
Exit codes: 0 ok, 1 other error, 2 bad input, 3 model, 4 profile, 5 no person found,
6 person not analysable (feet out of frame), 7 camera unavailable or failed, 8 a batch in which
some videos failed (the index holds each one's code), 130 Ctrl-C.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ..console import err, out, print_explain, print_summary
from ..errors import CameraError, FormcheckError, InputError
from .bench import bench_app
from .common import fail, one_line_errors, warn
from .history import history_app, record_session, recording

app = typer.Typer(no_args_is_help=True,
                  help="formcheck: camera-based form coach for the reverse lunge.")
app.add_typer(bench_app, name="bench")
app.add_typer(history_app, name="history")
HISTORY_HELP = "Record the session in the local progress history (formcheck history); FORMCHECK_HISTORY=0: never."


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        out.print(f"formcheck {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print formcheck's version and exit."),
) -> None:
    """Analyse reverse lunges from a video: reps per leg and what went wrong on each rep."""


@app.command()
def analyze(
    # readable=False: click's own check would print a usage box; sources.check_readable says it in one line
    videos: list[Path] = typer.Argument(..., readable=False, help="Video file to analyse (any format OpenCV/FFmpeg "
                                        "reads); with --out-dir, several files and folders (their videos, not "
                                        "recursive)."),
    exercise: str = typer.Option("reverse-lunge", help="Exercise: reverse-lunge or reverse-walk."),
    model: str = typer.Option("full", help="Pose model: lite, full, heavy or a .task path."),
    json_path: str | None = typer.Option(None, "--json", help="Write the JSON report here ('-' = stdout)."),
    csv_path: str | None = typer.Option(None, "--csv", help="Write the per-rep CSV here ('-' = stdout)."),
    html_path: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
    annotated: Path | None = typer.Option(None, "--annotated", help="Write the video with the overlay drawn "
                                          "(skeleton, angles, reps, cues) here: H.264 in MP4, or VP9 in WebM "
                                          "(.webm, or where no H.264 encoder is installed)."),
    trc_path: str | None = typer.Option(None, "--trc", help="Write the world landmarks as OpenSim TRC markers "
                                        "(metres, Y up) here ('-' = stdout)."),
    mot_path: str | None = typer.Option(None, "--mot", help="Write the joint angles (knees, hips, trunk; degrees) "
                                        "as an OpenSim MOT table here ('-' = stdout)."),
    profile: Path | None = typer.Option(None, readable=False, help="Threshold profile TOML overriding the defaults."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary table."),
    explain: bool = typer.Option(False, "--explain", help="Also print every hip dip with its start, bottom and "
                                 "end and the gate that made it a rep or turned it away (the JSON keeps it as "
                                 "'explain' either way)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage decided (to stderr)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Processes. One video: that many pose streams over "
                             "chunks of it. A batch: videos analysed at a time."),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Batch mode: one report per video plus "
                                        "index.json in this folder (created if missing)."),
    formats: str = typer.Option("json", help="Batch mode: reports per video, any of "
                                "json,csv,html,trc,mot (html also writes index.html)."),
    engine: str = typer.Option("local", help="Batch mode: local (process pool) or ray (needs formcheck's "
                               "ray extra; RAY_ADDRESS joins an existing cluster)."),
    mirror_pass: bool | None = typer.Option(None, "--mirror-pass/--no-mirror-pass", show_default=False,
                                            help="Also run the pose model on the mirrored frames: a second "
                                            "opinion on which leg is left (on every 3rd frame at 30 fps: a "
                                            "third more inference). Default: from when the person is seen from "
                                            "the side or at an angle, where it helps. --mirror-pass: from the "
                                            "first frame."),
    history: bool = typer.Option(True, "--history/--no-history", help=HISTORY_HELP),
) -> None:
    """Analyse a recorded set: progress bar, then reps per leg, sets and mistakes per rep.

    With --out-dir or several videos: a batch, one report per video plus an index; exit 8 if any failed.
    """
    from ..api import analyze_video
    from ..report.csv_report import write_csv
    from ..report.json_report import write_json

    if out_dir is not None or len(videos) > 1:
        if any((json_path, csv_path, html_path, annotated, trc_path, mot_path)):
            fail("in batch mode reports go to --out-dir: choose them with --formats json,csv,html,trc,mot", 2)
        _analyze_batch(videos, out_dir, exercise, model, profile, formats, jobs, engine, quiet, mirror_pass, history)
        return
    if engine != "local":
        fail("--engine applies to a batch: add --out-dir", 2)
    video = videos[0]

    to_stdout = "-" in (json_path, csv_path, trc_path, mot_path)
    show = not quiet and not to_stdout
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
        logging.getLogger("matplotlib").setLevel(logging.WARNING)
    try:
        with Progress(TextColumn("[bold]analysing[/] {task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} frames"), TimeRemainingColumn(),
                      console=err, transient=True, disable=not show) as bar:
            task = bar.add_task(video.name, total=None)

            def progress(done: int, expected: int) -> None:
                bar.update(task, completed=done, total=max(expected, done) or None)

            result = analyze_video(video, exercise=exercise, model=model, profile=profile, progress=progress,
                                   streams=jobs, mirror_pass=mirror_pass)
        if json_path:
            write_json(result, json_path)
        if csv_path:
            write_csv(result, csv_path)
        if trc_path or mot_path:
            from ..report.opensim_files import write_mot, write_trc

            if trc_path:
                write_trc(result, trc_path)
            if mot_path:
                write_mot(result, mot_path)
        if html_path:
            from ..report.html import write_html

            write_html(result.to_dict(), html_path, video=video)
        if annotated:
            from ..profile import load_profile
            from ..report.video import write_annotated

            with Progress(TextColumn("[bold]drawing[/] {task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total} frames"), console=err, transient=True,
                          disable=not show) as bar:
                task = bar.add_task(annotated.name, total=None)
                written, encoding = write_annotated(
                    result, video, annotated, load_profile(profile),
                    progress=lambda done, n: bar.update(task, completed=done, total=max(n, done) or None))
            if not quiet:
                err.print(f"annotated video: {escape(str(written))} ({encoding.label})", highlight=False,
                          soft_wrap=True)
    except FormcheckError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    record_session(result.to_dict(include_frames=False), history, video=video)
    if show:
        print_summary(result)
    if explain and not to_stdout:
        print_explain(result)


def _analyze_batch(videos: list[Path], out_dir: Path | None, exercise: str, model: str, profile: Path | None,
                   formats: str, jobs: int, engine: str, quiet: bool, mirror_pass: bool | None, history: bool) -> None:
    """Batch mode of ``analyze``: a line per finished video on stderr, the index's path at the end; each
    video's session recorded in the history here, as it finishes."""
    from ..batch import BATCH_FAILED_EXIT, FORMATS, run_batch

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(FORMATS))
    if out_dir is None:
        fail("several videos need --out-dir (one report per video plus index.json go there)", 2)
    if unknown:
        fail(f"unknown report format {', '.join(unknown)} (choose from: {', '.join(FORMATS)})", 2)

    def done(entry: dict, finished: int, total: int) -> None:
        if quiet:
            return
        name = Path(entry["video"]).name
        if entry["status"] != "ok":
            line = f"[red]error (exit {entry['exit_code']})[/]: {escape(entry['error'])}"
        elif "reps_per_leg" in entry and "backward_steps" not in entry:
            legs = entry["reps_per_leg"]
            line = (f"{entry['complete_reps']} reps (left {legs['left']}, right {legs['right']}), "
                    f"{sum(entry['mistake_counts'].values())} mistakes")
        else:
            line = f"{entry.get('backward_steps', 0)} backward steps"
        err.print(f"\\[{finished}/{total}] {escape(name)}: {line} ({entry['seconds']:.1f} s)", highlight=False,
                  soft_wrap=True)

    recorder = recording(history)
    on_report = None if recorder is None else (lambda entry, report: recorder.record(report, entry["video"]))
    try:
        with one_line_errors():
            index = run_batch(videos, out_dir, exercise=exercise, model=model, profile=profile, formats=wanted,
                              jobs=jobs, engine=engine, mirror_pass=mirror_pass, on_done=done, on_report=on_report)
    finally:
        if recorder is not None:
            recorder.close()
            for line in recorder.warnings:
                warn(line)
    s = index["summary"]
    out.print(f"wrote {out_dir / 'index.json'}: {s['ok']} of {s['videos']} videos analysed"
              + (f", {s['failed']} failed" if s["failed"] else ""), highlight=False, soft_wrap=True)
    if s["failed"]:
        raise typer.Exit(BATCH_FAILED_EXIT)


@app.command()
def live(
    camera: str = typer.Option("0", help="Camera index, or a device path or stream URL."),
    source: Path | None = typer.Option(None, help="Replay this video at its real pace instead of a camera."),
    exercise: str = typer.Option("reverse-lunge", help="Exercise: reverse-lunge or reverse-walk."),
    model: str = typer.Option("full", help="Pose model: lite, full, heavy or a .task path."),
    voice: bool = typer.Option(True, "--voice/--no-voice", help="Speak cues (needs espeak-ng or pyttsx3)."),
    window: bool = typer.Option(True, "--window/--no-window", help="Show the overlay window (keys: q quit, "
                                "space pause, r new set)."),
    save: Path | None = typer.Option(None, help="Session report (JSON, same schema as analyze). "
                                     "Default: formcheck-session-DATE-TIME.json"),
    profile: Path | None = typer.Option(None, readable=False, help="Threshold profile TOML overriding the defaults."),
    history: bool = typer.Option(True, "--history/--no-history", help=HISTORY_HELP),
) -> None:
    """Live coaching: skeleton, reps per leg, one cue at a time on screen and spoken; the session is saved."""
    import signal
    import threading
    import time

    from ..exercises import EXERCISES
    from ..live.capture import CameraSource, ReplaySource
    from ..live.loop import require_display, run_live, session_extra
    from ..live.voice import Voice
    from ..models import resolve_model
    from ..pose import INFERENCE_MAX_SIDE
    from ..profile import load_profile
    from ..report.json_report import write_json

    save = save or Path(time.strftime("formcheck-session-%Y%m%d-%H%M%S.json"))
    speaker = None
    try:
        if exercise not in EXERCISES:
            raise InputError(f"unknown exercise '{exercise}' (choose from: {', '.join(EXERCISES)})")
        prof = load_profile(profile)
        resolve_model(model)
        if window:
            require_display()
        if save.parent != Path("") and not save.parent.is_dir():
            raise InputError(f"cannot save the session to {save}: folder {save.parent} does not exist")
        src = ReplaySource(str(source), INFERENCE_MAX_SIDE) if source else CameraSource(
            int(camera) if camera.isdigit() else camera, INFERENCE_MAX_SIDE)
        if voice:
            speaker = Voice()
            if not speaker.available:
                err.print("[yellow]note:[/] no text-to-speech engine (install espeak-ng, or pip install "
                          "'formcheck[voice]'): cues are shown, not spoken", highlight=False)
        err.print(f"[bold]formcheck live[/]: {src.name}. Stand still, whole body in view, to calibrate; "
                  + ("q quits, space pauses, r starts a new set." if window else "Ctrl-C ends the session."),
                  highlight=False)
        stop = threading.Event()  # Ctrl-C or `kill` ends the session between two frames: saved, not lost
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        outcome = run_live(src, prof, model=model, exercise=exercise, window=window, voice=speaker, stop=stop)
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C or kill must not interrupt the save
            signal.signal(signum, signal.SIG_IGN)
        extra = session_extra(outcome)
        write_json(outcome.analysis, save, extra=extra)
        record_session(outcome.analysis.to_dict(include_frames=False) | extra, history)
    except FormcheckError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        if speaker is not None:
            speaker.close()
    stats = outcome.stats
    speed = f"{stats.frames_processed} frames at {stats.fps:.1f} fps, {stats.frames_dropped} dropped"
    if outcome.failed:
        err.print(f"[bold red]error:[/] {outcome.reason}; the session so far is saved to {save} ({speed})",
                  highlight=False, soft_wrap=True)
    else:
        err.print(f"session ended ({outcome.reason}), saved to {save} ({speed})", highlight=False, soft_wrap=True)
    print_summary(outcome.analysis)
    if outcome.failed:
        raise typer.Exit(CameraError.exit_code)


@app.command()
def report(
    session: Path = typer.Argument(..., help="A JSON report written by `analyze --json` or `live --save`."),
    html_path: Path = typer.Option(..., "--html", help="Write the HTML report here."),
    video: Path | None = typer.Option(None, help="Take thumbnails from this video (default: the report's source)."),
) -> None:
    """Render a saved analysis or live session as a self-contained HTML page."""
    import json

    from ..report.html import write_html

    try:
        data = json.loads(session.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not str(data.get("schema_version", "")).startswith("formcheck-analysis/"):
            raise InputError(f"{session} is not a formcheck report (no formcheck-analysis schema_version)")
        write_html(data, html_path, video=video)
    except FileNotFoundError:
        fail(f"no such file: {session}", 2)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"cannot read {session}: {exc}", 2)
    except (KeyError, TypeError, IndexError) as exc:
        fail(f"{session} is not a complete formcheck report (missing {exc})", 2)
    except FormcheckError as exc:
        fail(str(exc), exc.exit_code)
    out.print(f"wrote {html_path}", highlight=False)


@app.command()
def models() -> None:
    """List the pose models and whether each is installed and verified."""
    from ..models import VARIANTS, resolve_model

    for variant in VARIANTS:
        try:
            out.print(f"{variant:6s} ok       {resolve_model(variant)}", highlight=False)
        except FormcheckError as exc:
            out.print(f"{variant:6s} missing  {exc}", highlight=False)


@app.command()
def schema(which: str = typer.Argument("analysis", help="analysis (a report: formcheck-analysis/1) or batch (a "
                                       "batch's index.json: formcheck-batch/1).")) -> None:
    """Print the JSON Schema (draft 2020-12) of the JSON report, or of a batch's index."""
    from ..report.schema import ANALYSIS_SCHEMA, BATCH_SCHEMA, schema_text

    names = {"analysis": ANALYSIS_SCHEMA, "batch": BATCH_SCHEMA}
    if which not in names:
        fail(f"unknown schema '{which}' (choose from: {', '.join(names)})", 2)
    typer.echo(schema_text(names[which]), nl=False)


def run() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    run()
