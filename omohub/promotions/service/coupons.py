"""Coupon codes: issue them (one, many unique, into a wallet), check them for a cart, reserve
them for a quote and use them with its order — once, in every channel alike.

A coupon's capacity is ``max_uses`` minus uses minus live reservations (quotes that have not
expired). Reserving and using lock the coupon row, so 50 tills presenting the same single-use
code at once give exactly one reservation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, fields
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.core.outbox import emit
from omohub.promotions import repository as repo
from omohub.promotions.errors import CouponInvalid, CouponTaken, InvalidPromotion
from omohub.promotions.events import CouponIssued
from omohub.promotions.models import Coupon, Promotion

#: No 0/O, 1/I/L: codes are read aloud at the till and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def normalize(code: str) -> str:
    return code.strip().upper()


def _coupon(promotion: Promotion, code: str, now: dt.datetime, **kw: object) -> Coupon:
    return Coupon(promotion_id=promotion.id, code=code, issued_at=now, status="active", **kw)


def issue_code(session: Session, promotion: Promotion, code: str, **kw: object) -> Coupon:
    _needs_coupon(promotion)
    code = normalize(code)
    if repo.coupons_by_code(session, [code]):
        raise InvalidPromotion(f"coupon code {code!r} exists already", field="code")
    row = _coupon(promotion, code, ctx(session).now(), source="single", **kw)
    session.add(row)
    session.flush()
    return row


def issue_bulk(session: Session, promotion: Promotion, count: int, prefix: str, **kw: object) -> list[str]:
    """``count`` unique random codes (10 characters after the prefix, 31^10 possibilities)."""
    _needs_coupon(promotion)
    prefix, now, codes = normalize(prefix), ctx(session).now(), set[str]()
    while len(codes) < count:
        fresh = {
            prefix + "".join(secrets.choice(ALPHABET) for _ in range(10)) for _ in range(count - len(codes))
        }
        taken = set(session.scalars(select(Coupon.code).where(Coupon.code.in_(fresh))))
        codes |= fresh - taken
    ordered = sorted(codes)
    session.add_all([_coupon(promotion, c, now, source="bulk", **kw) for c in ordered])
    session.flush()
    return ordered


def issue_to_member(
    session: Session, promotion: Promotion, member_id: int, *, key: str, reason: str, **kw: object
) -> Coupon:
    """One coupon into the member's wallet; the same ``key`` never issues twice."""
    _needs_coupon(promotion)
    existing = session.scalar(select(Coupon).where(Coupon.issue_key == key))
    if existing is not None:
        return existing
    now = ctx(session).now()
    code = "M" + "".join(secrets.choice(ALPHABET) for _ in range(11))
    row = _coupon(promotion, code, now, source="wallet", member_id=member_id, issue_key=key, **kw)
    session.add(row)
    session.flush()
    until = row.valid_until.isoformat() if row.valid_until else None
    emit(session, CouponIssued(member_id, code, promotion.id, promotion.name, until, reason))
    return row


def _needs_coupon(promotion: Promotion) -> None:
    if not promotion.coupon:
        raise InvalidPromotion(
            f"promotion {promotion.id} does not take coupons (coupon: false)", field="coupon"
        )


class CouponLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def member_id(self) -> int | None: ...
    @property
    def max_uses(self) -> int: ...
    @property
    def uses(self) -> int: ...
    @property
    def valid_from(self) -> dt.datetime | None: ...
    @property
    def valid_until(self) -> dt.datetime | None: ...
    @property
    def status(self) -> str: ...


