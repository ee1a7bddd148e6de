"""Identity rules, pure: identifier types, normalisation, junk values, masking, merge policy."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from omohub.core.db import MAX_ID

#: Identifiers that name one person: at most one member holds each verified value.
STRONG_TYPES = (
    "phone",
    "email",
    "line_uid",
    "facebook_id",
    "instagram_id",
    "member_card",
    "external",
)
#: Identifiers of a browser or device: shared devices exist, so they link but never merge.
WEAK_TYPES = ("anonymous_id", "device_id")
#: ``member_id`` is the hub's own id; it resolves through the members table.
ID_TYPES = (*STRONG_TYPES, *WEAK_TYPES, "member_id")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINE_UID = re.compile(r"^U[0-9a-f]{32}$")
_SOCIAL = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
_CARD = re.compile(r"^[0-9A-Z]{4,20}$")
_EXTERNAL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}:\S{1,120}$")


class InvalidIdentifier(ValueError):
    def __init__(self, type_: str, value: str, why: str) -> None:
        super().__init__(f"invalid {type_} {value!r}: {why}")
        self.type = type_
        self.value = value
        self.why = why


@dataclass(frozen=True)
class Claim:
    """ "This person is known by ``type``/``value``", as one inbound call says."""

    type: str
    value: str
    verified: bool = True

    @property
    def strong(self) -> bool:
        return self.type in STRONG_TYPES or self.type == "member_id"


def normalize(type_: str, raw: object) -> str:
    """The one stored spelling of an identifier, or ``InvalidIdentifier``."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        raise InvalidIdentifier(type_, value, "empty")
    if type_ not in ID_TYPES:
        raise InvalidIdentifier(type_, value, f"unknown identifier type; known: {', '.join(ID_TYPES)}")
    return _NORMALIZERS.get(type_, _as_is)(type_, value)


def _as_is(type_: str, value: str) -> str:
    if len(value) > 200:
        raise InvalidIdentifier(type_, value[:20] + "…", "longer than 200 characters")
    return value


def normalize_phone(_t: str, value: str) -> str:
    try:
        number = phonenumbers.parse(value, "TW")
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier("phone", value, "not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("phone", value, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(_t: str, value: str) -> str:
    value = value.lower()
    if not _EMAIL.match(value) or len(value) > 200:
        raise InvalidIdentifier("email", value, "not an e-mail address")
    return value


def _pattern(regex: re.Pattern[str], why: str, *, upper: bool = False):  # type: ignore[no-untyped-def]
    def check(type_: str, value: str) -> str:
        value = value.upper() if upper else value
        if not regex.match(value):
            raise InvalidIdentifier(type_, value, why)
        return value

    return check


def _member_id(_t: str, value: str) -> str:
    if not value.isdecimal() or not 0 < int(value) <= MAX_ID:
        raise InvalidIdentifier("member_id", value, "not a member id")
    return str(int(value))


def _external(type_: str, value: str) -> str:
    source, _, ident = value.partition(":")
    value = f"{source.lower()}:{ident}"
    if not _EXTERNAL.match(value):
        raise InvalidIdentifier(type_, value, "expected source:id, e.g. shopify:123")
    return value


_NORMALIZERS = {
    "phone": normalize_phone,
    "email": _email,
    "line_uid": _pattern(_LINE_UID, "a LINE user id is U followed by 32 hex digits"),
    "facebook_id": _pattern(_SOCIAL, "letters, digits, . _ - only"),
    "instagram_id": _pattern(_SOCIAL, "letters, digits, . _ - only"),
    "member_card": _pattern(_CARD, "4–20 letters or digits", upper=True),
    "external": _external,
    "member_id": _member_id,
}


@lru_cache(maxsize=8)
def blocked_values(blocklist: tuple[str, ...]) -> frozenset[str]:
    """The blocklist in every spelling it may arrive in (raw, lower-case, normalised phone)."""
    found: set[str] = {""}
    for raw in blocklist:
        found.update({raw.strip(), raw.strip().lower()})
        try:
            found.add(normalize_phone("phone", raw))
        except InvalidIdentifier:
            pass
    return frozenset(found)


def is_junk(type_: str, value: str, blocked: frozenset[str]) -> bool:
    """A placeholder, not a person: ``0000000000``, ``test@test.com``, ``shop:undefined``.

    For ids in other systems the part after ``source:`` is checked too, because a broken
    integration sends the same ``"undefined"`` userId for every visitor.
    """
    value = value.strip()
    candidates = [value]
    if type_ == "external":
        candidates.append(value.partition(":")[2].strip())
    return any(v in blocked or v.lower() in blocked for v in candidates)


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def new_card_number() -> str:
    """12 digits: '8', ten random digits, a Luhn check digit (catches mistyped numbers)."""
    body = "8" + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return body + luhn_digit(body)


def card_checks_out(card: str) -> bool:
    return card.isdigit() and len(card) == 12 and luhn_digit(card[:-1]) == card[-1]


def mask(type_: str, value: str) -> str:
    """What a clerk sees: enough to confirm with the customer, not enough to copy."""
    if type_ == "phone" and value.startswith("+886"):
        local = "0" + value[4:]
        return f"{local[:4]}-***-{local[-3:]}"
    if type_ == "email":
        user, _, domain = value.partition("@")
        return f"{user[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * min(len(value) - 4, 8)}{value[-2:]}"
