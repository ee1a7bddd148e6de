"""``/api/v1/members``: join or update from any channel, read, merge, unmerge, review suggestions."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.core.db import RowId
from omohub.members import service, suggestions
from omohub.members.models import MergeSuggestion
from omohub.members.presenter import member_out
from omohub.members.schemas import JoinResult, MemberIn, MemberOut, MergeIn, MergeOut, SuggestionOut

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.post("", response_model=JoinResult, status_code=200)
def join_or_update(
    data: MemberIn,
    response: Response,
    session: Session = uow,
    who: Principal = Depends(principal("pos", "ecommerce")),
) -> JoinResult:
    """Join (sign up) or update a member from any channel, by any identifiers it knows.

    201 when a new member was created, 200 when an existing one was found (and updated).
    """
    result = service.join(session, data, source=who.actor)
    assert result.member is not None
    if result.created:
        response.status_code = 201
    return JoinResult(
        member=member_out(session, result.member, masked=who.masked),
        created=result.created,
        merged=result.merged,
        refused=result.refused,
    )


@router.get("/merge-suggestions", response_model=list[SuggestionOut])
def list_suggestions(
    status: Literal["open", "accepted", "rejected"] = "open",
    limit: int = Query(50, ge=1, le=500),
    session: Session = uow,
    who: Principal = Depends(principal("admin")),
) -> list[SuggestionOut]:
    """Pairs a call linked but the merge policy left for a person to decide, oldest first."""
    return [_suggestion_out(s) for s in suggestions.listing(session, status, limit)]


@router.post("/merge-suggestions/{suggestion_id}/accept", response_model=MergeOut)
def accept_suggestion(
    suggestion_id: RowId,
    session: Session = uow,
    who: Principal = Depends(principal("admin")),
) -> MergeOut:
    """Same person: merge them (the member who joined, or else the older one, survives)."""
    return _merge_out(suggestions.accept(session, suggestion_id, who.actor))


@router.post("/merge-suggestions/{suggestion_id}/reject", response_model=SuggestionOut)
def reject_suggestion(
    suggestion_id: RowId,
    session: Session = uow,
    who: Principal = Depends(principal("admin")),
) -> SuggestionOut:
    """Different people: never link them automatically again."""
    return _suggestion_out(suggestions.reject(session, suggestion_id, who.actor))


@router.get("/{member_id}", response_model=MemberOut)
def read(
    member_id: RowId,
    session: Session = uow,
    who: Principal = Depends(principal("pos", "ecommerce")),
) -> MemberOut:
    """One member by id; a merged member's record says where it went (``merged_into_id``)."""
    return member_out(session, service.get(session, member_id), masked=who.masked)


@router.post("/{member_id}/merge", response_model=MergeOut)
def merge(
    member_id: RowId,
    data: MergeIn,
    session: Session = uow,
    who: Principal = Depends(principal("admin")),
) -> MergeOut:
    """Fold ``other_id`` into this member (by hand, e.g. after reviewing a suggestion)."""
    record = service.merge_by_hand(session, member_id, data.other_id, data.reason, who.actor)
    return _merge_out(record)


@router.post("/{member_id}/unmerge", response_model=MergeOut)
def unmerge(
    member_id: RowId,
    session: Session = uow,
    who: Principal = Depends(principal("admin")),
) -> MergeOut:
    """Undo the merge that folded this member into another: both are restored exactly."""
    return _merge_out(service.unmerge_by_hand(session, member_id, who.actor))


def _merge_out(record) -> MergeOut:  # type: ignore[no-untyped-def]
    return MergeOut(
        merge_id=record.id,
        survivor_id=record.survivor_id,
        merged_id=record.merged_id,
        reason=record.reason,
        created_at=record.created_at,
        undone_at=record.undone_at,
    )


def _suggestion_out(s: MergeSuggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.id,
        member_low_id=s.member_low_id,
        member_high_id=s.member_high_id,
        reason=s.reason,
        status=s.status,
        created_at=s.created_at,
    )
