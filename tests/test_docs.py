"""Documentation is part of the product: these fail when something public is undocumented."""

from __future__ import annotations

from pathlib import Path

import click

from omohub.cli import main
from omohub.core.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    missing = [f"OMOHUB_{n.upper()}" for n in Settings.model_fields if f"`OMOHUB_{n.upper()}`" not in text]
    assert not missing, f"add to docs/configuration.md: {missing}"


def _commands(group: click.Group, prefix: str = "omohub") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append(path)
        if isinstance(cmd, click.Group):
            out += _commands(cmd, path)
    return out


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [c for c in _commands(main) if f"`{c}" not in text]
    assert not missing, f"add to docs/cli.md: {missing}"
