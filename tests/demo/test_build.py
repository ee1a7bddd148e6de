"""A small demo brand is coherent with the rest of the hub, and the same seed builds it again."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import phonenumbers
import pytest
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.collect.models import Cursor, Event, Source
from omohub.collect.processor import process_batch
from omohub.collect.rules import SourceInfo, check
from omohub.core import einvoice
from omohub.customer360.service import profile
from omohub.demo.service import NotEmpty
from omohub.members.models import Identifier, Member, MergeRecord, MergeSuggestion
from omohub.members.rules import normalize
from omohub.orders.models import ONLINE_CHANNELS, Order, OrderLine, Payment, Return, ReturnLine
from omohub.orders.rules import TENDERS, status_after
from omohub.org.models import Staff, Store
from tests.demo.conftest import MEMBERS, build


def _both_channels(hub: Hub) -> list[int]:
    """Members with orders at a till and online."""
    seen: dict[int, set[bool]] = defaultdict(set)
    with hub.uow() as s:
        for member_id, channel in s.execute(
            select(Order.member_id, Order.channel).where(Order.member_id.is_not(None))
        ):
            seen[member_id].add(channel in ONLINE_CHANNELS)
    return sorted(m for m, kinds in seen.items() if len(kinds) == 2)


def test_an_omnichannel_members_360_shows_both_channels_views_and_a_timeline(hub: Hub, demo: object) -> None:
    members = _both_channels(hub)
    assert len(members) >= MEMBERS * 0.1
    with hub.uow() as s:
        for member_id in members[:5]:
            p = profile(s, s.get(Member, member_id), masked=False)
            assert p.online.orders > 0 and p.offline.orders > 0
            assert p.lifetime_net_spend == p.online.net_spend + p.offline.net_spend > 0
            assert {x.channel for x in p.last_purchases} & {"pos"}
            assert p.recently_viewed and all(v.name for v in p.recently_viewed)
            kinds = {item.kind for item in p.timeline}
            assert {"order", "track"} <= kinds
            assert {i.type for i in p.member.identifiers} >= {"phone", "member_card", "anonymous_id"}


def test_omnichannel_members_spend_more_than_single_channel_members(hub: Hub) -> None:
    result = build(hub)
    assert result.omni_vs_store > 1.5 and result.omni_vs_online > 2
    with hub.uow() as s:
        rows = s.execute(
            select(Order.member_id, Order.channel, Order.total - Order.refunded_total).where(
                Order.member_id.is_not(None)
            )
        ).all()
    spend: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for member_id, channel, net in rows:
        spend[member_id][channel in ONLINE_CHANNELS] += net
    groups: dict[str, list[int]] = defaultdict(list)
    for store, online in spend.values():
        groups["omni" if store and online else ("store" if store else "online")].append(store + online)
    average = {k: sum(v) / len(v) for k, v in groups.items()}
    assert average["omni"] > average["store"] and average["omni"] > average["online"]


def test_orders_add_up_like_the_orders_domain_says(hub: Hub, demo: object) -> None:
    with hub.uow() as s:
        orders = {o.id: o for o in s.scalars(select(Order))}
        lines = defaultdict(list)
        for line in s.scalars(select(OrderLine)):
            lines[line.order_id].append(line)
        paid: dict[int, int] = defaultdict(int)
        for p in s.scalars(select(Payment)):
            assert p.tender in TENDERS and p.amount > 0
            paid[p.order_id] += p.amount
        refunds: dict[int, int] = defaultdict(int)
        returns = list(s.scalars(select(Return)))
        for r in returns:
            refunds[r.order_id] += r.refund_total
            assert sum(x["amount"] for x in r.refunds) == r.refund_total
            assert r.returned_at > orders[r.order_id].ordered_at
        returned_lines = list(s.scalars(select(ReturnLine)))
        store_ids = set(s.scalars(select(Store.id)))
        staff_ids = set(s.scalars(select(Staff.id)))
    assert returns and any(r.channel == "pos" and orders[r.order_id].channel != "pos" for r in returns)
    assert sum(x.refund_amount for x in returned_lines) == sum(r.refund_total for r in returns)
    for order in orders.values():
        own = lines[order.id]
        assert own, order.external_id
        for line in own:
            assert (
                line.line_total == line.quantity * line.unit_price - line.line_discount - line.order_discount
            )
            assert 0 <= line.returned_quantity <= line.quantity
        assert order.total == sum(x.line_total for x in own) == order.subtotal - order.discount_total
        assert paid[order.id] == order.total
        assert order.refunded_total == refunds[order.id] == sum(x.refunded_amount for x in own)
        assert order.status == status_after([(x.quantity, x.returned_quantity) for x in own])
        assert order.business_date == order.ordered_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        assert order.store_id in store_ids | {None} and order.staff_id in staff_ids | {None}
        if order.channel == "pos":
            assert order.store_id is not None and order.staff_id is not None
        if order.einvoice_type not in ("paper", None):
            assert einvoice.validate(order.einvoice_type, order.einvoice_value) == order.einvoice_value


def test_identifiers_are_stored_as_the_hub_normalises_them(hub: Hub, demo: object) -> None:
    with hub.uow() as s:
        idents = list(s.scalars(select(Identifier)))
        followers = s.scalar(select(func.count()).select_from(Member).where(Member.card_no.is_(None)))
        suggestions = list(s.scalars(select(MergeSuggestion)))
        merges = list(s.scalars(select(MergeRecord)))
        merged = [s.get(Member, m.merged_id) for m in merges]
    types = {i.type for i in idents}
    assert types >= {"phone", "email", "member_card", "external", "line_uid", "anonymous_id", "device_id"}
    for ident in idents:
        assert normalize(ident.type, ident.value) == ident.value
        if ident.type == "phone":
            assert phonenumbers.is_valid_number(phonenumbers.parse(ident.value))
    # legacy duplicates: the same phone, unverified, on a second record, waiting for review
    assert suggestions and all(x.status == "open" for x in suggestions)
    phones = defaultdict(list)
    for ident in idents:
        if ident.type == "phone":
            phones[ident.value].append(ident.verified)
    assert any(sorted(v) == [False, True] for v in phones.values())
    assert followers and merges and all(m is not None and m.status == "merged" for m in merged)


def test_events_are_the_segment_calls_the_collection_api_would_store(hub: Hub, demo: object) -> None:
    with hub.uow() as s:
        sources = {
            x.id: SourceInfo(x.id, x.name, x.channel, x.user_id_kind) for x in s.scalars(select(Source))
        }
        events = list(s.scalars(select(Event).order_by(Event.seq)))
        cursor = s.get(Cursor, "identity")
    assert len(events) >= MEMBERS * 15
    assert cursor is not None and cursor.position == events[-1].seq
    assert process_batch(hub.sessions) == 0  # the worker does not re-process the demo's history
    for e in events:
        row = check(e.body, sources[e.source_id], e.received_at)
        assert (row.message_id, row.type, row.event) == (e.message_id, e.type, e.event)
        assert (row.user_key, row.anonymous_id, row.product_ref) == (
            e.user_key,
            e.anonymous_id,
            e.product_ref,
        )
        assert row.timestamp == e.timestamp <= e.received_at
    names = {e.event for e in events}
    assert {"Product Viewed", "Product Added", "Order Completed", "Followed"} <= names
    assert {e.type for e in events} == {"page", "screen", "track", "identify"}
    assert sum(1 for e in events if e.user_key is None) > len(events) * 0.4  # plenty of anonymous traffic
    late = sum(1 for a, b in itertools.pairwise(events) if b.received_at < a.received_at)
    assert late < len(events) * 0.01  # stored in order of receipt, as a live hub would


def test_the_demo_only_builds_into_an_empty_database(hub: Hub, demo: object) -> None:
    with pytest.raises(NotEmpty):
        build(hub)


def test_the_hub_keeps_its_durable_settings_after_the_bulk_load(hub: Hub, demo: object) -> None:
    if hub.engine.dialect.name != "sqlite":
        pytest.skip("the demo relaxes fsyncs on its SQLite loading connection only")
    conns = [hub.engine.raw_connection() for _ in range(3)]  # whatever the pool hands out
    try:
        assert all(c.cursor().execute("PRAGMA synchronous").fetchone()[0] == 1 for c in conns)  # NORMAL
    finally:
        for c in conns:
            c.close()
