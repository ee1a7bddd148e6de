"""Merges and unmerges: what moves, what comes back, in any order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.collect.queries import member_keys
from omohub.members import service
from omohub.members.errors import MergeRefused
from omohub.members.identity import claims_from, resolve
from omohub.members.models import Identifier, Member
from omohub.members.schemas import MemberIn
from omohub.orders.models import Order


def join(hub: Hub, **fields: Any) -> int:
    with hub.uow() as s:
        member = service.join(s, MemberIn(**fields), source="apikey:pos").member
        assert member is not None
        return member.id


def link(hub: Hub, member_id: int, *pairs: tuple[str, str]) -> None:
    with hub.uow() as s:
        resolve(s, claims_from([("member_id", str(member_id)), *pairs]), source="test", reason="link")


def merge(hub: Hub, survivor: int, other: int) -> None:
    with hub.uow() as s:
        service.merge_by_hand(s, survivor, other, "by hand", "console:hq")


def unmerge(hub: Hub, member_id: int) -> None:
    with hub.uow() as s:
        service.unmerge_by_hand(s, member_id, "console:hq")


def add_order(hub: Hub, member_id: int, external_id: str) -> None:
    now = dt.datetime.now(dt.UTC)
    with hub.uow() as s:
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


def holdings(hub: Hub) -> dict[int, set[str]]:
    """Member id → what it holds: identifier values and order ids (``order:…``)."""
    out: dict[int, set[str]] = {}
    with hub.uow() as s:
        for member_id, value in s.execute(select(Identifier.member_id, Identifier.value)):
            out.setdefault(member_id, set()).add(value)
        for member_id, ext in s.execute(select(Order.member_id, Order.external_id)):
            out.setdefault(member_id, set()).add(f"order:{ext}")
    return out


def test_merges_along_a_chain_are_undone_last_first(hub: Hub) -> None:
    a = join(hub, phone="0912345601")
    b = join(hub, phone="0912345602")
    c = join(hub, phone="0912345603")
    for member_id, name in ((a, "a"), (b, "b"), (c, "c")):
        add_order(hub, member_id, f"o-{name}")
        link(hub, member_id, ("anonymous_id", f"anon-{name}"))
    before = holdings(hub)
    merge(hub, b, c)  # C into B
    merge(hub, a, b)  # B (holding C's rows) into A
    assert set(holdings(hub)) == {a}
    with pytest.raises(MergeRefused, match=f"unmerge {b} first"):
        unmerge(hub, c)
    assert set(holdings(hub)) == {a}
    unmerge(hub, b)
    assert holdings(hub)[a] == before[a]
    unmerge(hub, c)
    assert holdings(hub) == before
    with hub.uow() as s:
        assert {m.status for m in s.scalars(select(Member))} == {"active"}


def test_cards_stay_with_whoever_holds_them_when_merges_interleave(hub: Hub) -> None:
    """D and C both joined and were merged into A (a LINE follower); D leaves with the card A
    showed, so A shows C's; when C leaves too, A is a follower again."""
    a = join(hub, line_uid="U" + "a" * 32, join=False)
    c = join(hub, phone="0912345603")  # joined first
    d = join(hub, phone="0912345604")
    merge(hub, a, d)
    merge(hub, a, c)
    with hub.uow() as s:
        cards = {m: service.get(s, m).card_no for m in (a, c, d)}
    assert cards[a] is not None and cards[a] != cards[c]
    unmerge(hub, d)
    with hub.uow() as s:
        assert service.get(s, d).card_no == cards[a]
        shown = service.get(s, a).card_no
        assert shown is not None and service.find(s, "member_card", shown).id == a
    unmerge(hub, c)
    with hub.uow() as s:
        back_a, back_c = service.get(s, a), service.get(s, c)
        assert (back_a.card_no, back_a.joined_at) == (None, None)
        assert back_c.card_no is not None and service.find(s, "member_card", back_c.card_no).id == c


def test_a_survivor_without_a_card_takes_the_card_and_gives_it_back(hub: Hub) -> None:
    follower = join(hub, line_uid="U" + "a" * 32, join=False)
    member = join(hub, phone="0912345601")
    with hub.uow() as s:
        card = service.get(s, member).card_no
        joined = service.get(s, member).joined_at
    assert card is not None
    merge(hub, follower, member)  # a person chose the LINE profile to survive
    with hub.uow() as s:
        survivor, gone = service.get(s, follower), service.get(s, member)
        assert (survivor.card_no, survivor.joined_at, gone.card_no) == (card, joined, None)
        assert service.find(s, "member_card", card).id == follower
    unmerge(hub, member)
    with hub.uow() as s:
        survivor, back = service.get(s, follower), service.get(s, member)
        assert (survivor.card_no, survivor.joined_at) == (None, None)
        assert (back.card_no, back.joined_at) == (card, joined)
        assert service.find(s, "member_card", card).id == member


def test_a_device_link_stays_with_the_group_that_still_used_it(hub: Hub) -> None:
    """D and C both browsed on one laptop; both were folded into A; D is split off again.

    C's own link was dropped at its merge (A already held D's), so A keeps a link of its
    own: C's browsing on that laptop stays in A's 360.
    """
    a = join(hub, phone="0912345601")
    d = join(hub, phone="0912345602")
    c = join(hub, phone="0912345603")
    link(hub, d, ("anonymous_id", "laptop"))
    link(hub, c, ("anonymous_id", "laptop"))
    merge(hub, a, d)
    merge(hub, a, c)
    unmerge(hub, d)
    with hub.uow() as s:
        holders = set(s.scalars(select(Identifier.member_id).where(Identifier.value == "laptop")))
        assert holders == {a, d}
        assert "laptop" in member_keys(s, a)[1] and "laptop" in member_keys(s, d)[1]


def test_a_stale_copy_of_a_member_cannot_merge_it_twice(hub: Hub) -> None:
    """The row is re-read under its lock: a member folded away since is refused, not re-merged."""
    if hub.settings.is_sqlite:
        pytest.skip("SQLite runs one writing transaction at a time: nothing can go stale")
    a = join(hub, phone="0912345601")
    b = join(hub, phone="0912345602")
    c = join(hub, phone="0912345603")
    with pytest.raises(MergeRefused, match="already merged"), hub.uow() as s:
        stale = s.get(Member, b)
        assert stale is not None and stale.status == "active"
        merge(hub, a, b)  # meanwhile another transaction folds B into A and commits
        service.merge_by_hand(s, c, b, "by hand", "console:hq")
    with hub.uow() as s:
        assert service.get(s, b).merged_into_id == a


def test_find_with_reads_the_survivor_and_its_facts_for_a_merged_members_identifier(hub: Hub) -> None:
    amy, bea = join(hub, phone="0912345611"), join(hub, phone="0912345612")
    merge(hub, amy, bea)
    tenfold = [(Member.id * 10).label("tenfold")]  # stands for another domain's scalar subquery
    with hub.uow() as s:
        for type_, value in (("phone", "0912345612"), ("member_id", str(bea)), ("phone", "0912345611")):
            found, facts = service.find_with(s, type_, value, tenfold)
            assert (found.id, facts) == (amy, (amy * 10,))
