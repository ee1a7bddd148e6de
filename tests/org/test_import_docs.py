"""docs/import.md is checked: every column name and alias is documented, and the console
transcripts it shows are what the commands really print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omohub.catalog.imports import CATALOG_COLUMNS
from omohub.core.csvimport import Column
from omohub.org.imports import STAFF_COLUMNS, STORE_COLUMNS
from omohub.org.rules import ROLE_ALIASES
from tests.helpers import omohub
from tests.org.test_import import BROKEN

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEXT = (DOCS / "import.md").read_text()


@pytest.mark.parametrize("columns", [STORE_COLUMNS, STAFF_COLUMNS, CATALOG_COLUMNS])
def test_every_column_and_alias_is_documented(columns: tuple[Column, ...]) -> None:
    missing = [name for column in columns for name in column.names() if f"`{name}`" not in TEXT]
    assert not missing, f"add to docs/import.md: {missing}"


def test_every_role_alias_is_documented() -> None:
    missing = [alias for alias in ROLE_ALIASES if f"`{alias}`" not in TEXT]
    assert not missing


def transcript(command: str) -> list[str]:
    block = re.search(rf"```console\n\$ {re.escape(command)}\n(.*?)```", TEXT, re.S)
    assert block, f"no transcript of {command!r} in docs/import.md"
    return block.group(1).rstrip("\n").split("\n")


def test_transcripts_are_real(database_url: str, tmp_path: Path) -> None:
    r = omohub(database_url, "import", "catalog", str(DOCS / "examples" / "catalog.csv"))
    assert r.stdout.splitlines() == transcript("omohub import catalog docs/examples/catalog.csv")
    broken = tmp_path / "broken.csv"
    broken.write_text(BROKEN)
    omohub(database_url, "import", "stores", str(DOCS / "examples" / "stores.csv"))
    stores = tmp_path / "with-rename.csv"
    stores.write_text(BROKEN + "TPE-XINYI,信義改名,台北市,25.04,121.56,Asia/Taipei\n")
    r = omohub(database_url, "import", "stores", str(stores))
    lines = r.stdout.replace("with-rename.csv", "broken.csv").splitlines()
    assert lines == transcript("omohub import stores broken.csv")
