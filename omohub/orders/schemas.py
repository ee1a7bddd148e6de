"""API shapes of the orders domain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from omohub.core.db import MAX_ID
from omohub.orders.models import ORDER_CHANNELS
from omohub.orders.rules import TENDERS, has_nul

Channel = Literal["pos", "web", "app", "line", "marketplace", "delivery"]
Tender = Literal[
    "cash",
    "credit_card",
    "line_pay",
    "jkopay",
    "px_pay",
    "easycard",
    "ipass",
    "gift_card",
    "points",
    "coupon",
]
EinvoiceType = Literal["mobile_carrier", "citizen_carrier", "donation", "company", "member_carrier", "paper"]

# The literals are what OpenAPI shows; the tuples are what the rest of the code uses.
assert get_args(Channel) == ORDER_CHANNELS and get_args(Tender) == TENDERS

_T = TypeVar("_T")


def _no_nul(value: _T) -> _T:
    if has_nul(value):
        raise ValueError("contains a NUL character (\\u0000)")
    return value


#: Text the database can store: PostgreSQL refuses NUL, and a refusal there would be a 500.
Text = Annotated[str, AfterValidator(_no_nul)]

#: ``member`` object fields and the identifier type each one is.
MEMBER_KEYS = {
    "member_id": "member_id",
    "phone": "phone",
    "email": "email",
    "line_uid": "line_uid",
    "card": "member_card",
    "external_id": "external",
}


class MemberRef(BaseModel):
    """Exactly one identifier of the buyer; leave ``member`` out for a walk-in."""

    model_config = ConfigDict(extra="forbid")

    member_id: int | None = Field(None, le=MAX_ID)
    phone: Text | None = Field(None, examples=["0912-345-678"])
    email: Text | None = None
    line_uid: Text | None = None
    card: Text | None = Field(None, description="Member-card number (scanned barcode)")
    external_id: Text | None = Field(None, description="An id in another system, as source:id")

    def given(self) -> dict[str, str]:
        return {k: str(v) for k in MEMBER_KEYS if (v := getattr(self, k)) not in (None, "")}


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Text = Field(min_length=1, max_length=80, description="SKU code or barcode")
    quantity: int = Field(gt=0, le=100_000)
    unit_price: int = Field(ge=0, le=100_000_000, description="Integer minor units (NT$)")
    line_discount: int = Field(0, ge=0, description="At most quantity * unit_price")


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tender: Tender
    amount: int = Field(gt=0)
    reference: Text | None = Field(None, max_length=120, description="Card approval code, wallet txn id…")


class EinvoiceIn(BaseModel):
    """The buyer's e-invoice choice (電子發票)."""

    model_config = ConfigDict(extra="forbid")

    type: EinvoiceType
    value: Text | None = Field(
        None,
        max_length=40,
        description="The carrier, donation code or tax ID; none for member_carrier and paper",
    )


class OrderIn(BaseModel):
    """One sale from any channel. Idempotent by ``(source, external_id)``."""

    model_config = ConfigDict(extra="forbid")

    source: Text | None = Field(
        None, min_length=1, max_length=80, description="The selling system; defaults to the API key's name"
    )
    external_id: Text = Field(min_length=1, max_length=120, description="The order's id in that system")
    channel: Channel
    store_code: Text | None = Field(None, max_length=40, description="Required for pos")
    staff_code: Text | None = Field(None, max_length=40)
    member: MemberRef | None = None
    ordered_at: AwareDatetime | None = Field(None, description="When it was sold (default: now)")
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    discount: int = Field(0, ge=0, description="Order-level discount, allocated across lines")
    payments: list[PaymentIn] = Field(default_factory=list, max_length=20)
    einvoice: EinvoiceIn | None = None
    meta: dict[str, Any] = Field(default_factory=dict, description="Anything channel-specific")
    quote_id: Text | None = Field(
        None,
        max_length=40,
        description="From POST /api/v1/carts/price: the order must match the quote, and its point hold,"
        " coupons and promotions are then used exactly once",
    )

    @field_validator("meta")
    @classmethod
    def _storable(cls, meta: dict[str, Any]) -> dict[str, Any]:
        return _no_nul(meta)

    @field_validator("ordered_at")
    @classmethod
    def _representable(cls, at: dt.datetime | None) -> dt.datetime | None:
        """The instant must exist in UTC and have a business date in any timezone."""
        try:
            year = at.astimezone(dt.UTC).year if at is not None else 2000
        except OverflowError:
            year = dt.MINYEAR
        if not dt.MINYEAR < year < dt.MAXYEAR:
            raise ValueError(f"year out of range (between {dt.MINYEAR + 1} and {dt.MAXYEAR - 1} in UTC)")
        return at


class ReturnLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int | None = Field(None, ge=1, description="The order line's number")
    sku: Text | None = Field(None, min_length=1, max_length=80, description="Or the SKU code or barcode")
    quantity: int = Field(gt=0, le=100_000)


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tender: Tender
    amount: int = Field(gt=0)
    reference: Text | None = Field(None, max_length=120)


class ReturnIn(BaseModel):
    """Some units of some lines come back, in any channel or store."""

    model_config = ConfigDict(extra="forbid")

    external_id: Text | None = Field(
        None, min_length=1, max_length=160, description="The return's id in the caller's system"
    )
    channel: Channel | None = Field(None, description="Where it is returned (default: pos with a store)")
    store_code: Text | None = Field(None, max_length=40)
    staff_code: Text | None = Field(None, max_length=40)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)
    refunds: list[RefundIn] | None = Field(None, max_length=20, description="How the money went back")
    reason: Text = Field("", max_length=300)


class LineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    unit_price: int
    line_discount: int
    order_discount: int
    line_total: int
    returned_quantity: int
    refunded_amount: int


class PaymentOut(BaseModel):
    tender: str
    amount: int
    reference: str | None


class EinvoiceOut(BaseModel):
    type: str
    value: str | None


class ReturnLineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    refund_amount: int


class ReturnOut(BaseModel):
    id: int
    order_id: int
    idempotency_key: str
    source: str
    channel: str
    store_code: str | None
    staff_code: str | None
    refund_total: int
    reason: str
    refunds: list[PaymentOut]
    returned_at: dt.datetime
    business_date: dt.date
    lines: list[ReturnLineOut]


class OrderSummary(BaseModel):
    id: int
    source: str
    external_id: str
    channel: str
    status: str
    store_code: str | None
    staff_code: str | None
    member_id: int | None
    currency: str
    subtotal: int
    discount_total: int
    total: int
    refunded_total: int
    ordered_at: dt.datetime
    business_date: dt.date


class OrderOut(OrderSummary):
    einvoice: EinvoiceOut | None
    meta: dict[str, Any]
    created_at: dt.datetime
    lines: list[LineOut]
    payments: list[PaymentOut]
    returns: list[ReturnOut]


class ReturnResult(BaseModel):
    """The return and the order as it stands after it."""

    model_config = ConfigDict(populate_by_name=True)

    return_: ReturnOut = Field(alias="return")
    order: OrderOut
