"""The home dashboard, stores and staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import queries, rules
from omohub.console.deps import Viewer, context, page
from omohub.console.render import page as render

router = APIRouter()


@router.get("/")
def home(request: Request, viewer: Viewer = Depends(page("home")), session: Session = uow) -> Response:
    """Office roles get the day's figures; a clerk gets the member search, ready to scan."""
    if viewer.role == "clerk":
        ctx = context(request, viewer, "home", search_types=rules.SEARCH_TYPES, q="", by="auto")
        ctx["not_found"] = False
        return render("members/search.html", ctx)
    store_id = viewer.user.store_id if viewer.role == "store_manager" else None
    board = queries.dashboard(session, store_id)
    recent = queries.orders_page(session, queries.OrderFilter(store_id=store_id), limit=8)
    peak = max([d.online + d.offline for d in board.days] + [1])
    return render("home.html", context(request, viewer, "home", board=board, rows=recent, peak=peak))


@router.get("/stores")
def stores(request: Request, viewer: Viewer = Depends(page("stores")), session: Session = uow) -> Response:
    return render("stores.html", context(request, viewer, "stores", stores=queries.stores(session)))


@router.get("/staff")
def staff(request: Request, viewer: Viewer = Depends(page("staff")), session: Session = uow) -> Response:
    own = viewer.user.store_id if viewer.role == "store_manager" else None
    return render("staff.html", context(request, viewer, "staff", rows=queries.staff(session, own)))
