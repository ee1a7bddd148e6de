"""Member use cases: join or update from any channel, read, merge and unmerge by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from omohub.core import einvoice
from omohub.core.context import ctx
from omohub.core.errors import Invalid
from omohub.core.outbox import emit
from omohub.members import repository as repo
from omohub.members.errors import BadIdentifier, MemberNotFound
from omohub.members.events import MemberUpdated
from omohub.members.identity import Resolution, claims_from, junk_values, resolve
from omohub.members.merge import merge, unmerge
from omohub.members.models import Identifier, Member, MergeRecord
from omohub.members.rules import new_card_number, normalize
from omohub.members.schemas import MemberIn
from omohub.org.models import Store

PROFILE_FIELDS = ("name", "gender", "birthday", "einvoice_carrier")


def join(session: Session, data: MemberIn, *, source: str) -> Resolution:
    """Sign up or update a member from any channel, by whatever identifiers it knows."""
    claims = claims_from(data.identifier_pairs(), blocked=junk_values(session))
    if not any(c.strong for c in claims):
        raise BadIdentifier(
            "give at least one of member_id, phone, email, line_uid, facebook_id, instagram_id,"
            " card or external_id (junk values such as 0000000000 do not count)"
        )
    if data.member_id is not None and repo.live_member(session, data.member_id) is None:
        raise MemberNotFound(f"no member {data.member_id}")
    store_id = _store_id(session, data.store_code)
    carrier = _carrier(data.einvoice_carrier)
    result = resolve(session, claims, source=source, reason=f"join via {source}", channel=data.channel)
    member = result.member
    assert member is not None
    changed = _apply_profile(member, data, carrier)
    if store_id is not None and member.home_store_id is None:
        member.home_store_id = store_id
        changed.append("home_store_id")
    if data.join and member.joined_at is None:
        issue_card(session, member, source)
        changed.append("joined")
    if changed:
        member.updated_at = ctx(session).now()
        if not result.created:
            emit(session, MemberUpdated(member.id, sorted(changed)))
    session.flush()
    return result


def issue_card(session: Session, member: Member, source: str) -> str:
    """Make a profile a member: a card number (unique, Luhn-checked) and a join date."""
    now = ctx(session).now()
    for _ in range(20):
        card = new_card_number()
        if repo.strong_owner(session, "member_card", card) is None and not session.scalar(
            select(Member.id).where(Member.card_no == card)
        ):
            break
    else:  # pragma: no cover - 10^10 numbers
        raise RuntimeError("could not find a free card number")
    member.card_no, member.joined_at = card, member.joined_at or now
    session.add(
        Identifier(
            member_id=member.id,
            type="member_card",
            value=card,
            verified=True,
            source=source,
            created_at=now,
            last_seen_at=now,
        )
    )
    return card


def get(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    return member


def find(session: Session, type_: str, raw: str, *, lock: bool = False) -> Member:
    """The live member an identifier points at (the newest link, for shared weak ids).

    ``lock=True`` when the caller is about to attach a row to the member (an order, points):
    the member is then held so that a concurrent merge cannot leave the row on a tombstone.
    """
    value = _normalized(type_, raw)
    if type_ == "member_id":
        start: int | None = int(value)
    else:
        holder = repo.newest_holder(session, type_, value)
        start = holder.id if holder is not None else None
    found = None
    if start is not None:
        found = repo.lock_live_member(session, start) if lock else repo.live_member(session, start)
    if found is None:
        raise MemberNotFound(f"no member with {type_} {raw}")
    return found


@dataclass(frozen=True)
class MemberSeen:
    """A member as another domain's hot path reads them: a plain row, not an ORM entity."""

    id: int
    birthday: dt.date | None


def find_with(
    session: Session,
    type_: str,
    raw: str,
    also: Sequence[ColumnElement[Any]],
    params: Mapping[str, Any] | None = None,
) -> tuple[MemberSeen, tuple[Any, ...]]:
    """Like :func:`find` (no lock), as a plain row, and ``also`` — what other domains keep about
    the member, as scalar subqueries on ``Member`` with their bound parameters in ``params`` —
    read in the same statement (a merged member's survivor takes more)."""
    value, params = _normalized(type_, raw), params or {}
    if type_ == "member_id":
        row = repo.seen_by_id(session, int(value), also, params)
    else:
        row = repo.seen_by_identifier(session, type_, value, also, params)
    if row is not None and row.status == "merged" and row.merged_into_id:
        survivor = repo.live_member(session, row.id)
        row = repo.seen_by_id(session, survivor.id, also, params) if survivor is not None else None
    if row is None:
        raise MemberNotFound(f"no member with {type_} {raw}")
    return MemberSeen(row.id, row.birthday), tuple(row[len(repo.SEEN) :])


def _normalized(type_: str, raw: str) -> str:
    try:
        return normalize(type_, raw)
    except ValueError as exc:
        raise BadIdentifier(str(exc), field=type_) from exc


def merge_by_hand(session: Session, survivor_id: int, other_id: int, reason: str, actor: str) -> MergeRecord:
    return merge(session, survivor_id, other_id, reason=reason, actor=actor)


def unmerge_by_hand(session: Session, member_id: int, actor: str) -> MergeRecord:
    return unmerge(session, member_id, actor=actor)


def merges_of(session: Session, member_id: int) -> list[MergeRecord]:
    return list(
        session.scalars(
            select(MergeRecord)
            .where((MergeRecord.survivor_id == member_id) | (MergeRecord.merged_id == member_id))
            .order_by(MergeRecord.id)
        )
    )


def _apply_profile(member: Member, data: MemberIn, carrier: str | None) -> list[str]:
    changed: list[str] = []
    values: dict[str, Any] = {
        "name": data.name,
        "gender": data.gender,
        "birthday": data.birthday,
        "einvoice_carrier": carrier,
    }
    for field, value in values.items():
        if value is not None and getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if data.traits:
        merged = {**(member.traits or {}), **data.traits}
        if merged != member.traits:
            member.traits = merged
            changed.append("traits")
    return changed


def _carrier(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return einvoice.validate("mobile_carrier", raw)
    except einvoice.InvalidEinvoice as exc:
        raise Invalid(str(exc), field="einvoice_carrier") from exc


def _store_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    store_id = session.scalar(select(Store.id).where(Store.code == code))
    if store_id is None:
        raise Invalid(f"unknown store code {code!r}", field="store_code")
    return store_id
