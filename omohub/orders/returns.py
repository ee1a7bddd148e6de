"""Returns and refunds: line by line, in any channel or store, never more than was bought.

The order row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writers are
serial), so parallel returns of one order queue up and each sees what the earlier ones took.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.core.outbox import emit
from omohub.orders import repository as repo
from omohub.orders import rules
from omohub.orders.errors import IdempotencyConflict, InvalidReturn, OrderNotFound, OverReturn
from omohub.orders.events import OrderRefunded
from omohub.orders.models import Order, OrderLine, Return, ReturnLine
from omohub.orders.schemas import ReturnIn, ReturnLineIn
from omohub.orders.service import default_source
from omohub.orders.validation import Problems, place


@dataclass
class Taken:
    """Units of one order line coming back, and what they refund."""

    line: OrderLine
    units: int
    refund: int


def record(
    session: Session, order_id: int, data: ReturnIn, *, idempotency_key: str | None, actor: str
) -> tuple[Return, bool]:
    """Record a return; ``(return, created)``. A retry with the same key returns the first one."""
    key = _key(idempotency_key, data.external_id)
    digest = rules.fingerprint({**data.model_dump(mode="json"), "external_id": key})
    order = repo.lock(session, order_id) if 0 < order_id <= MAX_ID else None
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    existing = repo.return_by_key(session, order.id, key)
    if existing is not None:
        return _replay(existing, digest), False
    ret = _header(session, order, data, key, digest, actor)
    lines = repo.lines_of(session, order.id)
    taken = _take_all(session, lines, data.lines)
    ret.refund_total = sum(t.refund for t in taken)
    _check_refunds(data, ret.refund_total)
    session.add(ret)
    session.flush()
    for t in taken:
        session.add(
            ReturnLine(return_id=ret.id, order_line_id=t.line.id, quantity=t.units, refund_amount=t.refund)
        )
        t.line.returned_quantity += t.units
        t.line.refunded_amount += t.refund
    order.refunded_total += ret.refund_total
    order.status = rules.status_after([(li.quantity, li.returned_quantity) for li in lines])
    emit(session, _event(session, order, ret, taken, data))
    session.flush()
    return ret, True


def _key(header: str | None, external_id: str | None) -> str:
    header = (header or "").strip() or None
    if header and external_id and header != external_id:
        raise InvalidReturn(
            "the Idempotency-Key header and external_id differ; send one of them, or the same in both",
            field="external_id",
        )
    key = header or external_id
    if not key:
        raise InvalidReturn(
            "send an Idempotency-Key header or an external_id, so that a retry cannot return twice",
            field="external_id",
        )
    if len(key) > 160:
        raise InvalidReturn("the Idempotency-Key is longer than 160 characters", field="Idempotency-Key")
    return key


def _replay(ret: Return, digest: str) -> Return:
    if ret.request_hash != digest:
        raise IdempotencyConflict(
            f"return {ret.idempotency_key!r} of order {ret.order_id} was already recorded (id {ret.id})"
            " with a different body; resend the original body, or use a new key",
            return_id=ret.id,
        )
    return ret


def _header(session: Session, order: Order, data: ReturnIn, key: str, digest: str, actor: str) -> Return:
    """The return row (not yet added), after checking where it happens."""
    channel = data.channel or ("pos" if data.store_code else order.channel)
    # Named nowhere else, it comes back where it was sold (its channel, and its store if any).
    same_place = not data.store_code and channel == order.channel
    problems = Problems()
    store_id, staff_id = place(
        session, data.store_code, data.staff_code, problems, need_store=channel == "pos" and not same_place
    )
    problems.raise_any(InvalidReturn)
    if same_place:
        store_id = order.store_id
    now = ctx(session).now()
    return Return(
        order_id=order.id,
        idempotency_key=key,
        source=default_source(actor),
        request_hash=digest,
        channel=channel,
        store_id=store_id,
        staff_id=staff_id,
        refund_total=0,
        reason=data.reason,
        refunds=[r.model_dump() for r in data.refunds or []],
        returned_at=now,
        business_date=ctx(session).business_date(now),
    )


def _take_all(session: Session, lines: list[OrderLine], wanted: list[ReturnLineIn]) -> list[Taken]:
    """Which lines give back how many units; a SKU fills its lines in line order."""
    by_no = {line.line_no: line for line in lines}
    skus = repo.skus_by_ref(session, (w.sku for w in wanted if w.sku and w.line_no is None))
    units: dict[int, int] = defaultdict(int)
    problems = Problems()
    for i, w in enumerate(wanted):
        where = f"lines.{i}"
        if w.line_no is not None:
            line = by_no.get(w.line_no)
            if line is None:
                problems.add(
                    f"{where}.line_no", f"the order has no line {w.line_no} (it has 1 to {len(lines)})"
                )
            elif w.sku and w.sku not in repo.sku_refs(session, line.sku_id):
                problems.add(f"{where}.sku", f"line {w.line_no} is not SKU {w.sku!r}")
            else:
                _take(where, [line], w.quantity, units, problems)
        elif w.sku:
            sku = skus.get(w.sku)
            matching = [line for line in lines if sku is not None and line.sku_id == sku.id]
            if matching:
                _take(where, matching, w.quantity, units, problems)
            else:
                problems.add(f"{where}.sku", f"the order has no line with SKU {w.sku!r}")
        else:
            problems.add(where, "give the order line's line_no or its sku")
    # More than was ever bought is bad input (422); more than is still left is a conflict (409).
    problems.raise_any(InvalidReturn, conflict=OverReturn)
    return [
        Taken(line, n, rules.refund_for(line.line_total, line.quantity, line.returned_quantity, n))
        for line in lines
        if (n := units[line.id])
    ]


def _take(where: str, lines: list[OrderLine], asked: int, units: dict[int, int], problems: Problems) -> None:
    """Take ``asked`` units from ``lines`` in order, or say how far short they fall."""
    left = {line.id: line.quantity - line.returned_quantity - units[line.id] for line in lines}
    if asked > sum(left.values()):
        bought = sum(line.quantity for line in lines)
        returned = sum(line.returned_quantity for line in lines)
        total_asked = asked + sum(units[line.id] for line in lines)
        nos = ("line " if len(lines) == 1 else "lines ") + ", ".join(str(line.line_no) for line in lines)
        problems.add(
            where,
            f"{total_asked} asked back from {nos}, which sold {bought} and had {returned} returned",
            conflict=total_asked <= bought,
        )
        return
    for line in lines:
        n = min(asked, left[line.id])
        units[line.id] += n
        asked -= n


def _check_refunds(data: ReturnIn, total: int) -> None:
    if data.refunds is None:
        return
    paid = sum(r.amount for r in data.refunds)
    if paid != total:
        raise InvalidReturn(
            f"refunds add up to {paid} but the returned units are worth {total}",
            field="refunds",
            refund_total=total,
        )


def _event(session: Session, order: Order, ret: Return, taken: list[Taken], data: ReturnIn) -> OrderRefunded:
    codes = repo.sku_codes(session, [t.line.sku_id for t in taken])
    stores = repo.store_codes(session, [ret.store_id])
    return OrderRefunded(
        return_id=ret.id,
        order_id=order.id,
        member_id=order.member_id,
        channel=ret.channel,
        store_code=stores.get(ret.store_id) if ret.store_id else None,
        staff_code=data.staff_code or None,
        currency=order.currency,
        refund_total=ret.refund_total,
        order_status=order.status,
        business_date=ret.business_date.isoformat(),
        lines=[
            {
                "line_no": t.line.line_no,
                "sku": codes[t.line.sku_id],
                "quantity": t.units,
                "refund_amount": t.refund,
            }
            for t in taken
        ],
    )
