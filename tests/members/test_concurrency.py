"""Identity under real parallel clients on PostgreSQL: one person stays one member.

Every client has its own connection (its own HTTP connection to a live server, or its own
session from the pool) and all of them are released at once by a barrier, several rounds.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from omohub.bootstrap import Hub
from omohub.core.outbox import OutboxMessage
from omohub.members import repository as repo
from omohub.members import service
from omohub.members.identity import claims_from, resolve
from omohub.members.models import Identifier, Member, MergeRecord
from omohub.members.schemas import MemberIn
from omohub.orders.models import Order
from tests.collect.servers import threaded_server
from tests.conftest import PG_URL, make_key

pytestmark = [
    pytest.mark.skipif(
        not PG_URL, reason="concurrency is proven on PostgreSQL (set OMOHUB_TEST_DATABASE_URL)"
    ),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CLIENTS = 16
ROUNDS = 4


def parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    """``call(i)`` in ``n`` threads released together; exceptions come back as values."""
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait()
        try:
            return call(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def no_errors(results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors


def active(hub: Hub) -> int:
    with hub.uow() as s:
        return int(s.scalar(select(func.count()).where(Member.status == "active")) or 0)


def owner_ids(hub: Hub, type_: str, value: str) -> list[int]:
    with hub.uow() as s:
        return list(
            s.scalars(select(Identifier.member_id).where(Identifier.type == type_, Identifier.value == value))
        )


def new_member(hub: Hub, **fields: Any) -> int:
    with hub.uow() as s:
        member = service.join(s, MemberIn(**fields), source="apikey:setup").member
        assert member is not None
        return member.id


def test_two_channels_signing_up_one_phone_at_once_make_one_member(hub: Hub) -> None:
    """POS terminals and the web shop, each through its own API key and HTTP connection."""
    keys = [make_key(hub, "pos", name="pos-terminal"), make_key(hub, "ecommerce", name="webshop")]
    with threaded_server(hub) as (base, _):
        for round_ in range(ROUNDS):
            phone = f"0912-345-6{round_:02d}"

            def sign_up(i: int, phone: str = phone, round_: int = round_) -> httpx.Response:
                web = i % 2 == 1
                body = {"phone": phone, "channel": "web" if web else "pos"}
                if web:
                    body["email"] = f"shopper{round_}@example.tw"
                with httpx.Client(base_url=base, timeout=60) as http:
                    return http.post("/api/v1/members", headers=keys[i % 2], json=body)

            replies = parallel(CLIENTS, sign_up)
            no_errors(replies)
            statuses = Counter(r.status_code for r in replies)
            assert statuses == {201: 1, 200: CLIENTS - 1}, [r.text for r in replies if r.status_code >= 300]
            ids = {r.json()["member"]["id"] for r in replies}
            assert len(ids) == 1
            assert owner_ids(hub, "phone", f"+8869123456{round_:02d}") == list(ids)
            assert owner_ids(hub, "email", f"shopper{round_}@example.tw") == list(ids)
    assert active(hub) == ROUNDS
    with hub.uow() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == ROUNDS
        created = s.scalar(select(func.count()).where(OutboxMessage.topic == "member.created"))
        assert created == ROUNDS


def test_parallel_joins_naming_one_person_differently_end_as_one_member(hub: Hub) -> None:
    """Some clients know only the e-mail or the LINE id, others several: all are one person."""
    for round_ in range(ROUNDS):
        phone, email, line = f"09223344{round_:02d}", f"p{round_}@example.tw", "U" + f"{round_:x}" * 32
        shapes: list[dict[str, Any]] = [
            {"phone": phone},
            {"email": email, "join": False},
            {"line_uid": line, "join": False},
            {"phone": phone, "email": email},
            {"email": email, "line_uid": line},
            {"line_uid": line, "phone": phone, "anonymous_id": f"anon-{round_}"},
        ]

        def join(i: int, shapes: list[dict[str, Any]] = shapes) -> int:
            with hub.uow() as s:
                member = service.join(s, MemberIn(**shapes[i % len(shapes)]), source="apikey:pos").member
                assert member is not None
                return member.id

        no_errors(parallel(CLIENTS, join))
        holders = {
            *owner_ids(hub, "phone", f"+8869223344{round_:02d}"),
            *owner_ids(hub, "email", email),
            *owner_ids(hub, "line_uid", line),
        }
        assert len(holders) == 1
    assert active(hub) == ROUNDS
    _merge_log_is_consistent(hub)


def test_concurrent_identifies_that_merge_one_pair_merge_it_once(hub: Hub) -> None:
    for round_ in range(ROUNDS):
        a = new_member(hub, phone=f"09334455{round_:02d}")
        b = new_member(hub, email=f"q{round_}@example.tw", join=False)
        pairs = [("phone", f"09334455{round_:02d}"), ("email", f"q{round_}@example.tw")]

        def identify(i: int, pairs: list[tuple[str, str]] = pairs) -> int | None:
            with hub.uow() as s:
                claims = claims_from(pairs if i % 2 else pairs[::-1])
                member = resolve(s, claims, source="collect:web", reason="identify").member
                return member.id if member else None

        results = parallel(CLIENTS, identify)
        no_errors(results)
        assert set(results) == {a}
        with hub.uow() as s:
            merges = s.scalars(select(MergeRecord).where(MergeRecord.merged_id == b)).all()
            assert [(m.survivor_id, m.undone_at) for m in merges] == [(a, None)]
            assert service.get(s, b).merged_into_id == a
    _merge_log_is_consistent(hub)


def test_crossing_merges_from_many_clients_do_not_deadlock(hub: Hub) -> None:
    """A ring of members, every client naming a different neighbouring pair, in both orders."""
    for round_ in range(ROUNDS):
        phones = [f"0955{round_:02d}00{k:02d}" for k in range(6)]
        for p in phones:
            new_member(hub, phone=p)

        def identify(i: int, phones: list[str] = phones) -> None:
            k = i % len(phones)
            pair = [("phone", phones[k]), ("phone", phones[(k + 1) % len(phones)])]
            with hub.uow() as s:
                resolve(s, claims_from(pair if i < len(phones) else pair[::-1]), source="t", reason="ring")

        no_errors(parallel(CLIENTS, identify))
        holders = {m for p in phones for m in owner_ids(hub, "phone", repo_phone(p))}
        assert len(holders) == 1
    assert active(hub) == ROUNDS
    _merge_log_is_consistent(hub)


def test_orders_written_during_a_merge_follow_the_survivor(hub: Hub) -> None:
    """A merge by hand races clerks ringing up sales for the member being folded away."""
    for round_ in range(ROUNDS):
        a = new_member(hub, phone=f"09667788{round_:02d}")
        b = new_member(hub, phone=f"09778899{round_:02d}")

        def work(i: int, a: int = a, b: int = b, round_: int = round_) -> None:
            with hub.uow() as s:
                if i == 0:
                    service.merge_by_hand(s, a, b, "same person", "console:hq")
                    return
                member = service.find(s, "phone", f"09778899{round_:02d}", lock=True)
                _order(s, member.id, f"r{round_}-{i}")

        no_errors(parallel(CLIENTS, work))
        with hub.uow() as s:
            on = Counter(s.scalars(select(Order.member_id).where(Order.external_id.like(f"r{round_}-%"))))
        assert on == {a: CLIENTS - 1}


def _order(s: Any, member_id: int, external_id: str) -> None:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    s.add(
        Order(
            source="pos-1",
            external_id=external_id,
            channel="pos",
            member_id=member_id,
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


def repo_phone(raw: str) -> str:
    from omohub.members.rules import normalize

    return normalize("phone", raw)


def _merge_log_is_consistent(hub: Hub) -> None:
    """No identifier on a tombstone; every tombstone has exactly one open merge to its survivor."""
    with hub.uow() as s:
        stray = s.scalars(
            select(Identifier.id)
            .join(Member, Member.id == Identifier.member_id)
            .where(Member.status != "active")
        ).all()
        assert stray == []
        for member in s.scalars(select(Member).where(Member.status == "merged")):
            open_ = s.scalars(
                select(MergeRecord.survivor_id).where(
                    MergeRecord.merged_id == member.id, MergeRecord.undone_at.is_(None)
                )
            ).all()
            assert open_ == [member.merged_into_id]
            live = repo.live_member(s, member.id)
            assert live is not None and live.status == "active"
