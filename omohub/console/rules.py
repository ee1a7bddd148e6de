"""Console rules, pure: who may open which page, how a search box entry is read, safe redirects."""

from __future__ import annotations

import re

from omohub.members.rules import card_checks_out

ALL_ROLES = frozenset({"hq_admin", "marketer", "store_manager", "clerk"})
OFFICE = frozenset({"hq_admin", "marketer", "store_manager"})
ADMIN = frozenset({"hq_admin"})

#: Page → the console roles that may open it. The navigation shows exactly these.
PAGES: dict[str, frozenset[str]] = {
    "home": ALL_ROLES,
    "members": ALL_ROLES,
    "orders": OFFICE,
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
}

#: The navigation, in order.
NAV = ("home", "members", "orders", "stores", "staff", "webhooks", "apikeys", "sources", "users", "audit")

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
