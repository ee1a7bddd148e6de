"""Member search (phone, card barcode, e-mail, LINE, ids), the 360 page, unmerge and point adjustments."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, coupons, forms, loyalty, rules
from omohub.console.card import card_path, qr_svg
from omohub.console.deps import CSRF, PREFIX, Viewer, action, context, flash, hub, page
from omohub.console.forms import FormState
from omohub.console.render import page as render
from omohub.core.db import MAX_ID
from omohub.core.errors import DomainError, NotFound
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
    return _profile(request, viewer, session, member_id)


@router.post("/members/{member_id}/points", dependencies=[CSRF])
def adjust_points(
    request: Request,
    member_id: int = Path(le=MAX_ID),
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = Depends(action("member.adjust_points")),
    session: Session = uow,
) -> Response:
    """Add or remove a member's points by hand, with a reason (hq_admin only; audited)."""
    try:
        data = loyalty.read_adjustment(given)
    except forms.Rejected as exc:
        return _profile(request, viewer, session, member_id, FormState(given, exc.problems), 422)
    try:
        row = actions.adjust_points(session, viewer.who, member_id, data)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        problems = loyalty.adjustment_refused(exc, data.points)
        return _profile(request, viewer, session, member_id, FormState(given, problems), exc.status)
    flash(request, "points.adjusted", points=f"{row.points:+,}")
    return RedirectResponse(f"{PREFIX}/members/{row.member_id}", status_code=303)


def _profile(
    request: Request,
    viewer: Viewer,
    session: Session,
    member_id: int,
    adjust_form: FormState | None = None,
    status: int = 200,
) -> Response:
    view = c360.lookup(session, viewer.who, "member_id", str(member_id))
    member = members.get(session, member_id)
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
        can_promotions=rules.can_open(viewer.role, "promotions"),
        card_url=card_url,
        card_qr=qr_svg(card_url, label="card link") if card_url else None,
        pts=loyalty.points_panel(session, member_id),
        wallet=coupons.wallet_lines(session, member_id),
        till=coupons.till(session, member_id, viewer.user.store_id),
        can_adjust=rules.can_do(viewer.role, "member.adjust_points"),
        adjust_form=adjust_form or FormState(),
        # Each form gets its own key: sent twice (a double click), it is one adjustment.
        adjust_key=secrets.token_urlsafe(16),
    )
    return render("members/profile.html", ctx, status=status)


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
