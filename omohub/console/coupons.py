"""Coupons in the console: the issue form on a promotion's page, a bulk batch as CSV, a member's
wallet on the 360 (usable or why not), and what a clerk can tell the customer at the till.

Issuing goes through the promotions domain (``wallet.issue``); the wallet is read through its
``wallet.out``, so the console says exactly what the till and the web shop would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from omohub.console.forms import Fields, Problem, Rejected, first, number, problems
from omohub.console.promotion_form import read_time
from omohub.console.rules import Reason, coupon_reason
from omohub.loyalty.rules import ProgramSettings
from omohub.loyalty.schemas import PointsOut
from omohub.loyalty.service import account, program
from omohub.promotions import repository as promotions_repo
from omohub.promotions.models import Coupon, Promotion
from omohub.promotions.schemas import CouponOut, CouponsIn
from omohub.promotions.service import wallet

#: How the issue form gives coupons out: one shared code, N unique codes, or into a wallet.
MODES = ("code", "count", "member")
FIELDS = ("mode", "code", "count", "prefix", "member", "max_uses", "valid_from", "valid_until")
#: Bulk codes shown on the page after issuing; all of them are in the CSV.
SHOWN = 50
COLUMNS = ("code", "max_uses", "uses", "valid_from", "valid_until", "status", "member_id", "issued_at")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def read_issue(given: Fields, tz: dt.tzinfo) -> tuple[CouponsIn, str]:
    """The issue form: the coupons to issue, and the member entry (phone, card…) for a wallet."""
    found: dict[str, Problem] = {}
    mode = first(given, "mode")
    raw: dict[str, object] = {
        "max_uses": number(first(given, "max_uses")) or 1,
        "valid_from": read_time(first(given, "valid_from"), tz, "valid_from", found),
        "valid_until": read_time(first(given, "valid_until"), tz, "valid_until", found),
    }
    start, end = raw["valid_from"], raw["valid_until"]
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and end <= start:
        found["valid_until"] = Problem("promotions.err_ends")
    entry = first(given, "member").strip()
    if mode == "code":
        raw["code"] = first(given, "code").strip()
    elif mode == "count":
        raw.update(count=number(first(given, "count")) or None, prefix=first(given, "prefix").strip())
        if raw["count"] is None:
            found["count"] = Problem("form.required")
    elif mode == "member":
        if not entry:
            found["member"] = Problem("form.required")
    else:
        found["mode"] = Problem("form.choice")
    try:
        data = CouponsIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected({**problems(exc), **found}) from None
    if found:
        raise Rejected(found)
    return data, entry if mode == "member" else ""


def batch_of(issued_at: dt.datetime) -> int:
    """A bulk batch's number: the instant its codes were issued, in microseconds (exact, and
    short enough for a link)."""
    return (issued_at - _EPOCH) // _MICRO


def batch_time(batch: int) -> dt.datetime | None:
    try:
        return _EPOCH + batch * _MICRO
    except OverflowError:
        return None


def csv_text(rows: Iterable[Coupon], tz: dt.tzinfo) -> str:
    """The codes as a spreadsheet opens them (UTF-8 with a BOM, which Excel needs for 中文)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in rows:
        writer.writerow(
            [
                _inert(c.code),
                c.max_uses,
                c.uses,
                _local(c.valid_from, tz),
                _local(c.valid_until, tz),
                _inert(c.status),
                c.member_id or "",
                _local(c.issued_at, tz),
            ]
        )
    return out.getvalue()


def _inert(text: str) -> str:
    """A typed code a spreadsheet would run as a formula (``=…``) is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(at: dt.datetime | None, tz: dt.tzinfo) -> str:
    return at.astimezone(tz).isoformat(timespec="seconds") if at else ""


# The wallet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletLine:
    coupon: CouponOut
    #: Why it cannot be used (None: it can).
    reason: Reason | None


def wallet_lines(
    session: Session, member_id: int, *, channel: str | None = None, store_id: int | None = None
) -> list[WalletLine]:
    """Every coupon in the member's wallet, usable first (soonest expiry first), then the rest
    with the reason. With ``store_id``, a coupon whose promotion runs in other stores only is
    not usable here."""
    lines = []
    for row in promotions_repo.wallet(session, member_id):
        out = wallet.out(session, row, channel=channel)
        reason = coupon_reason(out.why_not)
        if reason is None and store_id is not None and not _in_store(session, row, store_id):
            reason = Reason("coupon_why.store")
        lines.append(WalletLine(out, reason))
    return sorted(lines, key=lambda line: line.reason is not None)


def _in_store(session: Session, coupon: Coupon, store_id: int) -> bool:
    promotion = session.get(Promotion, coupon.promotion_id)
    return promotion is None or not promotion.store_ids or store_id in promotion.store_ids


@dataclass(frozen=True)
class Till:
    """What a clerk tells the customer at checkout: points and what they pay, usable coupons."""

    points: PointsOut
    settings: ProgramSettings
    coupons: list[CouponOut]


def till(session: Session, member_id: int, store_id: int | None) -> Till:
    usable = wallet_lines(session, member_id, channel="pos", store_id=store_id)
    return Till(
        points=account.points(session, member_id, entries=0),
        settings=program.settings(session),
        coupons=[line.coupon for line in usable if line.reason is None],
    )
