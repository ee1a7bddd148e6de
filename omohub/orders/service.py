"""Order use cases: record a sale from any channel (idempotently), read one, list recent ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.core.outbox import emit
from omohub.orders import repository as repo
from omohub.orders import rules
from omohub.orders.errors import IdempotencyConflict, InvalidOrder, OrderNotFound
from omohub.orders.events import OrderCompleted
from omohub.orders.extensions import OrderExtension
from omohub.orders.models import Order, OrderLine, Payment
from omohub.orders.schemas import OrderIn
from omohub.orders.validation import Draft, check_order, order_total

MAX_LIST = 200


def default_source(actor: str) -> str:
    """An API key ``apikey:pos-taipei`` records its orders under the source ``pos-taipei``."""
    return actor.removeprefix("apikey:")


def create(
    session: Session, data: OrderIn, *, actor: str, extensions: Sequence[OrderExtension] = ()
) -> tuple[Order, bool]:
    """Record a sale; ``(order, created)``. A retry of the same body returns the first order."""
    source = data.source or default_source(actor)
    digest = _fingerprint(data, source)
    existing = repo.by_key(session, source, data.external_id)
    if existing is not None:
        return _replay(existing, digest), False
    draft = check_order(session, data)
    order = _order_row(session, data, source, digest, draft)
    try:
        with session.begin_nested():  # a parallel request may insert the same key first
            session.add(order)
            session.flush()
    except IntegrityError:
        winner = repo.by_key(session, source, data.external_id)
        if winner is None:
            raise
        return _replay(winner, digest), False
    lines = _write_lines(session, order, data, draft)
    _write_payments(session, order, data)
    if data.quote_id and not extensions:
        raise InvalidOrder("quote_id needs the checkout extension (use the hub's API)", field="quote_id")
    session.flush()
    for extension in extensions:
        extension.on_create(session, order, lines, data)
    emit(session, _completed(order, lines, draft, data))
    session.flush()
    return order, True


def get(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id) if 0 < order_id <= MAX_ID else None
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    return order


def recent(
    session: Session,
    *,
    member_id: int | None,
    store_code: str | None,
    channel: str | None,
    limit: int,
) -> list[Order]:
    """Newest first, for the console; an unknown store code is an error, not an empty list."""
    store_id = None
    if store_code:
        if rules.has_nul(store_code):  # PostgreSQL cannot even compare text with NUL
            raise InvalidOrder("store_code contains a NUL character (\\u0000)", field="store_code")
        store_id = repo.store_id(session, store_code)
        if store_id is None:
            raise InvalidOrder(f"unknown store code {store_code!r}", field="store_code")
    return repo.recent(
        session, member_id=member_id, store_id=store_id, channel=channel, limit=min(limit, MAX_LIST)
    )


def _fingerprint(data: OrderIn, source: str) -> str:
    body = data.model_dump(mode="json")
    body["source"] = source
    if data.ordered_at is not None:  # the same instant in any offset is the same request
        body["ordered_at"] = data.ordered_at.astimezone(dt.UTC).isoformat()
    return rules.fingerprint(body)


def _replay(order: Order, digest: str) -> Order:
    if order.request_hash != digest:
        raise IdempotencyConflict(
            f"order {order.external_id!r} from {order.source!r} was already recorded (id {order.id})"
            " with a different body; resend the original body, or use a new external_id",
            order_id=order.id,
        )
    return order


def _order_row(session: Session, data: OrderIn, source: str, digest: str, draft: Draft) -> Order:
    now = ctx(session).now()
    ordered_at = data.ordered_at.astimezone(dt.UTC) if data.ordered_at else now
    subtotal = sum(li.quantity * li.unit_price for li in data.lines)
    meta = dict(data.meta)
    if draft.einvoice and draft.einvoice[2]:
        meta["einvoice_from"] = draft.einvoice[2]
    return Order(
        source=source,
        external_id=data.external_id,
        channel=data.channel,
        store_id=draft.store_id,
        staff_id=draft.staff_id,
        member_id=draft.member.id if draft.member else None,
        status="completed",
        currency=ctx(session).settings.currency,
        subtotal=subtotal,
        discount_total=subtotal - order_total(data),
        total=order_total(data),
        refunded_total=0,
        ordered_at=ordered_at,
        business_date=ctx(session).business_date(ordered_at),
        einvoice_type=draft.einvoice[0] if draft.einvoice else None,
        einvoice_value=draft.einvoice[1] if draft.einvoice else None,
        meta=meta,
        request_hash=digest,
        created_at=now,
    )


def _write_lines(session: Session, order: Order, data: OrderIn, draft: Draft) -> list[OrderLine]:
    lines = [
        OrderLine(
            order_id=order.id,
            line_no=no,
            sku_id=sku.id,
            quantity=li.quantity,
            unit_price=li.unit_price,
            line_discount=li.line_discount,
            order_discount=share,
            line_total=li.quantity * li.unit_price - li.line_discount - share,
            returned_quantity=0,
            refunded_amount=0,
        )
        for no, (li, sku, share) in enumerate(
            zip(data.lines, draft.skus, draft.order_discounts, strict=True), 1
        )
    ]
    session.add_all(lines)
    return lines


def _write_payments(session: Session, order: Order, data: OrderIn) -> None:
    session.add_all(
        Payment(order_id=order.id, tender=p.tender, amount=p.amount, reference=p.reference)
        for p in data.payments
    )


def _completed(order: Order, lines: list[OrderLine], draft: Draft, data: OrderIn) -> OrderCompleted:
    return OrderCompleted(
        order_id=order.id,
        source=order.source,
        external_id=order.external_id,
        channel=order.channel,
        store_code=data.store_code or None,
        staff_code=data.staff_code or None,
        member_id=order.member_id,
        currency=order.currency,
        total=order.total,
        business_date=order.business_date.isoformat(),
        lines=[
            {
                "line_no": line.line_no,
                "sku": sku.code,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
            }
            for line, sku in zip(lines, draft.skus, strict=True)
        ],
    )
