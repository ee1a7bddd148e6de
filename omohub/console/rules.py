"""Console rules, pure: who may open which page, how a search box entry is read, safe redirects,
how loyalty and promotion figures are written and read back (tier multipliers, progress to a
tier, percentages), where a promotion stands and why a coupon or a promotion does not apply."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from omohub.members.rules import card_checks_out

ALL_ROLES = frozenset({"hq_admin", "marketer", "store_manager", "clerk"})
OFFICE = frozenset({"hq_admin", "marketer", "store_manager"})
ADMIN = frozenset({"hq_admin"})
#: Who runs promotions and coupons (and previews carts against them).
PROMOTERS = frozenset({"hq_admin", "marketer"})

#: Page → the console roles that may open it. The navigation shows exactly these.
PAGES: dict[str, frozenset[str]] = {
    "home": ALL_ROLES,
    "members": ALL_ROLES,
    "checkout": ALL_ROLES,
    "orders": OFFICE,
    "promotions": PROMOTERS,
    "preview": PROMOTERS,
    "loyalty": frozenset({"hq_admin", "marketer"}),
    "stores": OFFICE,
    "staff": frozenset({"hq_admin", "store_manager"}),
    "webhooks": ADMIN,
    "apikeys": ADMIN,
    "sources": ADMIN,
    "users": ADMIN,
    "audit": ADMIN,
}

#: Actions on a page that need more than opening it.
ACTIONS: dict[str, frozenset[str]] = {
    "member.unmerge": ADMIN,
    "member.card": OFFICE,
    "member.merges": ADMIN,
    "member.adjust_points": ADMIN,
    "loyalty_settings.change": ADMIN,
}

#: The navigation, in order.
NAV = (
    "home",
    "members",
    "checkout",
    "orders",
    "promotions",
    "preview",
    "loyalty",
    "stores",
    "staff",
    "webhooks",
    "apikeys",
    "sources",
    "users",
    "audit",
)

#: The search box's explicit choices; ``auto`` reads the entry.
SEARCH_TYPES = ("auto", "phone", "card", "email", "line_uid", "anonymous_id", "member_id", "external_id")

#: Search choice → identifier type (as ``omohub.members.rules`` names them).
SEARCH_IDENTIFIER = {
    "phone": "phone",
    "card": "member_card",
    "email": "email",
    "line_uid": "line_uid",
    "anonymous_id": "anonymous_id",
    "member_id": "member_id",
    "external_id": "external",
}

LOCALES = ("zh-TW", "en")
DEFAULT_LOCALE = "zh-TW"

_LINE_UID = re.compile(r"^U[0-9a-fA-F]{32}$")
_PHONEISH = re.compile(r"^\+?[\d\s\-().]{6,}$")
_CARDISH = re.compile(r"^[0-9A-Za-z]{4,20}$")
_MULTIPLIER = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,4}))?")
_PERCENT = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,2}))?")

#: Basis points in one whole (``earn_multiplier_bp`` 15000 is 1.5×).
BP = 10_000


def can_open(role: str, page: str) -> bool:
    return role in PAGES.get(page, frozenset())


def can_do(role: str, action: str) -> bool:
    return role in ACTIONS.get(action, frozenset())


def nav_for(role: str) -> list[str]:
    return [page for page in NAV if can_open(role, page)]


def search_candidates(entry: str, by: str = "auto") -> list[str]:
    """The identifier types a search entry may be, most likely first.

    A barcode scanner types the card number and Enter, so a 12-digit number with a valid
    Luhn digit is tried as a card first; a Taiwan mobile number (09…, +886…) as a phone.
    """
    if by != "auto":
        return [SEARCH_IDENTIFIER[by]] if by in SEARCH_IDENTIFIER else []
    q = entry.strip()
    if not q:
        return []
    if "@" in q:
        return ["email"]
    if _LINE_UID.match(q):
        return ["line_uid"]
    if q.lstrip("#").isdigit() and len(q.lstrip("#")) < 8:
        return ["member_id", "member_card"]
    if _PHONEISH.match(q):
        return _numeric_candidates(q)
    if ":" in q:
        return ["external", "anonymous_id"]
    if _CARDISH.match(q):
        return ["member_card", "anonymous_id", "device_id"]
    return ["anonymous_id", "device_id"]


def _numeric_candidates(q: str) -> list[str]:
    digits = re.sub(r"\D", "", q)
    if not q.startswith("+") and card_checks_out(digits):
        return ["member_card", "phone"]
    if q.startswith("+") or digits.startswith(("09", "886")):
        return ["phone", "member_card"]
    return ["member_card", "phone", "member_id"]


def safe_next(target: str | None, prefix: str, default: str) -> str:
    """Only redirect to a console path after login: never to another site."""
    if not target or not target.startswith(prefix + "/") or target.startswith("//") or "\\" in target:
        return default
    return target


def pick_locale(*choices: str | None) -> str:
    for choice in choices:
        if choice in LOCALES:
            return choice
    return DEFAULT_LOCALE


def group_card(card: str) -> str:
    """``812345678903`` → ``8123 4567 8903``: easier to read out at the till."""
    return " ".join(card[i : i + 4] for i in range(0, len(card), 4))


def multiplier_text(bp: int) -> str:
    """``15000`` basis points → ``1.5×``: how a tier's earn multiplier is written."""
    whole, frac = divmod(bp, BP)
    return f"{whole}.{frac:04d}".rstrip("0").rstrip(".") + "×"


