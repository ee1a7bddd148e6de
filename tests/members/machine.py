"""A model-free state machine over identity: random sign-ups, identifies, aliases, merges,
unmerges and orders, with the identity invariants checked after every step.

Shared by ``test_identity_machine.py`` (SQLite and PostgreSQL profiles). Each example gets
a fresh database from ``new_hub``; the hub's clock ticks one second per step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omohub.api.app import create_app
from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku
from omohub.collect.models import Event
from omohub.collect.queries import member_keys
from omohub.core.clock import FrozenClock
from omohub.core.errors import DomainError
from omohub.members import repository as repo
from omohub.members import service
from omohub.members.errors import MergeRefused
from omohub.members.identity import claims_from, resolve
from omohub.members.models import (
    Identifier,
    Member,
    MergeExclusion,
    MergeRecord,
    MergeSuggestion,
    SharedIdentifier,
)
from omohub.members.rules import WEAK_TYPES
from omohub.members.schemas import MemberIn
from omohub.orders.models import Order, OrderLine
from omohub.org.models import Store
from omohub.worker import drain
from tests.helpers import basic, new_source

PHONES = [f"09123456{i:02d}" for i in range(1, 7)] + ["0900000000"]  # the last one is junk
EMAILS = [f"p{i}@example.tw" for i in range(1, 5)] + ["test@test.com"]
ANONS = [f"anon-{i}" for i in range(1, 6)] + ["undefined"]
USER_IDS = [f"c-{i}" for i in range(1, 5)] + ["undefined"]
LINE_UIDS = ["U" + f"{i:x}" * 32 for i in range(1, 4)]
SHARED_CAP = 2
#: E-mail may not merge two members by itself here, so suggestions happen too.
AUTO_TYPES = ("phone", "line_uid", "member_card", "external", "member_id")


def opt(values: list[str]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(values)


class IdentityMachine(RuleBasedStateMachine):
    """Subclassed by the test with ``new_hub`` bound to the backend under test."""

    new_hub: Callable[[FrozenClock], Hub]

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
        self.hub = self.new_hub(self.clock)
        self.found: set[tuple[str, str]] = set()
        self.orders = 0
        self.client = TestClient(create_app(self.hub))
        self.worker_client = httpx.Client()
        self.web = basic(new_source(self.hub, "webshop", "web"))
        with self.hub.uow() as s:
            now = self.clock()
            shop = Store(code="S1", name="信義店", city="台北市", created_at=now)
            product = Product(code="P1", name="亞麻襯衫", list_price=990, created_at=now)
            s.add_all([shop, product])
            s.flush()
            sku = Sku(code="P1-M", product_id=product.id, list_price=990, created_at=now)
            s.add(sku)
            s.flush()
            self.store_id, self.sku_id = shop.id, sku.id

    def teardown(self) -> None:
        with self.hub.uow() as s:
            for table in (MergeRecord, MergeSuggestion, SharedIdentifier, MergeExclusion):
                n = s.scalar(select(func.count()).select_from(table))
                event(f"{table.__tablename__}: {'some' if n else 'none'}")
        self.client.close()
        self.worker_client.close()
        self.hub.close()

    # ---------------------------------------------------------------- helpers
    def tick(self) -> None:
        self.clock.advance(seconds=1)

    def live_ids(self) -> list[int]:
        with self.hub.uow() as s:
            return list(s.scalars(select(Member.id).where(Member.status == "active").order_by(Member.id)))

    def merged_ids(self) -> list[int]:
        with self.hub.uow() as s:
            return list(s.scalars(select(Member.id).where(Member.status == "merged").order_by(Member.id)))

    @contextmanager
    def within_cap(self) -> Iterator[None]:
        """A call links a weak id to no member beyond the cap.

        (An unmerge may bring the count back above it: it restores history, links nobody new.)
        """
        with self.hub.sessions() as s:
            before = weak_link_counts(s)
        yield
        with self.hub.sessions() as s:
            after = weak_link_counts(s)
        over = {k: n for k, n in after.items() if n > max(before.get(k, 0), SHARED_CAP)}
        assert not over, over

    def join(self, data: MemberIn) -> None:
        """A join is one transaction; a refused one must change nothing."""
        with self.within_cap():
            self._join(data)

    def _join(self, data: MemberIn) -> None:
        self.tick()
        before = self.snapshot()
        try:
            with self.hub.uow() as s:
                service.join(s, data, source="apikey:pos")
        except DomainError:
            assert self.snapshot() == before

    def send(self, raw: dict[str, Any]) -> None:
        """One Segment call through the collection API, then the worker (identity processor)."""
        with self.within_cap():
            self._send(raw)

    def _send(self, raw: dict[str, Any]) -> None:
        self.tick()
        r = self.client.post(f"/v1/{raw['type']}", headers=self.web, json=raw)
        assert r.status_code == 200, r.text
        drain(self.hub, self.worker_client)

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Members (less ``updated_at``), identifiers and orders, as the database holds them."""
        with self.hub.uow() as s:
            members = [
                {k: v for k, v in row.items() if k != "updated_at"}
                for row in s.execute(select(Member.__table__).order_by(Member.id)).mappings()
            ]
            idents = [
                dict(r) for r in s.execute(select(Identifier.__table__).order_by(Identifier.id)).mappings()
            ]
            orders = [dict(r) for r in s.execute(select(Order.__table__).order_by(Order.id)).mappings()]
        return {"members": members, "identifiers": idents, "orders": orders}

    # ------------------------------------------------------------------ rules
    @rule(
        phone=st.sampled_from(PHONES),
        email=opt(EMAILS),
        anon=opt(ANONS),
        channel=st.sampled_from(["pos", "web", "line"]),
        joins=st.booleans(),
    )
    def sign_up(self, phone: str, email: str | None, anon: str | None, channel: str, joins: bool) -> None:
        self.join(MemberIn(phone=phone, email=email, anonymous_id=anon, channel=channel, join=joins))

    @rule(line_uid=st.sampled_from(LINE_UIDS), phone=opt(PHONES))
    def line_follow(self, line_uid: str, phone: str | None) -> None:
        self.join(MemberIn(line_uid=line_uid, phone=phone, channel="line", join=False))

    @rule(
        user_id=opt(USER_IDS),
        anon=opt(ANONS),
        phone=opt(PHONES),
        email=opt(EMAILS),
        line_uid=opt(LINE_UIDS),
    )
    def identify(
        self,
        user_id: str | None,
        anon: str | None,
        phone: str | None,
        email: str | None,
        line_uid: str | None,
    ) -> None:
        if user_id is None and anon is None:
            anon = ANONS[0]
        traits = {k: v for k, v in {"phone": phone, "email": email, "line_uid": line_uid}.items() if v}
        self.send({"type": "identify", "userId": user_id, "anonymousId": anon, "traits": traits})

    @rule(anon=st.sampled_from(ANONS), product=st.sampled_from(["P1", "P2"]))
    def browse(self, anon: str, product: str) -> None:
        self.send(
            {"type": "track", "event": "Product Viewed", "anonymousId": anon, "properties": {"sku": product}}
        )

    @rule(user_id=st.sampled_from(USER_IDS), anon=st.sampled_from(ANONS))
    def alias(self, user_id: str, anon: str) -> None:
        self.send({"type": "alias", "userId": user_id, "previousId": anon})

    @rule(
        pairs=st.lists(
            st.tuples(st.just("phone"), st.sampled_from(PHONES))
            | st.tuples(st.just("email"), st.sampled_from(EMAILS))
            | st.tuples(st.just("anonymous_id"), st.sampled_from(ANONS))
            | st.tuples(st.just("device_id"), st.sampled_from(["dev-1", "dev-2"])),
            min_size=1,
            max_size=3,
        )
    )
    def resolve_claims(self, pairs: list[tuple[str, str]]) -> None:
        self.tick()
        with self.within_cap(), self.hub.uow() as s:
            resolve(s, claims_from(pairs), source="test", reason="direct resolve")

    @rule(data=st.data(), phone=opt(PHONES), email=opt(EMAILS))
    def update_by_member_id(self, data: st.DataObject, phone: str | None, email: str | None) -> None:
        ids = self.live_ids() + self.merged_ids()
        if ids:
            member_id = data.draw(st.sampled_from(ids))
            self.join(MemberIn(member_id=member_id, phone=phone, email=email, join=False))

    @rule(data=st.data())
    def merge_by_hand(self, data: st.DataObject) -> None:
        pair = self._pair(data)
        if pair is None:
            return
        self.tick()
        with self.hub.uow() as s:
            service.merge_by_hand(s, pair[0], pair[1], "same person, says HQ", "console:hq")

    @rule(data=st.data())
    def merge_then_unmerge(self, data: st.DataObject) -> None:
        """Unmerge right after a merge gives back the exact before-state."""
        pair = self._pair(data)
        if pair is None:
            return
        before = self.snapshot()
        self.tick()
        with self.hub.uow() as s:
            service.merge_by_hand(s, pair[0], pair[1], "trial merge", "console:hq")
        assert self.snapshot() != before
        self.tick()
        with self.hub.uow() as s:
            service.unmerge_by_hand(s, pair[1], "console:hq")
        after = self.snapshot()
        assert after == before, _diff(before, after)

    @rule(data=st.data())
    def unmerge(self, data: st.DataObject) -> None:
        merged = self.merged_ids()
        if not merged:
            return
        member_id = data.draw(st.sampled_from(merged))
        self.tick()
        before = self.snapshot()
        try:
            with self.hub.uow() as s:
                service.unmerge_by_hand(s, member_id, "console:hq")
        except MergeRefused:  # its survivor was merged on since: undo that one first
            assert self.snapshot() == before
            event("unmerge refused: out of order")

    @rule(data=st.data(), total=st.integers(1, 5000), channel=st.sampled_from(["pos", "web"]))
    def order(self, data: st.DataObject, total: int, channel: str) -> None:
        ids = self.live_ids() + self.merged_ids()
        if not ids:
            return
        member_id = data.draw(st.sampled_from(ids))
        self.tick()
        self.orders += 1
        with self.hub.uow() as s:
            member = repo.lock_live_member(s, member_id)  # what the orders service does
            assert member is not None
            now = self.clock()
            order = Order(
                source="pos-1",
                external_id=f"o-{self.orders}",
                channel=channel,
                store_id=self.store_id,
                member_id=member.id,
                currency="TWD",
                subtotal=total,
                discount_total=0,
                total=total,
                ordered_at=now,
                business_date=now.date(),
                created_at=now,
                request_hash="0" * 64,
            )
            s.add(order)
            s.flush()
            s.add(
                OrderLine(
                    order_id=order.id,
                    line_no=1,
                    sku_id=self.sku_id,
                    quantity=1,
                    unit_price=total,
                    line_total=total,
                )
            )

    def _pair(self, data: st.DataObject) -> tuple[int, int] | None:
        """Two live members nobody has said are different people."""
        live = self.live_ids()
        if len(live) < 2:
            return None
        a = data.draw(st.sampled_from(live))
        b = data.draw(st.sampled_from([m for m in live if m != a]))
        with self.hub.uow() as s:
            if repo.excluded(s, a, b):
                return None
        return a, b

    # ------------------------------------------------------------- invariants
    @invariant()
    def identity_holds(self) -> None:
        """Every check in one read of the database (they are cheap; the transactions are not)."""
        with self.hub.sessions() as s:
            verified_identifiers_have_one_owner(s)
            nothing_points_at_a_tombstone(s)
            tombstones_lead_to_a_live_member_with_one_open_merge(s)
            members_and_cards_agree(s)
            junk_identifies_nobody(s)
            people_said_apart_stay_apart(s)
            self.found = no_event_is_orphaned(s, self.found)
            s.rollback()


