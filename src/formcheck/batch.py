"""Many videos: one report per video plus an index, on a local process pool or on Ray.

The unit of work is ``analyze_one``: a pure function of one ``VideoTask`` (video path, exercise,
model, profile, formats) that returns the index entry, the rendered report texts and the report
dict (for the caller's progress history, recorded in this process as each video finishes), and writes
nothing. The driver writes every file (atomically) and the index, so an engine only has to map
``analyze_one`` over the tasks: the local pool and Ray produce the same reports by construction,
and a Ray cluster needs no shared output folder, only access to the videos.

One bad video never stops the batch: its entry says ``status: "error"`` with the one-line message
and the exit code ``formcheck analyze`` gives it alone.
"""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .errors import FormcheckError, InputError
from .report.atomic import write_text_atomic

INDEX_SCHEMA = "formcheck-batch/1"
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv"})
FORMATS = ("json", "csv", "html", "trc", "mot")
ENGINES = ("local", "ray")
# Exit code of a batch that ran to the end with some videos failed: distinct from 1 (formcheck
# itself failed) so a script knows the index is complete and can read each video's own code there.
BATCH_FAILED_EXIT = 8
# Index fields copied from each video's summary (lunge and walk summaries; absent keys are skipped).
SUMMARY_KEYS = ("complete_reps", "incomplete_reps", "reps_per_leg", "sets", "mistake_counts", "clean_reps",
                "frames", "duration_s", "direction", "backward_steps", "steps_per_foot", "walk_mistakes")


@dataclass(frozen=True)
class VideoTask:
    """Everything ``analyze_one`` needs: plain values, so a task pickles to any worker or node."""

    video: str
    name: str  # report file stem in the output folder (unique within the batch)
    exercise: str = "reverse-lunge"
    model: str = "full"
    profile: str | None = None
    formats: tuple[str, ...] = ("json",)
    streams: int = 1  # pose streams for this one video (parallel.py)
    mirror_pass: bool | None = None  # the pose model also on the mirrored frames: None = once turned (api)