class PromotionLike(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def starts_at(self) -> dt.datetime | None: ...
    @property
    def ends_at(self) -> dt.datetime | None: ...
    @property
    def channels(self) -> list[str]: ...


@dataclass(frozen=True)
class CouponSeen:
    """A presented coupon as read for the cart (not an ORM row: nothing here writes it)."""

    id: int
    code: str
    promotion_id: int
    member_id: int | None
    max_uses: int
    uses: int
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    status: str


@dataclass(frozen=True)
class Terms:
    """What a coupon's promotion allows: its status, schedule and channels."""

    id: int
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    channels: list[str]


@dataclass(frozen=True)
class Presented:
    coupon: CouponSeen
    promotion: Terms


def check(
    session: Session, codes: list[str], *, member_id: int | None, channel: str, quote_id: str | None = None
) -> list[Presented]:
    """The presented codes, each usable by this shopper now, or a 422 naming the code and why
    (one statement: the coupons, their promotions' terms and their live reservations)."""
    wanted = list(dict.fromkeys(normalize(c) for c in codes))
    if not wanted:
        return []
    now = ctx(session).now()
    rows = {row.code: row for row in repo.presented(session, wanted, now, quote_id)}
    result = []
    for code in wanted:
        row = rows.get(code)
        found = _seen(row) if row is not None else None
        live = {row.id: row.reserved} if row is not None else {}
        why = why_not(*(found or (None, None)), member_id=member_id, channel=channel, now=now, reserved=live)
        if why:
            raise CouponInvalid(f"coupon {code}: {why}", field="coupons", coupon=code)
        assert found is not None
        result.append(Presented(*found))
    return result


def _seen(row: Any) -> tuple[CouponSeen, Terms]:
    coupon = CouponSeen(*(getattr(row, f.name) for f in fields(CouponSeen)))
    return coupon, Terms(coupon.promotion_id, row.promotion_status, row.starts_at, row.ends_at, row.channels)


def why_not(
    coupon: CouponLike | None,
    promotion: PromotionLike | None,
    *,
    member_id: int | None,
    channel: str | None,
    now: dt.datetime,
    reserved: dict[int, int],
) -> str | None:
    """Why this coupon cannot be used now (None when it can)."""
    if coupon is None or promotion is None:
        return "no such code"
    checks = [
        (coupon.status != "active" or promotion.status != "active", "is no longer valid"),
        (
            coupon.member_id is not None and coupon.member_id != member_id,
            "belongs to another member's wallet",
        ),
        (_before(now, coupon.valid_from, promotion.starts_at), "is not valid yet"),
        (_after(now, coupon.valid_until, promotion.ends_at), "has expired"),
        (coupon.uses + reserved.get(coupon.id, 0) >= coupon.max_uses, "has been used"),
        (
            bool(channel and promotion.channels and channel not in promotion.channels),
            f"is not valid in {channel}",
        ),
    ]
    return next((why for failed, why in checks if failed), None)


def _before(now: dt.datetime, *starts: dt.datetime | None) -> bool:
    return any(s is not None and now < s for s in starts)


def _after(now: dt.datetime, *ends: dt.datetime | None) -> bool:
    return any(e is not None and now >= e for e in ends)


def reserve(
    session: Session, presented: list[Presented], *, quote_id: str, member_id: int | None, until: dt.datetime
) -> None:
    """Hold the coupons for a quote, under their row locks (a parallel quote waits, then sees it).
    The live reservations are counted after the lock: counted with it, a twin's would be missed."""
    if not presented:
        return
    locked = repo.lock_coupon_rows(session, [p.coupon.id for p in presented])
    now = ctx(session).now()
    ids = [c.id for c in locked]
    done = repo.reserve_free(session, ids, quote_id=quote_id, member_id=member_id, until=until, now=now)
    taken = next((c for c in locked if c.id not in done), None)
    if taken is not None:  # all or none, even for a caller that goes on after the error
        repo.unreserve(session, quote_id)
        raise CouponTaken(f"coupon {taken.code}: has just been used at another till", coupon=taken.code)


def use(session: Session, quote_id: str, order_id: int) -> list[str]:
    """The quote's reserved coupons become used by ``order_id``."""
    uses = repo.uses_of_quote(session, quote_id)
    locked = repo.lock_coupons(session, [u.coupon_id for u in uses])
    for u in uses:
        coupon = locked[u.coupon_id]
        if u.status != "reserved":
            raise CouponTaken(
                f"coupon {coupon.code} is no longer reserved for this quote", coupon=coupon.code
            )
        if coupon.uses >= coupon.max_uses:
            raise CouponTaken(f"coupon {coupon.code}: has been used", coupon=coupon.code)
        coupon.uses += 1
        u.status, u.order_id, u.at = "used", order_id, ctx(session).now()
    return [locked[u.coupon_id].code for u in uses]
