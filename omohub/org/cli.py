"""``omohub import stores|staff FILE.csv`` (the ``import`` group passes the hub factory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from omohub.core.importcli import HubLike, import_options, run_import
from omohub.org.imports import STAFF_COLUMNS, STORE_COLUMNS, import_staff, import_stores


@click.command("stores")
@import_options
@click.pass_obj
def stores_command(make_hub: Callable[[], HubLike], path: Path, skip_invalid: bool, encoding: str) -> None:
    """Import stores (門市) from a CSV file: new codes are created, changed rows updated."""
    run_import(make_hub, path, STORE_COLUMNS, import_stores, skip_invalid=skip_invalid, encoding=encoding)


@click.command("staff")
@import_options
@click.pass_obj
def staff_command(make_hub: Callable[[], HubLike], path: Path, skip_invalid: bool, encoding: str) -> None:
    """Import staff (店員) from a CSV file; their stores must be imported first."""
    run_import(make_hub, path, STAFF_COLUMNS, import_staff, skip_invalid=skip_invalid, encoding=encoding)
