"""Merging two members, and undoing it exactly.

A merge moves the loser's identifiers and every row that refers to it (any column declared
with ``info={"rehome": True}``: orders today, points and coupons later) to the survivor,
fills the survivor's empty profile fields, and records all of it so ``unmerge`` can put
every row back. Events follow automatically: they are found through identifiers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, select, update
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.db import Base
from omohub.core.outbox import emit
from omohub.members import repository as repo
from omohub.members.errors import MemberNotFound, MergeRefused, NotMerged
from omohub.members.events import MemberMerged, MemberUnmerged
from omohub.members.models import Identifier, Member, MergeExclusion, MergeRecord

#: Profile fields a merge may fill on the survivor when the survivor has none.
FILLABLE = ("name", "gender", "birthday", "home_store_id", "einvoice_carrier", "joined_channel")


def rehome_columns() -> list[Column[Any]]:
    """Every column, in every domain, that points at a member and follows it on merge."""
    return [col for table in Base.metadata.sorted_tables for col in table.columns if col.info.get("rehome")]


def merge(
    session: Session,
    survivor_id: int,
    merged_id: int,
    *,
    reason: str,
    via: tuple[str, str] | None = None,
    actor: str = "system",
) -> MergeRecord:
    """Fold ``merged_id`` into ``survivor_id`` and return the record that can undo it."""
    if survivor_id == merged_id:
        raise MergeRefused("a member cannot be merged into itself")
    locked = repo.lock_members(session, [survivor_id, merged_id])
    survivor, loser = _active(locked, survivor_id), _active(locked, merged_id)
    now = ctx(session).now()
    undo: dict[str, Any] = {
        "identifiers_moved": [],
        "identifiers_dropped": [],
        "refs": {},
        "survivor_filled": {},
        "loser_before": {"status": loser.status, "joined_at": _iso(loser.joined_at)},
    }
    _move_identifiers(session, loser, survivor, undo)
    for col in rehome_columns():
        ids = _move_refs(session, col, loser.id, survivor.id)
        if ids:
            undo["refs"][f"{col.table.name}.{col.name}"] = ids
    _fill_profile(survivor, loser, undo)
    _move_card(session, survivor, loser, undo)
    loser.status, loser.merged_into_id, loser.updated_at = "merged", survivor.id, now
    survivor.updated_at = now
    record = MergeRecord(
        survivor_id=survivor.id,
        merged_id=loser.id,
        reason=reason[:300],
        via_type=via[0] if via else None,
        via_value=via[1] if via else None,
        actor=actor,
        undo=undo,
        created_at=now,
    )
    session.add(record)
    session.flush()
    emit(session, MemberMerged(survivor.id, loser.id, record.id, record.reason))
    return record


def unmerge(session: Session, member_id: int, *, actor: str = "system") -> MergeRecord:
    """Undo the latest merge of ``member_id`` (the merged one) and keep them apart from now on.

    Merges along a chain are undone last-first: if the survivor has itself been merged into
    someone since, that merge is undone first (a 409 says which). Rows go back only if they
    are still with the survivor: one that has moved on since (erased, say) stays where it is.
    """
    record = _open_merge(session, member_id)
    locked = repo.lock_members(session, [record.survivor_id, record.merged_id])
    record = _open_merge(session, member_id)  # re-read under the lock: a racing unmerge won
    loser, survivor = locked[record.merged_id], locked[record.survivor_id]
    if survivor.status != "active":
        raise MergeRefused(
            f"member {survivor.id}, which {loser.id} was merged into, has since been merged into"
            f" {survivor.merged_into_id}: unmerge {survivor.id} first"
        )
    undo, now = record.undo, ctx(session).now()
    _restore_identifiers(session, undo, loser.id, survivor.id, record.id)
    for key, ids in undo["refs"].items():
        table_name, col_name = key.split(".")
        table = Base.metadata.tables[table_name]
        col = table.c[col_name]
        session.execute(
            update(table).where(table.c.id.in_(ids), col == survivor.id).values({col_name: loser.id})
        )
    _unfill_profile(session, survivor, loser, undo)
    loser.status, loser.merged_into_id, loser.updated_at = "active", None, now
    survivor.updated_at = now
    _settle_card(session, loser)
    _settle_card(session, survivor)
    record.undone_at, record.undone_by = now, actor
    exclude(session, survivor.id, loser.id)
    emit(session, MemberUnmerged(survivor.id, loser.id, record.id))
    session.flush()
    return record


def _open_merge(session: Session, member_id: int) -> MergeRecord:
    record = session.scalar(
        select(MergeRecord)
        .where(MergeRecord.merged_id == member_id, MergeRecord.undone_at.is_(None))
        .order_by(MergeRecord.id.desc())
        .execution_options(populate_existing=True)
    )
    if record is None:
        raise NotMerged(f"member {member_id} is not merged into anyone")
    return record


def _settle_card(session: Session, member: Member) -> None:
    """After an unmerge, the card a member shows is one it holds; without one it has not joined.

    Needed when merges and unmerges interleave (D and C both merged into A, then D split off
    with the card A showed): A then shows C's card, which it holds; and when C leaves too, A
    is back to never having joined.
    """
    held = [
        i.value for i in repo.identifiers_of(session, member.id) if i.type == "member_card" and i.verified
    ]
    if member.card_no in held:
        return
    if member.card_no is not None:
        member.card_no = None
        session.flush()
    if member.joined_at is None:
        return
    for value in held:
        other = session.scalar(select(Member).where(Member.card_no == value))
        if other is not None:
            other.card_no = None  # a tombstone's, or a member's that no longer holds it
            session.flush()
        member.card_no = value
        return
    member.joined_at = None


def _active(locked: dict[int, Member], member_id: int) -> Member:
    member = locked.get(member_id)
    if member is None:
        raise MemberNotFound(f"no member {member_id}")
    if member.status != "active":
        raise MergeRefused(f"member {member_id} is already merged into {member.merged_into_id}")
    return member


def _move_identifiers(session: Session, loser: Member, survivor: Member, undo: dict[str, Any]) -> None:
    held = {(i.type, i.value) for i in repo.identifiers_of(session, survivor.id)}
    for ident in repo.identifiers_of(session, loser.id):
        if (ident.type, ident.value) in held:  # both linked to one device id: keep one link
            undo["identifiers_dropped"].append(_snapshot(ident))
            session.delete(ident)
        else:
            undo["identifiers_moved"].append(ident.id)
            ident.member_id = survivor.id
    session.flush()


def _restore_identifiers(
    session: Session, undo: dict[str, Any], loser_id: int, survivor_id: int, record_id: int
) -> None:
    moved = undo["identifiers_moved"]
    if moved:
        back = list(
            session.scalars(
                select(Identifier).where(Identifier.id.in_(moved), Identifier.member_id == survivor_id)
            )
        )
        for ident in back:
            ident.member_id = loser_id
            if not ident.verified and _link_needed(session, survivor_id, loser_id, ident, record_id):
                session.add(_copy(ident, survivor_id))
    for snap in undo["identifiers_dropped"]:
        free = "id" in snap and session.get(Identifier, snap["id"]) is None
        data = {k: v for k, v in _unsnapshot(snap).items() if k != "id" or free}
        session.add(Identifier(member_id=loser_id, **data))
    session.flush()


def _link_needed(
    session: Session, survivor_id: int, loser_id: int, ident: Identifier, record_id: int
) -> bool:
    """Did a member that stays folded into the survivor give up its own link to this device id?

    Then the survivor keeps a link of its own: that member's browsing was on it too.
    """
    leaving = set(repo.absorbed_ids(session, loser_id))
    absorbed = [m for m in repo.absorbed_ids(session, survivor_id) if m not in leaving]
    others = session.scalars(
        select(MergeRecord).where(
            MergeRecord.survivor_id.in_(absorbed),
            MergeRecord.undone_at.is_(None),
            MergeRecord.id != record_id,
        )
    )
    return any(
        snap["type"] == ident.type and snap["value"] == ident.value
        for other in others
        for snap in other.undo["identifiers_dropped"]
    )


def _copy(ident: Identifier, member_id: int) -> Identifier:
    return Identifier(
        member_id=member_id,
        type=ident.type,
        value=ident.value,
        verified=ident.verified,
        source=ident.source,
        created_at=ident.created_at,
        last_seen_at=ident.last_seen_at,
    )


def _move_refs(session: Session, col: Column[Any], from_id: int, to_id: int) -> list[int]:
    table = col.table
    ids = list(session.scalars(select(table.c.id).where(col == from_id).order_by(table.c.id)))
    if ids:
        session.execute(update(table).where(table.c.id.in_(ids)).values({col.name: to_id}))
    return ids


def _fill_profile(survivor: Member, loser: Member, undo: dict[str, Any]) -> None:
    for field in FILLABLE:
        if getattr(survivor, field) is None and getattr(loser, field) is not None:
            undo["survivor_filled"][field] = None
            setattr(survivor, field, getattr(loser, field))
    if loser.joined_at and (survivor.joined_at is None or loser.joined_at < survivor.joined_at):
        undo["survivor_filled"]["joined_at"] = _iso(survivor.joined_at)
        survivor.joined_at = loser.joined_at
    missing = {k: v for k, v in (loser.traits or {}).items() if k not in (survivor.traits or {})}
    if missing:
        undo["survivor_filled"]["traits"] = dict(survivor.traits or {})
        survivor.traits = {**(survivor.traits or {}), **missing}


def _move_card(session: Session, survivor: Member, loser: Member, undo: dict[str, Any]) -> None:
    """A survivor without a card takes the loser's (its barcode already finds the survivor)."""
    if survivor.card_no is None and loser.card_no is not None:
        undo["card_moved"] = card = loser.card_no
        loser.card_no = None
        session.flush()  # card_no is unique: free it before giving it away
        survivor.card_no = card


