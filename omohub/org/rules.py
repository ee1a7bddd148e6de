"""Pure rules of the org domain: coordinates, time zones, roles, standard channels.

Each check returns the clean value or raises ``ValueError`` with a message meant for the
person who typed the value; schemas turn them into precise API and CSV errors.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

from omohub.org.models import STAFF_ROLES

#: Role names a Taiwanese ERP export uses, and the role each one is.
ROLE_ALIASES = {
    "店長": "manager",
    "副店長": "manager",
    "店經理": "manager",
    "店員": "clerk",
    "門市人員": "clerk",
    "銷售員": "clerk",
    "造型師": "stylist",
    "搭配師": "stylist",
    "收銀員": "cashier",
    "收銀": "cashier",
}

_TRUE = {"true", "1", "yes", "y", "t", "是", "啟用", "有效", "營業中", "在職"}
_FALSE = {"false", "0", "no", "n", "f", "否", "停用", "無效", "歇業", "離職"}


def check_latitude(value: float) -> float:
    if not -90 <= value <= 90:
        raise ValueError(f"latitude {value} is outside -90 to 90")
    return value


def check_longitude(value: float) -> float:
    if not -180 <= value <= 180:
        raise ValueError(f"longitude {value} is outside -180 to 180")
    return value


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValueError("give latitude and longitude together, or neither")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str) -> str:
    zone = value.strip()
    if zone not in _zones():
        raise ValueError(f"{zone!r} is not an IANA time zone (e.g. Asia/Taipei)")
    return zone


def check_role(value: str) -> str:
    role = ROLE_ALIASES.get(value.strip(), value.strip().lower())
    if role not in STAFF_ROLES:
        raise ValueError(f"{value.strip()!r} is not a staff role; one of {', '.join(STAFF_ROLES)}")
    return role


def parse_flag(value: str) -> bool:
    """A yes/no cell as spreadsheets write it (true/false, 1/0, Y/N, 是/否, 啟用/停用)."""
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{value.strip()!r} is not yes or no (true/false, 1/0, Y/N, 是/否, 啟用/停用)")


@dataclass(frozen=True)
class StandardChannel:
    code: str
    name: str
    online: bool


#: Seeded by ``omohub init``; the channel code is its kind.
STANDARD_CHANNELS = (
    StandardChannel("pos", "門市 POS", online=False),
    StandardChannel("web", "官網", online=True),
    StandardChannel("app", "App", online=True),
    StandardChannel("line", "LINE 官方帳號", online=True),
    StandardChannel("marketplace", "電商平台", online=True),
    StandardChannel("delivery", "外送平台", online=True),
)


def check_text(value: str) -> str:
    """Free text the database can store: PostgreSQL text holds no NUL character."""
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value