def verified_identifiers_have_one_owner(s: Session) -> None:
    dupes = s.execute(
        select(Identifier.type, Identifier.value)
        .where(Identifier.verified.is_(True))
        .group_by(Identifier.type, Identifier.value)
        .having(func.count() > 1)
    ).all()
    assert dupes == []
    weak_verified = s.scalar(
        select(func.count()).where(Identifier.type.in_(WEAK_TYPES), Identifier.verified.is_(True))
    )
    assert weak_verified == 0


def nothing_points_at_a_tombstone(s: Session) -> None:
    for table in (Identifier, Order):
        stray = s.scalars(
            select(table.id).join(Member, Member.id == table.member_id).where(Member.status != "active")
        ).all()
        assert stray == [], f"{table.__tablename__} on a merged member"


def tombstones_lead_to_a_live_member_with_one_open_merge(s: Session) -> None:
    open_merges: dict[int, list[int]] = {}
    for merged_id, survivor_id in s.execute(
        select(MergeRecord.merged_id, MergeRecord.survivor_id).where(MergeRecord.undone_at.is_(None))
    ):
        open_merges.setdefault(merged_id, []).append(survivor_id)
    for member in s.scalars(select(Member)):
        if member.status == "active":
            assert member.merged_into_id is None and member.id not in open_merges
        else:
            assert open_merges.get(member.id) == [member.merged_into_id]
            live = repo.live_member(s, member.id)
            assert live is not None and live.status == "active"


