"""Identity resolution: which member an inbound set of identifiers belongs to.

Deterministic rules, in order (``docs/identity.md`` is the user's version):

1. Claims are normalised; junk values (the blocklist) are dropped, before and after.
2. Strong claims (phone, e-mail, LINE, card, ids in other systems, member id) find at most
   one owner each. No owner at all: a new member (if the caller may create one and some claim
   is more than a bare member id).
3. Two or more owners are merged into one only if both linking claims' types are in the
   merge policy and nobody has said the owner is a different person from anyone already in
   the group (an unmerge, a rejected suggestion); otherwise the first owner keeps the call,
   the others are left alone and a merge suggestion is filed.
4. Unowned strong claims are attached to the resolved member.
5. Weak claims (web anonymous id, device id) are linked, never merged on; an id that has
   joined ``merge_shared_cap`` members within the window is flagged shared and links no more.

Concurrency (ADR 0070): every claimed key is advisory-locked, owners are row-locked and re-read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.members import repository as repo
from omohub.members.errors import BadIdentifier
from omohub.members.events import MemberCreated, MemberUpdated
from omohub.members.merge import merge
from omohub.members.models import Identifier, Member, MergeSuggestion, SharedIdentifier
from omohub.members.rules import (
    Claim,
    InvalidIdentifier,
    blocked_values,
    is_junk,
    normalize,
)


@dataclass
class Resolution:
    member: Member | None
    created: bool = False
    merged: list[int] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def claims_from(
    pairs: Iterable[tuple[str, object]], *, strict: bool = True, blocked: frozenset[str] = frozenset()
) -> list[Claim]:
    """Normalise ``(type, raw value)`` pairs; junk values disappear, bad ones raise (if strict).

    Junk is dropped before it is checked, so a POS that types ``0000000000`` for a customer
    who would not give a number is not refused: the placeholder just identifies nobody.
    """
    out: list[Claim] = []
    for type_, raw in pairs:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if is_junk(type_, str(raw), blocked):
            continue
        try:
            value = normalize(type_, raw)
        except InvalidIdentifier as exc:
            if strict:
                raise BadIdentifier(str(exc), field=type_) from exc
            continue
        if not is_junk(type_, value, blocked):
            out.append(Claim(type_, value))
    return out


def usable(session: Session, claims: list[Claim]) -> list[Claim]:
    """The claims that may identify someone: junk (the blocklist) dropped, repeats folded."""
    blocked = junk_values(session)
    seen: dict[tuple[str, str], Claim] = {}
    for c in claims:
        if not is_junk(c.type, c.value, blocked):
            seen.setdefault((c.type, c.value), c)
    return list(seen.values())


def junk_values(session: Session) -> frozenset[str]:
    return blocked_values(tuple(ctx(session).settings.merge_blocklist))


def resolve(
    session: Session,
    claims: list[Claim],
    *,
    source: str,
    reason: str,
    create: bool = True,
    channel: str | None = None,
) -> Resolution:
    """Find or create the one member these claims describe, merging where policy allows."""
    settings = ctx(session).settings
    claims = usable(session, claims)
    strong = [c for c in claims if c.strong]
    weak = [c for c in claims if not c.strong]
    # Every claimed key is locked, weak ones too: the shared-device cap is a count.
    repo.lock_identifiers(session, [(c.type, c.value) for c in claims])
    owners, members = _locked_owners(session, strong)
    result = Resolution(member=None)
    if not owners:
        if not create or not any(c.type != "member_id" for c in strong):
            return result  # an unknown member id names nobody we could create
        result.member, result.created = _new_member(session, channel), True
    else:
        result.member = _settle_owners(session, owners, members, result, reason, settings.merge_auto_types)
    member = result.member
    result.attached = _attach_strong(session, member, strong, source)
    for claim in weak:
        if _link_weak(session, member, claim, source):
            result.attached.append(claim.type)
    if result.created:
        emit(session, MemberCreated(member.id, channel, sorted({c.type for c in strong})))
    elif result.attached:
        emit(session, MemberUpdated(member.id, sorted(set(result.attached))))
    return result


def _locked_owners(session: Session, strong: list[Claim]) -> tuple[dict[int, Claim], dict[int, Member]]:
    """The owners of the strong claims, row-locked and re-read until nobody moved them.

    Between reading who owns a claim and locking that member, a concurrent merge may fold
    the member away (its identifiers move to the survivor); then we read again.
    """
    for _ in range(20):
        owners = _owners(session, strong)
        members = repo.lock_members(session, list(owners))
        if all(m.status == "active" for m in members.values()) and _owners(session, strong) == owners:
            return owners, members
    raise RuntimeError("identity owners keep changing under concurrent merges")  # pragma: no cover


def _owners(session: Session, strong: list[Claim]) -> dict[int, Claim]:
    """Owner member id → the first claim that found it (in the caller's order)."""
    owners: dict[int, Claim] = {}
    for claim in strong:
        if claim.type == "member_id":
            live = repo.live_member(session, int(claim.value))
            owner = live.id if live is not None else None
        else:
            owner = repo.strong_owner(session, claim.type, claim.value)
        if owner is not None:
            owners.setdefault(owner, claim)
    return owners


def _settle_owners(
    session: Session,
    owners: dict[int, Claim],
    members: dict[int, Member],
    result: Resolution,
    reason: str,
    auto_types: tuple[str, ...],
) -> Member:
    """Merge the owners the policy allows into one; the first-found owner keeps the call.

    An owner joins the group only if both linking claims' types may merge automatically and
    nobody has said it is a different person from anyone already in the group.
    """
    primary_id = next(iter(owners))
    primary_claim = owners[primary_id]
    group = [members[primary_id]]
    for other_id, via in list(owners.items())[1:]:
        allowed = {via.type, primary_claim.type} <= set(auto_types)
        if allowed and not any(repo.excluded(session, m.id, other_id) for m in group):
            group.append(members[other_id])
        else:
            _suggest(session, primary_id, other_id, f"{reason}: {via.type} {via.value}")
            result.refused.append(f"{via.type} belongs to member {other_id}")
    group.sort(key=lambda m: (m.joined_at is None, m.id))
    survivor = group[0]
    for drop in group[1:]:
        via = owners[drop.id]
        merge(
            session,
            survivor.id,
            drop.id,
            reason=f"{reason}: {via.type} links member {drop.id} to {survivor.id}",
            via=(via.type, via.value),
        )
        result.merged.append(drop.id)
    return survivor


def _suggest(session: Session, a: int, b: int, reason: str) -> None:
    low, high = sorted((a, b))
    exists = session.scalar(
        select(MergeSuggestion.id).where(
            MergeSuggestion.member_low_id == low, MergeSuggestion.member_high_id == high
        )
    )
    if exists is None and not repo.excluded(session, low, high):
        session.add(
            MergeSuggestion(
                member_low_id=low, member_high_id=high, reason=reason[:300], created_at=ctx(session).now()
            )
        )


def _new_member(session: Session, channel: str | None) -> Member:
    now = ctx(session).now()
    member = Member(status="active", joined_channel=channel, traits={}, created_at=now, updated_at=now)
    session.add(member)
    session.flush()
    return member


def _attach_strong(
    session: Session,
    member: Member,
    strong: list[Claim],
    source: str,
) -> list[str]:
    attached: list[str] = []
    now = ctx(session).now()
    for claim in strong:
        if claim.type == "member_id":
            continue
        owner = repo.strong_owner(session, claim.type, claim.value)
        if owner == member.id:
            continue
        if owner is not None:  # held by a member the policy would not merge
            continue
        unverified = repo.link_of(session, claim.type, claim.value, member.id)
        if unverified is not None:
            unverified.verified, unverified.last_seen_at = True, now
        else:
            session.add(_identifier(member.id, claim, source, now))
        attached.append(claim.type)
    session.flush()
    return attached


def _link_weak(session: Session, member: Member | None, claim: Claim, source: str) -> bool:
    if member is None:
        return False
    now = ctx(session).now()
    existing = repo.link_of(session, claim.type, claim.value, member.id)
    if existing is not None:
        existing.last_seen_at = now
        return False
    if repo.is_shared(session, claim.type, claim.value):
        return False
    settings = ctx(session).settings
    since = now - dt.timedelta(hours=settings.merge_shared_window_hours)
    count = repo.recent_link_count(session, claim.type, claim.value, since)
    if count >= settings.merge_shared_cap:
        session.add(SharedIdentifier(type=claim.type, value=claim.value, member_count=count, flagged_at=now))
        return False
    session.add(_identifier(member.id, Claim(claim.type, claim.value, verified=False), source, now))
    return True


def _identifier(member_id: int, claim: Claim, source: str, now: dt.datetime) -> Identifier:
    return Identifier(
        member_id=member_id,
        type=claim.type,
        value=claim.value,
        verified=claim.verified and claim.strong,
        source=source,
        created_at=now,
        last_seen_at=now,
    )