def collect_videos(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given (whatever their suffix), and the videos directly inside each folder, sorted.

    A folder is not searched recursively. A path that does not exist is kept: its entry reports the
    error like any other unreadable video.
    """
    videos: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            videos += sorted(p for p in item.iterdir()
                             if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith("."))
        else:
            videos.append(item)
    return videos


def report_names(videos: list[Path]) -> list[str]:
    """A report stem per video: its file stem, with -2, -3 ... when two videos share one."""
    seen: dict[str, int] = {}
    names = []
    for v in videos:
        n = seen[v.stem] = seen.get(v.stem, 0) + 1
        names.append(v.stem if n == 1 else f"{v.stem}-{n}")
    return names


def analyze_one(task: VideoTask) -> tuple[dict, dict[str, str], dict | None]:
    """Analyse one video: (index entry, {file name: report text}, the report without its per-frame
    table or None if it failed). Writes nothing; never raises a FormcheckError (it becomes the
    entry's error), so a batch survives any single video."""
    from .api import analyze_video
    from .report.csv_report import to_csv
    from .report.json_report import to_json

    start = time.perf_counter()
    entry: dict = {"video": task.video, "name": task.name}
    files: dict[str, str] = {}
    report = None
    try:
        result = analyze_video(task.video, exercise=task.exercise, model=task.model, profile=task.profile,
                               streams=task.streams, mirror_pass=task.mirror_pass)
        if "json" in task.formats:
            files[f"{task.name}.json"] = to_json(result)
        if "csv" in task.formats:
            files[f"{task.name}.csv"] = to_csv(result)
        if "html" in task.formats:
            from .report.html import render_html

            files[f"{task.name}.html"] = render_html(result.to_dict(), video=task.video)
        if "trc" in task.formats or "mot" in task.formats:
            from .report.opensim_files import mot_text, trc_text

            if "trc" in task.formats:
                files[f"{task.name}.trc"] = trc_text(result.series, f"{task.name}.trc")
            if "mot" in task.formats:
                files[f"{task.name}.mot"] = mot_text(result.metrics, f"{task.name}.mot")
        summary = result.summary()
        report = result.to_dict(include_frames=False)
        entry |= {"status": "ok", "exit_code": 0, "error": None, "warnings": list(result.warnings),
                  "view": result.view} | {k: summary[k] for k in SUMMARY_KEYS if k in summary}
    except FormcheckError as exc:
        entry |= {"status": "error", "exit_code": exc.exit_code, "error": str(exc)}
    except Exception as exc:  # a bug, not bad input: still only this video's failure
        entry |= {"status": "error", "exit_code": 1, "error": f"{type(exc).__name__}: {exc}"}
    entry["reports"] = {name.rsplit(".", 1)[1]: name for name in files}
    entry["seconds"] = round(time.perf_counter() - start, 2)
    return entry, files, report


Outcome = tuple[int, dict, dict[str, str], dict | None]  # (task position, entry, files, report)


def _run_local(tasks: list[VideoTask], jobs: int) -> Iterator[Outcome]:
    """In this process when ``jobs`` is 1, else a pool of ``jobs`` processes, one video each."""
    if jobs <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            yield i, *analyze_one(task)
        return
    # spawn, not fork: the CLI's progress thread and MediaPipe's threads do not survive a fork
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(analyze_one, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], *future.result()


def _run_ray(tasks: list[VideoTask], jobs: int) -> Iterator[Outcome]:
    """One Ray task per video. Joins the cluster at ``RAY_ADDRESS`` if set (or one this process has
    already joined), else starts a local instance with ``jobs`` CPUs and stops it afterwards."""
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'formcheck[ray]'") from None
    started = not ray.is_initialized()
    if started:
        address = os.environ.get("RAY_ADDRESS")
        ray.init(address=address, num_cpus=None if address else jobs, include_dashboard=False,
                 log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": _package_path()}})
    try:
        remote = ray.remote(num_cpus=1)(analyze_one)  # one pose stream uses about one core
        pending = {remote.remote(task): i for i, task in enumerate(tasks)}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                yield pending.pop(ref), *ray.get(ref)
    finally:
        if started:
            ray.shutdown()


def _package_path() -> str:
    """PYTHONPATH for Ray workers: this formcheck first, so they run the driver's code."""
    return os.pathsep.join(filter(None, (str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH"))))


def run_batch(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *, exercise: str = "reverse-lunge",
              model: str = "full", profile: str | os.PathLike | None = None, formats: Iterable[str] = ("json",),
              jobs: int = 1, engine: str = "local", mirror_pass: bool | None = None,
              on_done: Callable[[dict, int, int], None] | None = None,
              on_report: Callable[[dict, dict], object] | None = None) -> dict:
    """Analyse every video, write its reports and ``index.json`` (and ``index.html`` with html) into
    ``out_dir``; return the index. ``on_done(entry, finished, total)`` after each video;
    ``on_report(entry, report)`` after each one analysed, in this process (the progress history).

    With ``jobs`` > 1 the local engine's pool spawns processes, which re-import the calling script:
    call this from under ``if __name__ == "__main__":`` (the ``formcheck`` command does).
    """
    from .models import resolve_model
    from .profile import load_profile

    formats = tuple(f for f in FORMATS if f in set(formats))
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from: {', '.join(ENGINES)})")
    load_profile(profile)  # a bad profile or model would fail every video: one error, before any work
    resolve_model(model)
    videos = collect_videos(inputs)
    if not videos:
        raise InputError("no videos to analyse (a folder's videos are files ending in "
                         f"{', '.join(sorted(VIDEO_SUFFIXES))})")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc.strerror}") from None
    # fewer videos than jobs: the spare processes split the videos' pose stages (parallel.py)
    streams = max(1, jobs // len(videos)) if engine == "local" else 1
    tasks = [VideoTask(str(v), name, exercise, model, str(profile) if profile else None, formats or ("json",), streams,
                       mirror_pass) for v, name in zip(videos, report_names(videos), strict=True)]
    entries: list[dict | None] = [None] * len(tasks)
    start = time.perf_counter()
    runner = _run_ray if engine == "ray" else _run_local
    for finished, (i, entry, files, report) in enumerate(runner(tasks, max(1, jobs)), 1):
        for name, text in files.items():
            write_text_atomic(out / name, text)
        entries[i] = entry
        if on_report is not None and report is not None:
            on_report(entry, report)
        if on_done is not None:
            on_done(entry, finished, len(tasks))
    failed = sum(e["status"] != "ok" for e in entries)
    index = {"schema_version": INDEX_SCHEMA, "videos": entries,
             "summary": {"videos": len(entries), "ok": len(entries) - failed, "failed": failed},
             "run": {"engine": engine, "jobs": jobs, "exercise": exercise, "model": model,
                     "seconds": round(time.perf_counter() - start, 2)}}
    write_text_atomic(out / "index.json", json.dumps(index, indent=1) + "\n")
    if "html" in formats:
        write_text_atomic(out / "index.html", index_html(index))
    return index


def index_html(index: dict) -> str:
    """A table of the batch: one row per video, linking its HTML report."""
    rows = []
    for e in index["videos"]:
        name = html.escape(Path(e["video"]).name)
        link = f'<a href="{html.escape(e["reports"]["html"])}">{name}</a>' if "html" in e["reports"] else name
        if e["status"] == "ok":
            legs = e.get("reps_per_leg", {})
            reps = f"{legs.get('left', 0)} / {legs.get('right', 0)}" if legs else str(e.get("backward_steps", ""))
            mistakes = ", ".join(f"{html.escape(k)} &times;{v}" for k, v in e.get("mistake_counts", {}).items())
            status = "ok"
        else:
            reps, mistakes = "", ""
            status = f'<span class="err">error (exit {e["exit_code"]}): {html.escape(e["error"])}</span>'
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{reps}</td><td>{mistakes or '-'}</td>"
                    f"<td>{e['seconds']:.1f}</td></tr>")
    s = index["summary"]
    return ("<!doctype html><html><head><meta charset='utf-8'><title>formcheck batch</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;"
            "padding:4px 10px;text-align:left}.err{color:#b00}</style></head><body>"
            f"<h1>formcheck: {s['videos']} videos, {s['ok']} analysed, {s['failed']} failed</h1><table>"
            "<tr><th>video</th><th>status</th><th>reps left / right</th><th>mistakes</th><th>seconds</th></tr>"
            + "".join(rows) + "</table></body></html>\n")