def members_and_cards_agree(s: Session) -> None:
    for member in s.scalars(select(Member).where(Member.status == "active")):
        assert (member.card_no is None) == (member.joined_at is None), member.id
        if member.card_no:
            assert repo.strong_owner(s, "member_card", member.card_no) == member.id


def weak_link_counts(s: Session) -> dict[tuple[str, str], int]:
    """Members each weak id is linked to."""
    rows = s.execute(
        select(Identifier.type, Identifier.value, func.count(func.distinct(Identifier.member_id)))
        .where(Identifier.type.in_(WEAK_TYPES))
        .group_by(Identifier.type, Identifier.value)
    ).all()
    return {(t, v): n for t, v, n in rows}


def junk_identifies_nobody(s: Session) -> None:
    junk = s.scalars(
        select(Identifier.value).where(
            Identifier.value.in_(["+886900000000", "test@test.com", "undefined", "webshop:undefined"])
        )
    ).all()
    assert junk == []


def people_said_apart_stay_apart(s: Session) -> None:
    for low, high in s.execute(select(MergeExclusion.member_low_id, MergeExclusion.member_high_id)):
        assert repo.live_member(s, low) != repo.live_member(s, high)


def no_event_is_orphaned(s: Session, found_before: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Once some live member's keys find an event, some live member's keys always will."""
    found = _found_keys(s)
    lost = found_before - found
    assert not lost, f"events no longer found: {lost}"
    # every userId an event was stored under belongs to someone (junk ids excepted)
    stored_users = set(s.scalars(select(Event.user_key).where(Event.user_key.is_not(None))))
    assert stored_users <= {k for kind, k in found if kind == "user"} | _unlinkable(stored_users)
    return found_before | found


def _found_keys(s: Session) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for member_id in s.scalars(select(Member.id).where(Member.status == "active")):
        users, anons = member_keys(s, member_id)
        found |= {("user", k) for k in users} | {("anon", a) for a in anons}
    return found


def _unlinkable(user_keys: set[str]) -> set[str]:
    """User keys no member can hold: junk ids of a broken integration."""
    return {k for k in user_keys if k.endswith(":undefined")}


def _diff(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> str:
    out = []
    for table, rows in before.items():
        gone = [r for r in rows if r not in after[table]]
        new = [r for r in after[table] if r not in rows]
        if gone or new:
            out.append(f"{table}: before-only {gone} after-only {new}")
    return "; ".join(out)
