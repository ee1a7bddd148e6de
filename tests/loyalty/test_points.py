"""The points ledger end to end: earn on a sale, pending, hold/capture/release, clawback, expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.core.clock import FrozenClock
from omohub.core.outbox import OutboxMessage
from omohub.loyalty.errors import HoldClosed, KeyReused, NotEnoughPoints, RedeemRefused
from omohub.loyalty.models import PointEntry, PointHold
from omohub.loyalty.service import adjust, program, redeem
from omohub.members.merge import merge
from tests.loyalty.conftest import balance, sale, settle
from tests.loyalty.support import buy, give_back

DRESS, SOCKS = ("DRESS-BLK-M", 1, 1980), ("SOCKS-WHT-F", 2, 190)


def events(hub: Hub, topic: str) -> list[dict[str, object]]:
    with hub.uow() as session:
        stmt = select(OutboxMessage.payload).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
        return list(session.scalars(stmt))


def entries(hub: Hub, member_id: int) -> list[tuple[str, int]]:
    with hub.uow() as session:
        rows = session.scalars(
            select(PointEntry).where(PointEntry.member_id == member_id).order_by(PointEntry.id)
        )
        return [(e.kind, e.points) for e in rows]


@pytest.fixture
def shopper(hub: Hub, clock: FrozenClock, catalog: dict[str, int], new_member: Callable[..., int]) -> int:
    """A member who bought NT$2,360 a week and a day ago: 23 points, usable now."""
    member = new_member()
    buy(hub, sale(member, "POS-1", [DRESS, SOCKS]))
    settle(hub)
    clock.advance(days=8)
    return member


def test_a_sale_earns_points_that_wait_out_the_return_window(
    hub: Hub, clock: FrozenClock, catalog: dict[str, int], new_member: Callable[..., int]
) -> None:
    member = new_member()
    buy(hub, sale(member, "POS-1", [DRESS, SOCKS]))
    settle(hub)
    settle(hub)  # a redelivered event earns nothing twice
    b = balance(hub, member)
    assert (b.available, b.pending, b.total) == (0, 23, 23)
    [earned] = events(hub, "loyalty.points_earned")
    assert earned["points"] == 23 and earned["expires_at"] == "2027-12-31T16:00:00+00:00"
    clock.advance(days=7)
    assert balance(hub, member).available == 23
    assert entries(hub, member) == [("earn", 23)]


def test_a_walk_in_sale_earns_nothing(hub: Hub, catalog: dict[str, int]) -> None:
    buy(hub, sale(None, "POS-1", [DRESS]))
    settle(hub)
    assert events(hub, "loyalty.points_earned") == []


def test_hold_then_capture_spends_points_once(hub: Hub, shopper: int) -> None:
    with hub.uow() as session:
        held = redeem.hold(session, shopper, 20, key="web-cart-1", channel="web", actor="apikey:web")
        again = redeem.hold(session, shopper, 20, key="web-cart-1", channel="web", actor="apikey:web")
        assert again.id == held.id
    b = balance(hub, shopper)
    assert (b.available, b.held, b.total) == (3, 20, 23)
    order = buy(hub, sale(shopper, "WEB-1", [SOCKS], channel="web", store_code=None, staff_code=None))
    with hub.uow() as session:
        redeem.capture(session, held.id, order_id=order)
        redeem.capture(session, held.id, order_id=order)  # a retry: same result, spent once
    b = balance(hub, shopper)
    assert (b.available, b.held, b.total) == (3, 0, 3)
    assert ("redeem", -20) in entries(hub, shopper)
    assert events(hub, "loyalty.points_redeemed")[0]["points"] == 20
    with hub.uow() as session, pytest.raises(HoldClosed):
        redeem.release(session, held.id)
    settle(hub)


def test_a_hold_value_lists_the_holds_columns_in_table_order() -> None:
    """``Hold.of_row`` reads the capture function's row (``point_holds.*``) by position."""
    fields = list(redeem.Hold.__dataclass_fields__)
    assert [c.name for c in PointHold.__table__.c] == fields[:-1] and fields[-1] == "replayed"