def _unfill_profile(session: Session, survivor: Member, loser: Member, undo: dict[str, Any]) -> None:
    """Give back what the merge filled in, unless someone has changed it since."""
    card = undo.get("card_moved")
    if card is not None and survivor.card_no == card:
        survivor.card_no = None
        session.flush()
        loser.card_no = card
    for field, before in undo["survivor_filled"].items():
        if field == "traits":
            survivor.traits = {
                **before,
                **{
                    k: v
                    for k, v in (survivor.traits or {}).items()
                    if k not in (loser.traits or {}) or (loser.traits or {})[k] != v
                },
            }
        elif getattr(survivor, field) == getattr(loser, field):
            setattr(survivor, field, _field_value(field, before))


def exclude(session: Session, a: int, b: int) -> None:
    """Record that ``a`` and ``b`` are different people (idempotent).

    The pair itself is recorded even if their groups are already kept apart through someone
    else: that someone may be unmerged later.
    """
    low, high = sorted((a, b))
    found = session.scalar(
        select(MergeExclusion.id).where(
            MergeExclusion.member_low_id == low, MergeExclusion.member_high_id == high
        )
    )
    if found is None:
        session.add(MergeExclusion(member_low_id=low, member_high_id=high, created_at=ctx(session).now()))


def _snapshot(ident: Identifier) -> dict[str, Any]:
    return {
        "id": ident.id,
        "type": ident.type,
        "value": ident.value,
        "verified": ident.verified,
        "source": ident.source,
        "created_at": _iso(ident.created_at),
        "last_seen_at": _iso(ident.last_seen_at),
    }


def _unsnapshot(snap: dict[str, Any]) -> dict[str, Any]:
    return {
        **snap,
        "created_at": dt.datetime.fromisoformat(snap["created_at"]),
        "last_seen_at": dt.datetime.fromisoformat(snap["last_seen_at"]),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _field_value(field: str, value: Any) -> Any:
    if field == "joined_at" and value is not None:
        return dt.datetime.fromisoformat(value)
    return value
