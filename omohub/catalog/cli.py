"""``omohub import catalog FILE.csv`` (the ``import`` group passes the hub factory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from omohub.catalog.imports import CATALOG_COLUMNS, import_catalog
from omohub.core.importcli import HubLike, import_options, run_import


@click.command("catalog")
@import_options
@click.pass_obj
def catalog_command(make_hub: Callable[[], HubLike], path: Path, skip_invalid: bool, encoding: str) -> None:
    """Import products and SKUs from a CSV file, one row per SKU (see docs/import.md)."""
    run_import(make_hub, path, CATALOG_COLUMNS, import_catalog, skip_invalid=skip_invalid, encoding=encoding)
