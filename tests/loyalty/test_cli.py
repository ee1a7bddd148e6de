"""``omohub loyalty check`` finds a ledger that does not add up; ``sweep`` expires due lots."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from omohub.bootstrap import Hub
from omohub.loyalty.models import PointLot
from omohub.loyalty.service import adjust, program
from tests.helpers import omohub
from tests.loyalty.conftest import balance


def test_check_passes_on_a_sound_ledger_and_names_a_broken_lot(
    hub: Hub, database_url: str, new_member: Callable[..., int]
) -> None:
    member = new_member()
    with hub.uow() as session:
        adjust.adjust(session, member, 120, reason="welcome", key="w", actor="hq")
        adjust.adjust(session, member, -20, reason="fix", key="f", actor="hq")
    result = omohub(database_url, "loyalty", "check")
    assert result.exit_code == 0 and "1 members, 100 points; 0 problems" in result.output
    with hub.uow() as session:  # someone edits a lot by hand
        session.execute(update(PointLot).values(remaining=PointLot.remaining + 5))
    result = omohub(database_url, "loyalty", "check")
    assert result.exit_code == 1
    assert f"member {member}: ledger sums to 100, lots hold 105" in result.output
    assert "120 earned, 20 taken, but 105 remain" in result.output


def test_sweep_expires_what_is_due(hub: Hub, database_url: str, new_member: Callable[..., int]) -> None:
    member = new_member()
    with hub.uow() as session:  # on 2 March 2026 (the frozen clock), lots living one month
        program.update_settings(session, {"expiry": "months", "expiry_months": 1})
        adjust.adjust(session, member, 50, reason="welcome", key="w", actor="hq")
    assert balance(hub, member).total == 50
    result = omohub(database_url, "loyalty", "sweep")  # the CLI runs on the real clock: long after
    assert result.exit_code == 0, result.output
    assert "1 holds, members and reviews handled" in result.output
    assert balance(hub, member).total == 0
