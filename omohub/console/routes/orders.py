"""Orders from every channel: a filtered list and one order's lines, payments and returns."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import queries
from omohub.console.deps import Viewer, context, page
from omohub.console.render import page as render
from omohub.orders import presenter
from omohub.orders import service as orders
from omohub.orders.models import ORDER_CHANNELS

router = APIRouter()

STATUSES = ("completed", "partially_refunded", "refunded")


@router.get("/orders")
def order_list(
    request: Request,
    channel: str = "",
    store: str = "",
    member: str = "",
    status: str = "",
    date_from: str = "",
    date_to: str = "",
    number: str = "",
    after: str = "",
    viewer: Viewer = Depends(page("orders")),
    session: Session = uow,
) -> Response:
    stores = queries.stores(session)
    by_code = {s.code: s.id for s in stores}
    # A store manager sees their own store's orders only.
    own = viewer.user.store_id if viewer.role == "store_manager" else None
    f = queries.OrderFilter(
        channel=channel if channel in ORDER_CHANNELS else None,
        store_id=own or by_code.get(store),
        member_id=_id(member),
        status=status if status in STATUSES else None,
        date_from=_date(date_from),
        date_to=_date(date_to),
        number=number.strip() or None,
    )
    rows = queries.orders_page(session, f, after or None)
    params = {
        "channel": channel,
        "store": store,
        "member": member,
        "status": status,
        "date_from": date_from,
        "date_to": date_to,
        "number": number,
    }
    ctx = context(
        request,
        viewer,
        "orders",
        rows=rows,
        stores=[s for s in stores if own is None or s.id == own],
        restricted=own is not None,
        channels=ORDER_CHANNELS,
        statuses=STATUSES,
        params=params,
        next_cursor=queries.cursor_of(rows[-1].order) if len(rows) == queries.PAGE else None,
    )
    return render("orders/list.html", ctx)


@router.get("/orders/{order_id}")
def order_detail(
    request: Request, order_id: int, viewer: Viewer = Depends(page("orders")), session: Session = uow
) -> Response:
    order = orders.get(session, order_id)
    if viewer.role == "store_manager" and viewer.user.store_id not in (None, order.store_id):
        return render("error.html", context(request, viewer, error="error.forbidden", detail=""), status=403)
    out = presenter.order_out(session, order)
    ctx = context(
        request,
        viewer,
        "orders",
        o=out,
        names=queries.product_names(session, [line.sku for line in out.lines]),
        store_names=queries.store_names(session),
    )
    return render("orders/detail.html", ctx)


def _id(raw: str) -> int | None:
    return queries.as_id(raw.strip())


def _date(raw: str) -> dt.date | None:
    """A business day, or None; the first and last years have no UTC bounds in every timezone."""
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and dt.MINYEAR < day.year < dt.MAXYEAR else None
