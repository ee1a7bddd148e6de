"""No double spend on PostgreSQL: parallel redemptions from the POS and the web shop at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from omohub.bootstrap import Hub
from omohub.loyalty.errors import NotEnoughPoints
from omohub.loyalty.service import adjust, redeem
from tests.conftest import PG_URL
from tests.loyalty.conftest import balance, settle
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
