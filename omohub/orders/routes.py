"""``/api/v1/orders``: record a sale from any channel, read it, list them, return lines."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import hub, principal, uow
from omohub.core.db import MAX_ID
from omohub.orders import presenter, returns, service
from omohub.orders.schemas import Channel, OrderIn, OrderOut, OrderSummary, ReturnIn, ReturnResult

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])

WRITE = principal("pos", "ecommerce")
READ = principal("pos", "ecommerce", "orders:read")


@router.post("", response_model=OrderOut, status_code=201, responses={200: {"model": OrderOut}})
def create(
    data: OrderIn,
    response: Response,
    request: Request,
    session: Session = uow,
    who: Principal = Depends(WRITE),
) -> OrderOut:
    """Record a sale from any channel: 201 when new, 200 with the same order on a retry.

    Idempotent by ``(source, external_id)``; a retry with a different body is a 409.
    """
    extensions = hub(request).order_extensions
    order, created = service.create(session, data, actor=who.actor, extensions=extensions)
    if not created:
        response.status_code = 200
    return presenter.order_out(session, order)


@router.get("", response_model=list[OrderSummary])
def recent(
    member_id: int | None = Query(None, ge=1, le=MAX_ID),
    store_code: str | None = None,
    channel: Channel | None = None,
    limit: int = Query(50, ge=1, le=service.MAX_LIST),
    session: Session = uow,
    who: Principal = Depends(READ),
) -> list[OrderSummary]:
    """Recent orders, newest first, filtered by member, store and channel."""
    found = service.recent(session, member_id=member_id, store_code=store_code, channel=channel, limit=limit)
    return presenter.summaries(session, found)


@router.get("/{order_id}", response_model=OrderOut)
def read(order_id: int, session: Session = uow, who: Principal = Depends(READ)) -> OrderOut:
    """One order with its lines, payments and returns."""
    return presenter.order_out(session, service.get(session, order_id))


@router.post(
    "/{order_id}/returns",
    response_model=ReturnResult,
    status_code=201,
    responses={200: {"model": ReturnResult}},
)
def create_return(
    order_id: int,
    data: ReturnIn,
    response: Response,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    session: Session = uow,
    who: Principal = Depends(WRITE),
) -> ReturnResult:
    """Return units of some lines, in any channel or store: 201 when new, 200 on a retry.

    Idempotent by the ``Idempotency-Key`` header or ``external_id``; never more than was bought.
    """
    ret, created = returns.record(session, order_id, data, idempotency_key=idempotency_key, actor=who.actor)
    if not created:
        response.status_code = 200
    order = presenter.order_out(session, service.get(session, order_id))
    return ReturnResult.model_validate(
        {"return": next(r for r in order.returns if r.id == ret.id), "order": order}
    )