def test_a_hold_never_takes_more_than_is_available(hub: Hub, shopper: int) -> None:
    with hub.uow() as session:
        redeem.hold(session, shopper, 15, key="pos-1", channel="pos", actor="pos")
    with hub.uow() as session, pytest.raises(NotEnoughPoints, match="has 8 points available; 10 asked"):
        redeem.hold(session, shopper, 10, key="web-1", channel="web", actor="web")
    with hub.uow() as session, pytest.raises(KeyReused):
        redeem.hold(session, shopper, 5, key="pos-1", channel="pos", actor="pos")
    with hub.uow() as session, pytest.raises(RedeemRefused):
        redeem.hold(session, shopper, 0, key="pos-2", channel="pos", actor="pos")
    assert balance(hub, shopper).held == 15


def test_a_released_or_abandoned_hold_gives_the_points_back(
    hub: Hub, clock: FrozenClock, shopper: int
) -> None:
    with hub.uow() as session:
        first = redeem.hold(session, shopper, 10, key="a", channel="pos", actor="pos").id
        second = redeem.hold(session, shopper, 10, key="b", channel="web", actor="web").id
        redeem.release(session, first)
    assert balance(hub, shopper).available == 13
    clock.advance(minutes=31)
    settle(hub)  # the sweep releases the abandoned checkout
    assert balance(hub, shopper).available == 23
    with hub.uow() as session, pytest.raises(HoldClosed, match="expired or was released"):
        redeem.capture(session, second, order_id=None)


def test_an_abandoned_hold_gives_way_to_the_next_before_the_sweep(
    hub: Hub, clock: FrozenClock, shopper: int
) -> None:
    with hub.uow() as session:
        first = redeem.hold(session, shopper, 20, key="a", channel="pos", actor="pos")
    clock.advance(minutes=31)  # abandoned; no sweep has run
    with hub.uow() as session:
        second = redeem.hold(session, shopper, 20, key="b", channel="web", actor="web")
        again = redeem.hold(session, shopper, 20, key="b", channel="web", actor="web")
    assert (second.replayed, again.replayed, again.id) == (False, True, second.id)
    with hub.uow() as session:
        assert redeem.get(session, first.id).status == "released"
    b = balance(hub, shopper)
    assert (b.available, b.held) == (3, 20)


def test_the_session_that_redeems_sees_its_own_changes(hub: Hub, shopper: int) -> None:
    """The tender writes with plain statements; rows the session loaded before are refreshed."""
    from omohub.loyalty import ledger

    with hub.uow() as session:
        assert ledger.balance(session, shopper).available == 23  # lots loaded into the session
        held = redeem.hold(session, shopper, 20, key="same", channel="pos", actor="pos")
        assert redeem.get(session, held.id).status == "held"
        b = ledger.balance(session, shopper)
        assert (b.available, b.held) == (3, 20)
        done = redeem.capture(session, held.id, order_id=None)
        assert (done.status, redeem.get(session, held.id).status) == ("captured", "captured")
        b = ledger.balance(session, shopper)
        assert (b.available, b.held, b.total) == (3, 0, 3)


def test_redemption_limits_come_from_the_program(hub: Hub, shopper: int) -> None:
    with hub.uow() as session:
        program.update_settings(session, {"min_redeem_points": 50})
    with hub.uow() as session, pytest.raises(RedeemRefused, match="at least 50 points"):
        redeem.hold(session, shopper, 20, key="x", channel="pos", actor="pos")


def test_a_store_return_of_an_online_order_claws_back_that_lines_points(
    hub: Hub, clock: FrozenClock, catalog: dict[str, int], new_member: Callable[..., int]
) -> None:
    member = new_member()
    web = sale(member, "WEB-9", [DRESS, SOCKS], channel="web", store_code=None, staff_code=None)
    order = buy(hub, web)
    settle(hub)
    give_back(hub, order, "ret-1", [{"sku": "SOCKS-WHT-F", "quantity": 1}], store="NTP-BANQIAO")
    settle(hub)
    give_back(hub, order, "ret-2", [{"sku": "SOCKS-WHT-F", "quantity": 1}], store="TPE-DAAN")
    settle(hub)
    assert entries(hub, member) == [("earn", 23), ("reverse", -2), ("reverse", -2)]  # the socks' 4
    reversed_ = events(hub, "loyalty.points_reversed")
    assert [(e["points"], e["unrecovered"]) for e in reversed_] == [(2, 0), (2, 0)]
    assert balance(hub, member).total == 19


