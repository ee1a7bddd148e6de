"""The one place code reads "now" from, so tests can move time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FrozenClock:
    """A clock tests can set and advance."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


def business_date(at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The brand's business day of an instant (a sale at 23:30 UTC is tomorrow in Taipei)."""
    return at.astimezone(tz).date()


def add_months(at: dt.datetime, months: int) -> dt.datetime:
    """Same day ``months`` later (or earlier), clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    y, m = divmod(at.month - 1 + months, 12)
    year, month = at.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return at.replace(year=year, month=month, day=min(at.day, last))
