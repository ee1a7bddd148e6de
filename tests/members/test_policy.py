"""The merge policy, rule by rule: junk, the shared-device cap, auto-merge types, exclusions,
and the database's own guarantee that a verified identifier has one owner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.members import service
from omohub.members.errors import BadIdentifier
from omohub.members.identity import Resolution, claims_from, resolve
from omohub.members.models import Identifier, Member, MergeRecord, MergeSuggestion, SharedIdentifier
from omohub.members.schemas import MemberIn

T0 = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
PHONES = [f"09123456{i:02d}" for i in range(10)]


@pytest.fixture
def make_hub(settings: Settings) -> Iterator[Callable[..., Hub]]:
    hubs: list[Hub] = []

    def make(**overrides: Any) -> Hub:
        hub = build_hub(settings.model_copy(update=overrides), clock=FrozenClock(T0))
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        hub.close()


def join(hub: Hub, **fields: Any) -> Resolution:
    with hub.uow() as s:
        return service.join(s, MemberIn(**fields), source="apikey:pos")


def claim(hub: Hub, *pairs: tuple[str, str]) -> Resolution:
    with hub.uow() as s:
        return resolve(s, claims_from(pairs), source="test", reason="identify")


def owners(hub: Hub, type_: str, value: str) -> list[int]:
    with hub.uow() as s:
        return list(
            s.scalars(
                select(Identifier.member_id)
                .where(Identifier.type == type_, Identifier.value == value)
                .order_by(Identifier.member_id)
            )
        )


def count(hub: Hub, model: Any, *where: Any) -> int:
    with hub.uow() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def live(hub: Hub) -> int:
    return count(hub, Member, Member.status == "active")


# ------------------------------------------------------------------------------ junk


def test_a_junk_phone_alone_is_refused_and_changes_nothing(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    for junk in ("0900000000", "0900-000-000", "+886900000000"):
        with pytest.raises(BadIdentifier, match="junk"):
            join(hub, phone=junk)
    assert count(hub, Member) == 0 and count(hub, Identifier) == 0


def test_junk_next_to_a_real_identifier_is_ignored(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    amy = join(hub, phone="0000000000", email="amy@example.tw").member
    assert amy is not None
    assert owners(hub, "email", "amy@example.tw") == [amy.id]
    assert count(hub, Identifier, Identifier.type == "phone") == 0


def test_a_shared_junk_value_never_merges_two_people(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    a = join(hub, phone=PHONES[1], email="test@test.com").member
    b = join(hub, phone=PHONES[2], email="TEST@test.com").member
    assert a is not None and b is not None and a.id != b.id
    # identify calls from a broken integration: every visitor is userId "undefined"
    claim(hub, ("external", "webshop:undefined"), ("phone", PHONES[1]))
    claim(hub, ("external", "webshop:undefined"), ("phone", PHONES[2]))
    claim(hub, ("anonymous_id", "null"), ("phone", PHONES[1]))
    assert live(hub) == 2
    assert count(hub, MergeRecord) == 0
    assert count(hub, Identifier, Identifier.value.in_(["test@test.com", "webshop:undefined", "null"])) == 0


def test_the_blocklist_is_a_setting(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(merge_blocklist=("0912345600",))
    with pytest.raises(BadIdentifier):
        join(hub, phone="0912-345-600")
    # the default junk is ordinary data once it is no longer listed
    assert join(hub, email="test@test.com").created


# ---------------------------------------------------------------- shared-device cap


def test_a_weak_id_joins_at_most_the_cap_then_is_flagged_shared(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(merge_shared_cap=3)
    tablet = ("device_id", "store-tablet-1")
    people = [claim(hub, ("phone", p), tablet).member for p in PHONES[:5]]
    linked = owners(hub, *tablet)
    assert linked == sorted(m.id for m in people[:3] if m)
    with hub.uow() as s:
        flag = s.scalar(select(SharedIdentifier))
        assert flag is not None and (flag.type, flag.value, flag.member_count) == (*tablet, 3)
    assert count(hub, SharedIdentifier) == 1
    # linking on the shared id never merges the people who used it
    assert live(hub) == 5


def test_the_cap_counts_links_within_the_window_only(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(merge_shared_cap=2, merge_shared_window_hours=24)
    laptop = ("anonymous_id", "family-laptop")
    claim(hub, ("phone", PHONES[0]), laptop)
    claim(hub, ("phone", PHONES[1]), laptop)
    clock = hub.context.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(hours=25)
    claim(hub, ("phone", PHONES[2]), laptop)  # the first two links are older than the window
    assert len(owners(hub, *laptop)) == 3
    assert count(hub, SharedIdentifier) == 0
    claim(hub, ("phone", PHONES[3]), laptop)
    claim(hub, ("phone", PHONES[4]), laptop)  # the third within one window: too many
    assert len(owners(hub, *laptop)) == 4
    assert count(hub, SharedIdentifier) == 1


# ------------------------------------------------------------------ auto-merge types


def test_types_outside_the_policy_file_a_suggestion_instead_of_merging(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(merge_auto_types=("phone", "member_card", "member_id"))
    by_phone = join(hub, phone=PHONES[1]).member
    by_mail = join(hub, email="amy@example.tw").member
    assert by_phone is not None and by_mail is not None
    result = join(hub, phone=PHONES[1], email="amy@example.tw")
    assert result.member is not None and result.member.id == by_phone.id
    assert result.merged == [] and result.refused == [f"email belongs to member {by_mail.id}"]
    assert live(hub) == 2
    with hub.uow() as s:
        suggestion = s.scalar(select(MergeSuggestion))
        assert suggestion is not None
        assert (suggestion.member_low_id, suggestion.member_high_id) == (by_phone.id, by_mail.id)
        assert suggestion.status == "open"
    # the same claim again files nothing new
    join(hub, phone=PHONES[1], email="amy@example.tw")
    assert count(hub, MergeSuggestion) == 1


def test_types_in_the_policy_merge(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    a = join(hub, phone=PHONES[1]).member
    b = join(hub, email="amy@example.tw", join=False).member
    assert a is not None and b is not None
    result = join(hub, phone=PHONES[1], email="amy@example.tw")
    assert result.member is not None and result.member.id == a.id and result.merged == [b.id]
    assert owners(hub, "email", "amy@example.tw") == [a.id]


# ------------------------------------------------------------------------ exclusions


def test_an_unmerged_pair_is_never_merged_again_automatically(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    a = join(hub, phone=PHONES[1]).member
    b = join(hub, email="amy@example.tw").member
    assert a is not None and b is not None
    assert join(hub, phone=PHONES[1], email="amy@example.tw").merged == [b.id]
    with hub.uow() as s:
        service.unmerge_by_hand(s, b.id, "console:hq")
    assert owners(hub, "email", "amy@example.tw") == [b.id]
    again = join(hub, phone=PHONES[1], email="amy@example.tw")
    assert again.merged == [] and live(hub) == 2
    assert owners(hub, "email", "amy@example.tw") == [b.id]
    assert count(hub, MergeRecord) == 1


def test_an_exclusion_holds_for_everyone_merged_into_either_side(make_hub: Callable[..., Hub]) -> None:
    """Separating A and B keeps B away from A's group, even through a third member."""
    hub = make_hub()
    a = join(hub, phone=PHONES[1]).member
    b = join(hub, phone=PHONES[2]).member
    c = join(hub, phone=PHONES[3]).member
    assert a and b and c
    claim(hub, ("phone", PHONES[1]), ("phone", PHONES[2]))
    with hub.uow() as s:
        service.unmerge_by_hand(s, b.id, "console:hq")
    claim(hub, ("phone", PHONES[1]), ("phone", PHONES[3]))  # C joins A: allowed
    assert live(hub) == 2
    # one call naming B and C (now part of A) must not bring B back into A
    result = claim(hub, ("phone", PHONES[2]), ("phone", PHONES[3]))
    assert result.merged == [] and live(hub) == 2
    # nor one call naming all three at once
    result = claim(hub, ("phone", PHONES[3]), ("phone", PHONES[1]), ("phone", PHONES[2]))
    assert result.merged == [] and live(hub) == 2


