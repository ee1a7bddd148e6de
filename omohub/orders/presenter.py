"""Orders and returns as the API shows them: codes instead of internal ids."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omohub.orders import repository as repo
from omohub.orders.models import Order, Return
from omohub.orders.schemas import (
    EinvoiceOut,
    LineOut,
    OrderOut,
    OrderSummary,
    PaymentOut,
    ReturnLineOut,
    ReturnOut,
)


def summaries(session: Session, orders: list[Order]) -> list[OrderSummary]:
    stores = repo.store_codes(session, (o.store_id for o in orders))
    staff = repo.staff_codes(session, (o.staff_id for o in orders))
    return [_summary(o, stores, staff) for o in orders]


def order_out(session: Session, order: Order) -> OrderOut:
    lines = repo.lines_of(session, order.id)
    returns = repo.returns_of(session, order.id)
    stores = repo.store_codes(session, [order.store_id, *(r.store_id for r in returns)])
    staff = repo.staff_codes(session, [order.staff_id, *(r.staff_id for r in returns)])
    skus = repo.sku_codes(session, (li.sku_id for li in lines))
    line_skus = {li.id: (li.line_no, skus[li.sku_id]) for li in lines}
    return OrderOut(
        **_summary(order, stores, staff).model_dump(),
        einvoice=EinvoiceOut(type=order.einvoice_type, value=order.einvoice_value)
        if order.einvoice_type
        else None,
        meta=dict(order.meta or {}),
        created_at=order.created_at,
        lines=[
            LineOut(
                line_no=li.line_no,
                sku=skus[li.sku_id],
                quantity=li.quantity,
                unit_price=li.unit_price,
                line_discount=li.line_discount,
                order_discount=li.order_discount,
                line_total=li.line_total,
                returned_quantity=li.returned_quantity,
                refunded_amount=li.refunded_amount,
            )
            for li in lines
        ],
        payments=[
            PaymentOut(tender=p.tender, amount=p.amount, reference=p.reference)
            for p in repo.payments_of(session, order.id)
        ],
        returns=_returns(session, returns, stores, staff, line_skus),
    )


def _summary(order: Order, stores: dict[int, str], staff: dict[int, str]) -> OrderSummary:
    return OrderSummary(
        id=order.id,
        source=order.source,
        external_id=order.external_id,
        channel=order.channel,
        status=order.status,
        store_code=stores.get(order.store_id) if order.store_id else None,
        staff_code=staff.get(order.staff_id) if order.staff_id else None,
        member_id=order.member_id,
        currency=order.currency,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        total=order.total,
        refunded_total=order.refunded_total,
        ordered_at=order.ordered_at,
        business_date=order.business_date,
    )


def _returns(
    session: Session,
    returns: list[Return],
    stores: dict[int, str],
    staff: dict[int, str],
    line_skus: dict[int, tuple[int, str]],
) -> list[ReturnOut]:
    by_return: dict[int, list[ReturnLineOut]] = {r.id: [] for r in returns}
    for rl in repo.return_lines_of(session, [r.id for r in returns]):
        line_no, sku = line_skus[rl.order_line_id]
        by_return[rl.return_id].append(
            ReturnLineOut(line_no=line_no, sku=sku, quantity=rl.quantity, refund_amount=rl.refund_amount)
        )
    return [
        ReturnOut(
            id=r.id,
            order_id=r.order_id,
            idempotency_key=r.idempotency_key,
            source=r.source,
            channel=r.channel,
            store_code=stores.get(r.store_id) if r.store_id else None,
            staff_code=staff.get(r.staff_id) if r.staff_id else None,
            refund_total=r.refund_total,
            reason=r.reason,
            refunds=[PaymentOut(**p) for p in r.refunds or []],
            returned_at=r.returned_at,
            business_date=r.business_date,
            lines=by_return[r.id],
        )
        for r in returns
    ]
