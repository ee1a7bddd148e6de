"""Member search (phone, card barcode, e-mail, LINE, ids), the 360 page and unmerge."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, rules
from omohub.console.card import card_path, qr_svg
from omohub.console.deps import CSRF, PREFIX, Viewer, action, context, flash, hub, page
from omohub.console.render import page as render
from omohub.core.db import MAX_ID
from omohub.core.errors import DomainError
from omohub.customer360 import service as c360
from omohub.members import repository as members_repo
from omohub.members import service as members

router = APIRouter()


@router.get("/members")
def search_form(request: Request, viewer: Viewer = Depends(page("members"))) -> Response:
    return render("members/search.html", _search_context(request, viewer))


@router.post("/members/search", dependencies=[CSRF])
def search(
    request: Request,
    q: str = Form(""),
    by: str = Form("auto"),
    viewer: Viewer = Depends(page("members")),
    session: Session = uow,
) -> Response:
    """Search by POST, so phone numbers never land in URLs, logs or browser history."""
    found = actions.find_member(session, q, by if by in rules.SEARCH_TYPES else "auto")
    if found is None:
        ctx = _search_context(request, viewer, q=q, by=by, not_found=bool(q.strip()))
        return render("members/search.html", ctx, status=404 if q.strip() else 200)
    return RedirectResponse(f"{PREFIX}/members/{found.id}", status_code=303)


@router.get("/members/{member_id}")
def profile(
    request: Request,
    member_id: int = Path(le=MAX_ID),
    viewer: Viewer = Depends(page("members")),
    session: Session = uow,
) -> Response:
    """The 360. ``customer360.lookup`` audits it when the viewer sees masked identifiers."""
    member = members.get(session, member_id)
    if member.status == "merged":
        live = members_repo.live_member(session, member_id)
        if live is not None and live.id != member_id:
            flash(request, "members.was_merged", kind="info", id=member_id, into=live.id)
            return RedirectResponse(f"{PREFIX}/members/{live.id}", status_code=303)
    view = c360.lookup(session, viewer.who, "member_id", str(member_id))
    card = card_path(hub(request).settings.resolved_secret_key(), member)
    show_card = card is not None and rules.can_do(viewer.role, "member.card")
    card_url = f"{request.url.scheme}://{request.url.netloc}{card}" if show_card else None
    ctx = context(
        request,
        viewer,
        "members",
        p=view,
        merges=members.merges_of(session, member_id) if rules.can_do(viewer.role, "member.merges") else [],
        can_unmerge=rules.can_do(viewer.role, "member.unmerge"),
        can_orders=rules.can_open(viewer.role, "orders"),
        card_url=card_url,
        card_qr=qr_svg(card_url, label="card link") if card_url else None,
    )
    return render("members/profile.html", ctx)


@router.post("/members/{member_id}/unmerge", dependencies=[CSRF])
def unmerge(
    request: Request,
    member_id: int,
    merged_id: int = Form(..., le=MAX_ID),
    viewer: Viewer = Depends(action("member.unmerge")),
    session: Session = uow,
) -> Response:
    """Undo the merge of ``merged_id`` into this member (hq_admin only)."""
    try:
        actions.unmerge(session, viewer.who, merged_id)
    except DomainError as exc:
        session.rollback()
        flash(request, "error.action_failed", kind="error", detail=exc.detail)
    else:
        flash(request, "members.unmerged", id=merged_id)
    return RedirectResponse(f"{PREFIX}/members/{member_id}", status_code=303)


def _search_context(request: Request, viewer: Viewer, **extra: object) -> dict[str, object]:
    extra.setdefault("q", "")
    extra.setdefault("by", "auto")
    extra.setdefault("not_found", False)
    return context(request, viewer, "members", search_types=rules.SEARCH_TYPES, **extra)
