"""No double spend on PostgreSQL: parallel redemptions from the POS and the web shop at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.loyalty.errors import HoldClosed, NotEnoughPoints
from omohub.loyalty.models import PointEntry, PointHold
from omohub.loyalty.service import adjust, redeem
from tests.conftest import PG_URL
from tests.loyalty.conftest import balance, sale, settle
from tests.loyalty.support import buy
from tests.members.test_concurrency import parallel

pytestmark = [
    pytest.mark.skipif(
        not PG_URL, reason="concurrency is proven on PostgreSQL (set OMOHUB_TEST_DATABASE_URL)"
    ),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CLIENTS = 50


def test_fifty_parallel_redemptions_of_the_last_hundred_points(
    hub: Hub, new_member: Callable[..., int]
) -> None:
    member = new_member()
    with hub.uow() as session:  # two lots, so redemptions also race across lots
        adjust.adjust(session, member, 60, reason="welcome", key="a", actor="hq")
        adjust.adjust(session, member, 40, reason="campaign", key="b", actor="hq")

    def redeem_ten(i: int) -> int:
        channel = "pos" if i % 2 else "web"
        with hub.uow() as session:
            held = redeem.hold(session, member, 10, key=f"{channel}-{i}", channel=channel, actor=channel)
        with hub.uow() as session:
            return redeem.capture(session, held.id, order_id=None).points

    results = parallel(CLIENTS, redeem_ten)
    spent = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, NotEnoughPoints)]
    assert len(spent) == 10 and len(refused) == CLIENTS - 10, results
    b = balance(hub, member)
    assert (b.total, b.available, b.held) == (0, 0, 0)
    settle(hub)


def test_the_same_hold_key_from_many_clients_reserves_once(hub: Hub, new_member: Callable[..., int]) -> None:
    member = new_member()
    with hub.uow() as session:
        adjust.adjust(session, member, 100, reason="welcome", key="a", actor="hq")

    def retry(i: int) -> int:
        with hub.uow() as session:
            return redeem.hold(session, member, 30, key="pos-retry", channel="pos", actor="pos").id

    results = parallel(20, retry)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert balance(hub, member).held == 30
    settle(hub)


def test_many_clients_capturing_one_hold_spend_it_once(hub: Hub, new_member: Callable[..., int]) -> None:
    """Retries of the order's capture (same order) all see it captured; a capture for another
    order is refused. One debit, whatever the interleaving."""
    member = new_member()
    with hub.uow() as session:
        adjust.adjust(session, member, 100, reason="welcome", key="a", actor="hq")
    with hub.uow() as session:
        hold_id = redeem.hold(session, member, 40, key="till-7", channel="pos", actor="pos").id

    def capture(_: int) -> str:
        with hub.uow() as session:
            return redeem.capture(session, hold_id, order_id=None).status

    results = parallel(20, capture)
    assert results == ["captured"] * 20, results
    with hub.uow() as session:
        debits = session.scalars(select(PointEntry.points).where(PointEntry.kind == "redeem")).all()
    assert list(debits) == [-40]
    b = balance(hub, member)
    assert (b.total, b.available, b.held) == (60, 60, 0)
    settle(hub)


def test_a_hold_captured_for_one_order_is_refused_for_another(
    hub: Hub, new_member: Callable[..., int], catalog: dict[str, int]
) -> None:
    member = new_member()
    with hub.uow() as session:
        adjust.adjust(session, member, 100, reason="welcome", key="a", actor="hq")
    with hub.uow() as session:
        hold_id = redeem.hold(session, member, 40, key="till-8", channel="pos", actor="pos").id
    orders = [buy(hub, sale(member, f"POS-R{i}", [("SOCKS-WHT-F", 1, 190)])) for i in range(6)]

    def capture(i: int) -> int:
        with hub.uow() as session:
            return redeem.capture(session, hold_id, order_id=orders[i % len(orders)]).points

    results = parallel(18, capture)
    won = {r for r in results if isinstance(r, int)}
    refused = [r for r in results if isinstance(r, HoldClosed)]
    assert won == {40} and len(refused) == 18 - results.count(40), results
    with hub.uow() as session:
        order_id = session.scalar(select(PointHold.order_id).where(PointHold.id == hold_id))
    assert results.count(40) == sum(1 for i in range(18) if orders[i % 6] == order_id)
    assert balance(hub, member).total == 60
