"""The demo brand's behaviour, as numbers and small pure helpers (all driven by one ``Random``).

The three kinds of member follow what Taiwanese brands report (91APP's OMO figures):
omnichannel members spend about 2.3× a store-only member and 3.6× an online-only one per
year, and buy 3.5× / 5.3× as often. The rates below are chosen so the built demo shows
those ratios (``omohub demo`` prints the ratios it actually got).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from omohub.catalog.rules import ean13_check_digit
from omohub.core.einvoice import valid_tax_id
from omohub.members.rules import luhn_digit

KINDS = ("offline", "online", "omni")
KIND_SHARE = (0.50, 0.30, 0.20)
#: Members who bought at all in the last 12 months (the others are dormant).
ACTIVE_SHARE = {"offline": 0.75, "online": 0.7, "omni": 1.0}
#: Orders per buying member per year: an omnichannel member buys in both channels at least.
ORDERS_PER_BUYER = {"offline": 1.86, "online": 1.23, "omni": 6.5}
MIN_ORDERS = {"offline": 1, "online": 1, "omni": 2}
#: Items per order: the basket shrinks as the visits get more frequent.
ITEMS_PER_ORDER = {"offline": 2.1, "online": 2.06, "omni": 1.45}
#: An omnichannel member's orders that are made in a store.
OMNI_POS_SHARE = 0.55
#: Non-member (walk-in) sales, per member sale at the till.
WALK_IN_PER_MEMBER_SALE = 0.45
#: Returns: share of orders with a return, by where they were bought.
RETURN_RATE = {"pos": 0.035, "online": 0.08}
#: Share of online returns brought back to a store instead of shipped back.
ONLINE_RETURNED_IN_STORE = 0.45

#: Browsing events per member (web + app + LINE); 50,000 members give over a million.
EVENTS_PER_MEMBER = 23
#: Visitors who never log in, per member: plenty of anonymous-only traffic.
ANONYMOUS_VISITORS_PER_MEMBER = 3.0
#: LINE followers who have not joined (yet), per member.
FOLLOWERS_ONLY_PER_MEMBER = 0.08
#: Members imported twice from the legacy CRM (same phone, unverified).
LEGACY_DUPLICATE_SHARE = 0.015
#: Of those, already merged by hand (so the merge log and unmerge have something to show).
LEGACY_ALREADY_MERGED = 0.1

HISTORY_DAYS = 365
MOBILE_PREFIXES = tuple(range(10, 90))  # 0910–0989: Taiwan mobile ranges
_CARRIER_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.+-"


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def activity(rng: random.Random) -> float:
    """A member's own appetite (mean 1): a few shop a lot, many rarely."""
    return rng.gammavariate(2.0, 0.5)


def phone(rng: random.Random) -> str:
    """A Taiwan mobile number in E.164, as ``members.rules.normalize`` stores it."""
    return f"+8869{rng.choice(MOBILE_PREFIXES)}{rng.randrange(1_000_000):06d}"


def card_number(rng: random.Random) -> str:
    """The hub's card format: '8', ten digits, a Luhn check digit."""
    body = f"8{rng.randrange(10**10):010d}"
    return body + luhn_digit(body)


def line_uid(rng: random.Random) -> str:
    return f"U{rng.getrandbits(128):032x}"


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID from ``rng`` (``uuid.UUID`` is three times slower for a million)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
_ISO_DAYS: dict[int, str] = {}


def iso(epoch: float) -> str:
    """An instant as Segment clients send it: ``2025-03-01T02:03:04.567Z``."""
    whole, milli = divmod(round(epoch * 1000), 1000)
    day, second = divmod(whole, 86400)
    prefix = _ISO_DAYS.get(day)
    if prefix is None:
        prefix = _ISO_DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    hour, rest = divmod(second, 3600)
    minute, second = divmod(rest, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{milli:03d}Z"


def mobile_carrier(rng: random.Random) -> str:
    return "/" + "".join(rng.choice(_CARRIER_CHARS) for _ in range(7))


def tax_id(rng: random.Random) -> str:
    """A company tax ID (統一編號) that passes the Ministry of Finance checksum."""
    head = f"{rng.randrange(10**7):07d}"
    partial = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(head, (1, 2, 1, 2, 1, 2, 4), strict=True))
    value = head + str((-partial) % 5 + rng.choice((0, 5)))
    assert valid_tax_id(value), value
    return value


def ean13(n: int) -> str:
    """A GS1 Taiwan (471) barcode for item ``n`` with its check digit."""
    body = f"4710589{n:05d}"
    return body + str(ean13_check_digit(body))


def list_price(rng: random.Random, low: int, high: int) -> int:
    """A price ending in 90, as Taiwanese apparel prices do."""
    return rng.randrange(low + 10, high + 11, 100) - 10


def day_starts(first: dt.date, days: int, tz: ZoneInfo) -> list[float]:
    """Epoch seconds of local midnight for each business day (and the one after the last)."""
    return [
        dt.datetime.combine(first + dt.timedelta(days=i), dt.time(), tz).timestamp() for i in range(days + 1)
    ]


Sale = tuple[tuple[int, int], tuple[int, int], int, str]


def sale_discount(day: dt.date, channel: str, sales: Sequence[Sale]) -> int:
    """The sale percentage running on ``day`` for ``channel`` (0 when none)."""
    md = (day.month, day.day)
    for start, end, pct, channels in sales:
        if start <= md <= end and channel in channels.split(","):
            return pct
    return 0


def day_weight(day: dt.date, online: bool, sale: int) -> float:
    """How busy a day is: weekends in stores, evenings and sale days online."""
    weight = 1.0
    if not online and day.weekday() >= 5:
        weight *= 1.6
    if sale:
        weight *= 1.5 if not online else 2.0
    if online and (day.month, day.day) == (11, 11):
        weight *= 3.0
    return weight


#: Local hour of day weights: stores open 11–22, online peaks after dinner.
POS_HOURS = {11: 4, 12: 6, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 9, 19: 10, 20: 10, 21: 6}
ONLINE_HOURS = {
    0: 4,
    1: 2,
    2: 1,
    3: 1,
    4: 1,
    5: 1,
    6: 2,
    7: 3,
    8: 4,
    9: 4,
    10: 5,
    11: 5,
    12: 7,
    13: 6,
    14: 5,
    15: 5,
    16: 5,
    17: 5,
    18: 6,
    19: 7,
    20: 9,
    21: 11,
    22: 11,
    23: 8,
}


def cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out
