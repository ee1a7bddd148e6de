"""Built for 17 million members: every statement identity and the 360 send is an index look-up.

On PostgreSQL, with sequential scans switched off, a statement that still scans a big table
in full (a ``Seq Scan``, or an index scan without an index condition) has no index to use:
at scale it would read every member. The statements are captured from real calls — sign-up,
identify with a merge, the 360 by phone, merge and unmerge by hand — and EXPLAINed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from omohub.access.rules import Principal
from omohub.bootstrap import Hub
from omohub.customer360.service import lookup
from omohub.members import service
from omohub.members.identity import claims_from, resolve
from omohub.members.schemas import MemberIn
from omohub.orders.models import Order
from tests.conftest import PG_URL
from tests.helpers import basic, drain, new_source

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="query plans are checked on PostgreSQL"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

#: Tables that grow with the number of members (or their events).
BIG = {
    "members",
    "identifiers",
    "orders",
    "order_lines",
    "merges",
    "merge_exclusions",
    "merge_suggestions",
    "shared_identifiers",
    "audit_log",
    "events",
}
CLERK = Principal(actor="console:clerk", role="clerk", scopes=frozenset({"pos"}))


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def full_scans(engine: Engine, seen: list[tuple[str, Any]]) -> list[str]:
    bad: list[str] = []
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, params in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                continue
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar_one()
            bad += [f"{scan} in: {' '.join(statement.split())[:160]}" for scan in _full(plan[0]["Plan"])]
        conn.rollback()
    return bad


def _full(node: dict[str, Any]) -> Iterator[str]:
    relation = node.get("Relation Name", "")
    big = relation in BIG or relation.startswith("events")
    if big and node["Node Type"] == "Seq Scan":
        yield f"Seq Scan on {relation}"
    if big and node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
        yield f"full {node['Node Type']} on {relation}"
    for child in node.get("Plans", []):
        yield from _full(child)


def test_identity_and_the_360_use_indexes_only(hub: Hub, client: Any, pos: dict[str, str]) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    with captured(hub.engine) as seen:
        with hub.uow() as s:
            amy = service.join(s, MemberIn(phone="0912345678", anonymous_id="a-1"), source="t").member
            bea = service.join(s, MemberIn(email="bea@example.tw", join=False), source="t").member
            assert amy is not None and bea is not None
            now = dt.datetime.now(dt.UTC)
            s.add(
                Order(
                    source="pos-1",
                    external_id="o-1",
                    channel="pos",
                    member_id=bea.id,
                    currency="TWD",
                    subtotal=100,
                    discount_total=0,
                    total=100,
                    ordered_at=now,
                    business_date=now.date(),
                    created_at=now,
                    request_hash="0" * 64,
                )
            )
        client.post(
            "/v1/track",
            headers=web,
            json={"anonymousId": "a-1", "event": "Product Viewed", "properties": {"product_id": "P-1"}},
        )
        drain(hub)
        with hub.uow() as s:  # identify names both: a merge
            resolve(
                s,
                claims_from([("phone", "0912345678"), ("email", "bea@example.tw"), ("device_id", "d-1")]),
                source="collect:web",
                reason="identify",
            )
        with hub.uow() as s:
            service.unmerge_by_hand(s, bea.id, "console:hq")
        with hub.uow() as s:
            service.merge_by_hand(s, amy.id, bea.id, "same person", "console:hq")
        with hub.uow() as s:
            profile = lookup(s, CLERK, "phone", "0912-345-678")
            assert profile.member.id == amy.id and profile.recently_viewed
        with hub.uow() as s:
            card = str(service.get(s, amy.id).card_no)
            assert service.find(s, "member_card", card, lock=True).id == amy.id
    statements = [st for st, _ in seen]
    assert any("FROM identifiers" in st for st in statements) and any(
        "INSERT INTO merges" in st for st in statements
    )
    assert full_scans(hub.engine, seen) == []