def test_points_already_spent_are_recorded_as_unrecovered_not_taken_below_zero(
    hub: Hub, clock: FrozenClock, shopper: int
) -> None:
    with hub.uow() as session:
        held = redeem.hold(session, shopper, 23, key="all", channel="pos", actor="pos")
        redeem.capture(session, held.id, order_id=None)
    with hub.uow() as session:
        order_id = session.scalar(select(PointEntry.order_id).where(PointEntry.kind == "earn"))
    assert order_id is not None
    give_back(hub, order_id, "ret-1", [{"sku": "DRESS-BLK-M", "quantity": 1}])
    settle(hub)
    assert balance(hub, shopper).total == 0
    [rev] = events(hub, "loyalty.points_reversed")
    assert (rev["points"], rev["unrecovered"]) == (0, 19)


def test_lots_expire_at_the_end_of_the_next_year_and_the_member_is_told(
    hub: Hub, clock: FrozenClock, shopper: int
) -> None:
    with hub.uow() as session:
        adjust.adjust(session, shopper, 100, reason="goodwill", key="gw-1", actor="hq")
    clock.at = dt.datetime(2027, 12, 31, 15, 59, tzinfo=dt.UTC)
    settle(hub)
    assert balance(hub, shopper).available == 123
    clock.advance(minutes=2)  # 1 Jan 2028 in Taipei: the 2026 lots are gone
    settle(hub)
    assert balance(hub, shopper).total == 0
    [expired] = events(hub, "loyalty.points_expired")
    assert (expired["points"], expired["balance"]) == (123, 0)


def test_redemption_spends_the_soonest_expiring_lot_first(hub: Hub, clock: FrozenClock, shopper: int) -> None:
    clock.at = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    with hub.uow() as session:
        adjust.adjust(session, shopper, 100, reason="2027 campaign", key="c27", actor="hq")
        held = redeem.hold(session, shopper, 30, key="h", channel="pos", actor="pos")
        redeem.capture(session, held.id, order_id=None)
    clock.at = dt.datetime(2028, 1, 2, tzinfo=dt.UTC)
    settle(hub)
    # the 23 from 2026 went first; 7 of the 2027 lot were spent; nothing expired in 2028
    assert balance(hub, shopper).available == 93
    assert events(hub, "loyalty.points_expired") == []


def test_adjustments_need_a_reason_and_never_take_the_balance_below_zero(hub: Hub, shopper: int) -> None:
    with hub.uow() as session, pytest.raises(RedeemRefused, match="say why"):
        adjust.adjust(session, shopper, 5, reason=" ", key="k1", actor="hq")
    with hub.uow() as session, pytest.raises(NotEnoughPoints):
        adjust.adjust(session, shopper, -24, reason="correction", key="k2", actor="hq")
    with hub.uow() as session:
        adjust.adjust(session, shopper, -3, reason="correction", key="k3", actor="hq")
        adjust.adjust(session, shopper, -3, reason="correction", key="k3", actor="hq")
    assert balance(hub, shopper).total == 20
    settle(hub)


def test_a_merge_brings_the_points_along_and_unmerge_takes_them_back(
    hub: Hub, shopper: int, new_member: Callable[..., int]
) -> None:
    other = new_member()
    with hub.uow() as session:
        adjust.adjust(session, other, 50, reason="legacy card", key="legacy", actor="hq")
    with hub.uow() as session:
        record = merge(session, other, shopper, reason="same phone")
    assert balance(hub, other).available == 73
    settle(hub)
    from omohub.members.merge import unmerge

    with hub.uow() as session:
        unmerge(session, record.id, actor="hq")
    assert (balance(hub, other).available, balance(hub, shopper).available) == (50, 23)
    settle(hub)