def parse_multiplier(text: str) -> int | None:
    """``1.5``, ``1.5x`` or ``1.5×`` → 15000 basis points; None for anything finer than 0.0001."""
    found = _MULTIPLIER.fullmatch(text.strip().rstrip("xX×").strip())
    if found is None:
        return None
    return int(found[1]) * BP + int((found[2] or "").ljust(4, "0"))


def progress_percent(basis: int, threshold: int) -> int:
    """How far ``basis`` is towards ``threshold``, 0–100 (a tier at 0 is reached at once)."""
    if threshold <= 0:
        return 100
    return max(0, min(100, basis * 100 // threshold))


def parse_percent(text: str) -> int | None:
    """``50``, ``12.5`` or ``12.5%`` → basis points (5000, 1250); None for anything finer than 0.01%."""
    found = _PERCENT.fullmatch(text.strip().rstrip("%").strip())
    if found is None:
        return None
    return int(found[1]) * 100 + int((found[2] or "").ljust(2, "0"))


def percent_text(bp: int) -> str:
    """``5000`` basis points → ``50``; ``1250`` → ``12.5``: a percentage as staff type it."""
    whole, frac = divmod(bp, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".")


def promotion_phase(
    status: str, starts_at: dt.datetime | None, ends_at: dt.datetime | None, now: dt.datetime, capped: bool
) -> str:
    """Where a promotion stands now: ``paused`` or ``ended`` by hand, else ``scheduled`` (not
    started), ``finished`` (its schedule is over), ``capped`` (uses or budget spent) or ``running``."""
    if status != "active":
        return status
    if starts_at is not None and now < starts_at:
        return "scheduled"
    if ends_at is not None and now >= ends_at:
        return "finished"
    return "capped" if capped else "running"


@dataclass(frozen=True)
class Reason:
    """Why something does not apply, as a text key and what fills it (``channel`` is labelled,
    ``at`` written in the brand's timezone, ``detail`` shown as it is)."""

    key: str
    channel: str = ""
    detail: str = ""
    at: dt.datetime | None = None


#: Why a coupon cannot be used, as ``promotions.service.coupons.why_not`` says it → its text.
COUPON_WHY = {
    "no such code": "missing",
    "is no longer valid": "inactive",
    "belongs to another member's wallet": "other_member",
    "is not valid yet": "not_yet",
    "has expired": "expired",
    "has been used": "used",
}
_NOT_IN_CHANNEL = "is not valid in "


def coupon_reason(why: str | None) -> Reason | None:
    """The domain's reason a coupon cannot be used, in the viewer's language (None: usable)."""
    if why is None:
        return None
    if why.startswith(_NOT_IN_CHANNEL):
        return Reason("coupon_why.channel", channel=why.removeprefix(_NOT_IN_CHANNEL))
    key = COUPON_WHY.get(why)
    return Reason(f"coupon_why.{key}") if key else Reason("coupon_why.other", detail=why)
