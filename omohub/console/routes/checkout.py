"""At the till (結帳助手): find the member, then tell them what they can use right now — the
coupons in their wallet that this store takes, and their points with what they pay.

Every role opens it, clerks included; a clerk sees identifiers masked and each look is audited,
like the 360's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, coupons, rules
from omohub.console.deps import CSRF, PREFIX, Viewer, context, page
from omohub.console.render import page as render
from omohub.core.db import MAX_ID
from omohub.members import repository as members_repo
from omohub.members import service as members
from omohub.members.presenter import member_out

router = APIRouter()
TILL = Depends(page("checkout"))


@router.get("/checkout")
def checkout_search_form(request: Request, viewer: Viewer = TILL) -> Response:
    return render("checkout/search.html", _search_context(request, viewer))


@router.post("/checkout/search", dependencies=[CSRF])
def checkout_search(
    request: Request,
    q: str = Form(""),
    by: str = Form("auto"),
    viewer: Viewer = TILL,
    session: Session = uow,
) -> Response:
    """Scan the card or type the phone (by POST: it stays out of URLs and logs)."""
    found = actions.find_member(session, q, by if by in rules.SEARCH_TYPES else "auto")
    if found is None:
        ctx = _search_context(request, viewer, q=q, by=by, not_found=bool(q.strip()))
        return render("checkout/search.html", ctx, status=404 if q.strip() else 200)
    return RedirectResponse(f"{PREFIX}/checkout/{found.id}", status_code=303)


@router.get("/checkout/{member_id}")
def checkout_member(
    request: Request,
    member_id: int = Path(le=MAX_ID),
    viewer: Viewer = TILL,
    session: Session = uow,
) -> Response:
    member = members.get(session, member_id)
    live = members_repo.live_member(session, member_id)
    if live is not None and live.id != member_id:
        return RedirectResponse(f"{PREFIX}/checkout/{live.id}", status_code=303)
    actions.checkout_view(session, viewer.who, member)
    ctx = context(
        request,
        viewer,
        "checkout",
        m=member_out(session, member, masked=viewer.who.masked),
        till=coupons.till(session, member.id, viewer.user.store_id),
    )
    return render("checkout/member.html", ctx)


def _search_context(request: Request, viewer: Viewer, **extra: object) -> dict[str, object]:
    extra.setdefault("q", "")
    extra.setdefault("by", "auto")
    extra.setdefault("not_found", False)
    return context(request, viewer, "checkout", search_types=rules.SEARCH_TYPES, **extra)
