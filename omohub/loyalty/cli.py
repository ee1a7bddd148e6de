"""``omohub loyalty check|sweep``: prove the ledger adds up; run the expiry sweep now."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from omohub.loyalty import check
from omohub.loyalty.tasks import sweep


@click.group("loyalty")
def loyalty_command() -> None:
    """Points and tiers (group)."""


@loyalty_command.command("check")
@click.pass_obj
def check_command(make_hub: Callable[[], Any]) -> None:
    """Prove every balance equals its ledger sum and every lot agrees with what was taken from it."""
    hub = make_hub()
    try:
        with hub.uow() as session:
            report = check.run(session)
    finally:
        hub.close()
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    click.echo(f"{report.members} members, {report.points} points; {len(report.problems)} problems")
    sys.exit(1 if report.problems else 0)


@loyalty_command.command("sweep")
@click.pass_obj
def sweep_command(make_hub: Callable[[], Any]) -> None:
    """Release abandoned holds, expire due lots and run due tier reviews now (the worker does it too)."""
    hub = make_hub()
    try:
        total = 0
        while done := sweep(hub.sessions):
            total += done
    finally:
        hub.close()
    click.echo(f"{total} holds, members and reviews handled")