def test_a_person_may_still_merge_an_excluded_pair_by_hand(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    a = join(hub, phone=PHONES[1]).member
    b = join(hub, phone=PHONES[2]).member
    assert a and b
    with hub.uow() as s:
        service.merge_by_hand(s, a.id, b.id, "same person", "console:hq")
    with hub.uow() as s:
        service.unmerge_by_hand(s, b.id, "console:hq")
    with hub.uow() as s:
        service.merge_by_hand(s, a.id, b.id, "same person after all", "console:hq")
    assert live(hub) == 1


# ----------------------------------------------------------------- database guarantee


def test_a_verified_identifier_is_unique_in_the_database(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    a = join(hub, phone=PHONES[1]).member
    b = join(hub, phone=PHONES[2]).member
    assert a and b
    row = {"type": "phone", "value": "+886912345601", "source": "raw", "created_at": T0, "last_seen_at": T0}
    with pytest.raises(IntegrityError), hub.uow() as s:
        s.execute(insert(Identifier).values(member_id=b.id, verified=True, **row))
    # unverified copies (a legacy import) may repeat: they are merge candidates, not owners
    with hub.uow() as s:
        s.execute(insert(Identifier).values(member_id=b.id, verified=False, **row))
    assert owners(hub, "phone", "+886912345601") == [a.id, b.id]
    assert join(hub, phone=PHONES[1]).member.id == a.id  # type: ignore[union-attr]


def test_an_unknown_member_id_creates_nobody(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub()
    result = claim(hub, ("member_id", "4242"), ("anonymous_id", "anon-1"))
    assert result.member is None and count(hub, Member) == 0 and count(hub, Identifier) == 0


def test_a_look_up_finds_the_verified_owner_not_a_newer_unverified_copy(make_hub: Callable[..., Hub]) -> None:
    # a legacy import left an unverified copy of her phone on another, newer profile: the
    # clerk scanning or typing the phone must still get the member who owns it
    hub = make_hub()
    owner = join(hub, phone=PHONES[0]).member
    legacy = join(hub, email="legacy@example.org", join=False).member
    assert owner is not None and legacy is not None
    later = T0 + dt.timedelta(days=30)
    with hub.uow() as s:
        s.execute(
            insert(Identifier).values(
                member_id=legacy.id,
                type="phone",
                value="+886912345600",
                verified=False,
                source="legacy-import",
                created_at=later,
                last_seen_at=later,
            )
        )
    with hub.uow() as s:
        assert service.find(s, "phone", PHONES[0]).id == owner.id
        assert service.find(s, "phone", PHONES[0], lock=True).id == owner.id
