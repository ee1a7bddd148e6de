"""Real parallel clients on PostgreSQL: one order per key, never more returned than bought."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from omohub.bootstrap import Hub
from omohub.orders import service
from omohub.orders.models import Order
from omohub.orders.schemas import OrderIn
from tests.conftest import PG_URL
from tests.orders.conftest import counts, pos_sale

pytestmark = [
    pytest.mark.skipif(
        not PG_URL, reason="concurrency is proven on PostgreSQL (set OMOHUB_TEST_DATABASE_URL)"
    ),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CLIENTS = 8


def _parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released together."""
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_parallel_identical_posts_create_one_order(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    body = pos_sale()
    replies = _parallel(CLIENTS, lambda _: client.post("/api/v1/orders", headers=pos, json=body))
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: 1, 200: CLIENTS - 1}, [r.text for r in replies if r.status_code >= 300]
    assert len({r.json()["id"] for r in replies}) == 1
    got = counts(hub)
    assert (got["orders"], got["order_lines"], got["payments"], got["outbox"]) == (1, 2, 2, 1)


def test_the_loser_of_an_insert_race_returns_the_winner(
    hub: Hub, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    """Deterministic: B passes the "already recorded?" check while A's insert is uncommitted,
    blocks on the unique index, and must return A's order once A commits (not a 500, not a twin)."""
    data = OrderIn.model_validate(pos_sale())
    a = hub.sessions()
    winner, _ = service.create(a, data, actor="apikey:pos-terminal")  # flushed, not committed
    pid: list[int] = []
    result: dict[str, Any] = {}

    def b() -> None:
        with hub.uow() as session:
            pid.append(session.scalar(text("SELECT pg_backend_pid()")) or 0)
            order, created = service.create(session, data, actor="apikey:pos-terminal")
            result.update(id=order.id, created=created)

    thread = threading.Thread(target=b)
    thread.start()
    try:
        _wait_until_blocked(hub, pid)
    finally:
        a.commit()
        a.close()
    thread.join()
    assert result == {"id": winner.id, "created": False}
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_an_order_racing_a_merge_lands_on_the_survivor(
    hub: Hub, client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    """Deterministic: a merge of the buyer is uncommitted while the order resolves the buyer;
    the order must wait for it and end on the survivor, never on the tombstone."""
    from omohub.members import service as members

    survivor = client.post("/api/v1/members", headers=pos, json={"email": "amy@example.com"}).json()
    buyer = client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"}).json()
    survivor_id, buyer_id = survivor["member"]["id"], buyer["member"]["id"]
    a = hub.sessions()
    members.merge_by_hand(a, survivor_id, buyer_id, "same person", "test")  # flushed, not committed
    data = OrderIn.model_validate(pos_sale(member={"phone": "0912345678"}))
    pid: list[int] = []
    result: dict[str, Any] = {}

    def b() -> None:
        with hub.uow() as session:
            pid.append(session.scalar(text("SELECT pg_backend_pid()")) or 0)
            order, _ = service.create(session, data, actor="apikey:pos-terminal")
            result["member_id"] = order.member_id

    thread = threading.Thread(target=b)
    thread.start()
    try:
        _wait_until_blocked(hub, pid)
    finally:
        a.commit()
        a.close()
    thread.join()
    assert result == {"member_id": survivor_id}
    with hub.uow() as session:
        assert session.scalars(select(Order.member_id)).all() == [survivor_id]


def _wait_until_blocked(hub: Hub, pid: list[int]) -> None:
    """Until B's backend waits on a lock (A's uncommitted row). A hang guard, not a timing check."""
    deadline = time.monotonic() + 60
    with hub.engine.connect() as conn:
        while time.monotonic() < deadline:
            if pid:
                wait = conn.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid[0]}
                ).scalar()
                if wait == "Lock":
                    return
            conn.rollback()
            time.sleep(0.01)
    raise AssertionError("the second insert never blocked on the first")


def test_parallel_returns_never_exceed_what_was_bought(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    order = place_order(
        lines=[{"sku": "SHIRT-LIN-L", "quantity": 3, "unit_price": 350, "line_discount": 50}],
        payments=[{"tender": "cash", "amount": 1000}],
        einvoice=None,
    )
    url = f"/api/v1/orders/{order['id']}/returns"
    body = {"store_code": "TPE-DAAN", "lines": [{"sku": "SHIRT-LIN-L", "quantity": 1}]}
    replies = _parallel(
        CLIENTS, lambda i: client.post(url, headers={**pos, "Idempotency-Key": f"R-{i}"}, json=body)
    )
    assert Counter(r.status_code for r in replies) == {201: 3, 409: CLIENTS - 3}
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"over_return"}
    refunds = sorted(r.json()["return"]["refund_total"] for r in replies if r.status_code == 201)
    assert refunds == [333, 333, 334]
    final = client.get(f"/api/v1/orders/{order['id']}", headers=pos).json()
    assert (final["status"], final["refunded_total"]) == ("refunded", 1000)
    assert final["lines"][0]["returned_quantity"] == 3 and len(final["returns"]) == 3
    assert counts(hub)["return_lines"] == 3


def test_parallel_retries_of_one_return_record_it_once(
    hub: Hub, client: TestClient, pos: dict[str, str], place_order: Callable[..., Any]
) -> None:
    order = place_order()
    url = f"/api/v1/orders/{order['id']}/returns"
    body = {"lines": [{"line_no": 2, "quantity": 1}]}
    replies = _parallel(
        CLIENTS, lambda _: client.post(url, headers={**pos, "Idempotency-Key": "R-1"}, json=body)
    )
    assert Counter(r.status_code for r in replies) == {201: 1, 200: CLIENTS - 1}
    assert len({r.json()["return"]["id"] for r in replies}) == 1
    got = counts(hub)
    assert (got["returns"], got["return_lines"]) == (1, 1)
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=pos).json()["lines"][1]["returned_quantity"] == 1
    )
