"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
from typing import Any

from omohub.bootstrap import Hub


def new_source(hub: Hub, name: str, channel: str, kind: str | None = None) -> str:
    from omohub.collect.sources import create_source

    with hub.uow() as session:
        _, key = create_source(session, name, channel, kind)
    return key


def basic(write_key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()}


def drain(hub: Hub) -> None:
    from omohub.worker import drain as run

    run(hub)


def omohub(database_url: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``omohub ARGS`` in-process against ``database_url``; returns click's Result."""
    from click.testing import CliRunner

    from omohub.cli import main

    return CliRunner().invoke(main, list(args), env={"OMOHUB_DATABASE_URL": database_url, **(env or {})})
