"""Checks of an inbound order against the hub's data, collected so one reply names every problem.

Nothing here writes: a request that fails any check changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from omohub.catalog.models import Sku
from omohub.core import einvoice
from omohub.core.errors import DomainError
from omohub.members import service as members
from omohub.members.errors import BadIdentifier, MemberNotFound
from omohub.members.models import Member
from omohub.orders import repository as repo
from omohub.orders import rules
from omohub.orders.errors import InvalidOrder
from omohub.orders.schemas import MEMBER_KEYS, EinvoiceIn, MemberRef, OrderIn


class Problems:
    """Every problem of one request. ``conflict`` marks those caused by earlier writes (409)."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self.conflicts = 0

    def add(self, field: str, message: str, *, conflict: bool = False) -> None:
        self.items.append({"field": field, "message": message})
        self.conflicts += conflict

    def raise_any(
        self, invalid: type[DomainError] = InvalidOrder, conflict: type[DomainError] | None = None
    ) -> None:
        """Raise ``conflict`` if every problem is one, else ``invalid``; nothing if all is well."""
        if not self.items:
            return
        error = conflict if conflict and self.conflicts == len(self.items) else invalid
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in self.items)
        raise error(detail, field=self.items[0]["field"], errors=self.items)


@dataclass
class Draft:
    """A validated order, not yet written."""

    store_id: int | None = None
    staff_id: int | None = None
    member: Member | None = None
    skus: list[Sku] = field(default_factory=list)
    order_discounts: list[int] = field(default_factory=list)
    #: ``(type, value, taken_from)``: a member's stored carrier is copied at the sale.
    einvoice: tuple[str, str | None, str | None] | None = None


def check_order(session: Session, data: OrderIn) -> Draft:
    problems, draft = Problems(), Draft()
    draft.store_id, draft.staff_id = place(
        session, data.store_code, data.staff_code, problems, need_store=data.channel == "pos"
    )
    if data.member is not None:
        draft.member = _member(session, data.member, problems)
    draft.skus = _skus(session, data, problems)
    draft.order_discounts = _discounts(data, problems)
    if draft.order_discounts:
        _payments(data, problems)
    draft.einvoice = _einvoice(data.einvoice, draft.member, problems)
    problems.raise_any()
    return draft


def order_total(data: OrderIn) -> int:
    return sum(li.quantity * li.unit_price - li.line_discount for li in data.lines) - data.discount


def place(
    session: Session, store_code: str | None, staff_code: str | None, problems: Problems, *, need_store: bool
) -> tuple[int | None, int | None]:
    """Store and staff ids from codes; the pos channel needs a store, online ones may name one."""
    store_id = staff_id = None
    if store_code:
        store_id = repo.store_id(session, store_code)
        if store_id is None:
            problems.add("store_code", f"unknown store code {store_code!r}")
    elif need_store:
        problems.add("store_code", "required for the pos channel")
    if staff_code:
        staff_id = repo.staff_id(session, staff_code)
        if staff_id is None:
            problems.add("staff_code", f"unknown staff code {staff_code!r}")
    return store_id, staff_id


def _member(session: Session, ref: MemberRef, problems: Problems) -> Member | None:
    given = ref.given()
    if len(given) != 1:
        problems.add("member", f"give exactly one of {', '.join(MEMBER_KEYS)}, or no member for a walk-in")
        return None
    [(key, value)] = given.items()
    try:
        # locked: a merge committing meanwhile must not leave the order on a tombstone
        return members.find(session, MEMBER_KEYS[key], value, lock=True)
    except BadIdentifier as exc:
        problems.add(f"member.{key}", exc.detail)
    except MemberNotFound:
        problems.add(f"member.{key}", f"no member with {key} {value!r}")
    return None


def _skus(session: Session, data: OrderIn, problems: Problems) -> list[Sku]:
    found = repo.skus_by_ref(session, (line.sku for line in data.lines))
    for i, line in enumerate(data.lines):
        if line.sku not in found:
            problems.add(f"lines.{i}.sku", f"unknown SKU {line.sku!r} (neither a SKU code nor a barcode)")
    return [found[line.sku] for line in data.lines if line.sku in found]


def _discounts(data: OrderIn, problems: Problems) -> list[int]:
    """Each line's share of the order discount, or [] when the amounts do not add up."""
    nets, ok = [], True
    for i, line in enumerate(data.lines):
        gross = line.quantity * line.unit_price
        if line.line_discount > gross:
            problems.add(f"lines.{i}.line_discount", f"{line.line_discount} is more than the line's {gross}")
            ok = False
        nets.append(gross - line.line_discount)
    if not ok:
        return []
    subtotal = sum(line.quantity * line.unit_price for line in data.lines)
    if subtotal > rules.MAX_AMOUNT:
        problems.add("lines", f"the lines add up to {subtotal}; an order is at most {rules.MAX_AMOUNT}")
        return []
    if data.discount > sum(nets):
        problems.add("discount", f"{data.discount} is more than the lines' {sum(nets)} after line discounts")
        return []
    return rules.allocate(data.discount, nets)


def _payments(data: OrderIn, problems: Problems) -> None:
    paid, total = sum(p.amount for p in data.payments), order_total(data)
    if paid != total:
        problems.add("payments", f"payments add up to {paid} but the order total is {total}")


def _einvoice(
    choice: EinvoiceIn | None, member: Member | None, problems: Problems
) -> tuple[str, str | None, str | None] | None:
    if choice is None:
        return None
    if choice.type in ("member_carrier", "paper"):
        if choice.value:
            problems.add("einvoice.value", f"must be empty for {choice.type}")
            return None
        if choice.type == "paper":
            return ("paper", None, None)
        if member is None or not member.einvoice_carrier:
            problems.add(
                "einvoice.type", "member_carrier needs a member with a stored mobile barcode carrier"
            )
            return None
        return ("mobile_carrier", member.einvoice_carrier, "member")
    try:
        return (choice.type, einvoice.validate(choice.type, choice.value), None)
    except einvoice.InvalidEinvoice as exc:
        problems.add(f"einvoice.{exc.field}", str(exc))
        return None
