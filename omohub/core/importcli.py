"""The edge of every ``omohub import …`` command: progress bar, one transaction, the summary.

Exit codes: 0 imported (with ``--skip-invalid``, also when rows were skipped); 1 rows were
rejected and nothing was written; 2 the file itself is unusable (encoding, columns).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import click
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omohub.core.csvimport import Column, Outcome, Table, Ticker, read_table
from omohub.core.errors import DomainError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID


class HubLike(Protocol):
    def uow(self) -> AbstractContextManager[Session]: ...

    def close(self) -> None: ...


UseCase = Callable[..., Outcome]


class RichTicker:
    """A rich progress bar on stderr; silent when stderr is not a terminal (logs, CI)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> RichTicker:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.progress.stop()

    def start(self, label: str, total: int) -> None:
        self.task = self.progress.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)


def import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments every import command takes."""
    command = click.option(
        "--encoding",
        default="utf-8-sig",
        show_default=True,
        help="Text encoding of the file; the default reads UTF-8 with or without a BOM.",
    )(command)
    command = click.option(
        "--skip-invalid",
        is_flag=True,
        help="Write the valid rows even if some are rejected (they are still listed).",
    )(command)
    return click.argument("path", type=click.Path(path_type=Path))(command)


def run_import(
    make_hub: Callable[[], HubLike],
    path: Path,
    columns: Sequence[Column],
    use_case: UseCase,
    *,
    skip_invalid: bool,
    encoding: str,
) -> None:
    """Read, check, write in one transaction, report; exits 1 or 2 as documented above."""
    try:
        table = read_table(path, columns, encoding)
        hub = make_hub()
        try:
            with RichTicker(_stderr()) as ticker, hub.uow() as session:
                outcome = _run(use_case, session, table, skip_invalid, ticker)
        finally:
            hub.close()
    except DomainError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        sys.exit(2)
    except IntegrityError:
        # Another import or request wrote one of the same codes after we checked them;
        # the transaction rolled back, so running again sees it and is exact.
        click.echo(
            "error: the same records were changed meanwhile; nothing was written, run it again", err=True
        )
        sys.exit(2)
    for line in report(table, outcome):
        click.echo(line)
    if outcome.rejected and not outcome.written:
        sys.exit(1)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _run(use_case: UseCase, session: Session, table: Table, skip_invalid: bool, ticker: Ticker) -> Outcome:
    outcome = use_case(session, table, skip_invalid=skip_invalid, ticker=ticker)
    if not outcome.written:
        session.rollback()
    return outcome


def report(table: Table, outcome: Outcome) -> list[str]:
    """The summary: counts per kind of record, then every rejected row."""
    lines = [f"{table.name}: {outcome.rows:,} rows"]
    if table.ignored:
        lines.append(f"  ignored columns (not understood): {', '.join(table.ignored)}")
    verb = "" if outcome.written else "would be "
    for kind, t in outcome.tallies.items():
        lines.append(
            f"  {kind}: {verb}created {t.created:,}, {verb}updated {t.updated:,}, unchanged {t.unchanged:,}"
        )
    lines.append(f"  rejected: {outcome.rejected_rows:,} rows")
    lines.extend(f"    {error}" for error in outcome.rejected)
    if outcome.rejected and not outcome.written:
        lines.append(
            "nothing was written: fix the rows above and import again,"
            " or pass --skip-invalid to write the valid rows"
        )
    elif outcome.rejected:
        lines.append("the valid rows were written; the rejected rows above were skipped")
    return lines
