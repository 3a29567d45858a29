"""What every command shares: a FormcheckError as one line and its exit code, and warnings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.markup import escape

from ..console import err
from ..errors import FormcheckError


def fail(message: str, code: int) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A FormcheckError becomes its one line and exit code; Ctrl-C exits 130."""
    try:
        yield
    except FormcheckError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
