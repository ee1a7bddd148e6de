"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64

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
