"""API shapes of the org domain; the CSV import validates its rows with the same classes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from omohub.core.checks import before, check_code, rule
from omohub.org import rules


def _flag(value: Any) -> Any:
    return rules.parse_flag(value) if isinstance(value, str) else value


def _role(value: Any) -> Any:
    return rules.check_role(value) if isinstance(value, str) else value


Code = Annotated[str, rule(check_code), Field(examples=["TPE-XINYI"])]
Text = rule(rules.check_text)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Text]
City = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), Text]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), Text]
Latitude = Annotated[float, rule(rules.check_latitude), Field(examples=[25.0339])]
Longitude = Annotated[float, rule(rules.check_longitude), Field(examples=[121.5645])]
TimeZone = Annotated[str, rule(rules.check_timezone), Field(examples=["Asia/Taipei"])]
Role = Annotated[str, before(_role), Field(description="manager, clerk, stylist or cashier")]
Flag = Annotated[bool, before(_flag)]


class StoreIn(BaseModel):
    """A store (門市). ``code`` is the key shared with the ERP and the POS."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    city: City
    address: Address = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: TimeZone = "Asia/Taipei"
    active: Flag = True


class StorePatch(BaseModel):
    """Fields to change; the code never changes (other systems key on it)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    city: City | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: TimeZone | None = None
    active: Flag | None = None


class StoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    city: str
    address: str
    latitude: float | None
    longitude: float | None
    timezone: str
    active: bool
    created_at: dt.datetime


class StaffIn(BaseModel):
    """A member of staff (店員); ``store_code`` empty for head-office staff."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    store_code: Code | None = None
    role: Role = "clerk"
    active: Flag = True


class StaffPatch(BaseModel):
    """Fields to change. ``store_code: null`` moves the person to head office."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    store_code: Code | None = None
    role: Role | None = None
    active: Flag | None = None


class StaffOut(BaseModel):
    id: int
    code: str
    name: str
    store_code: str | None
    role: str
    active: bool
    created_at: dt.datetime


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    online: bool


class BrandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name


class BrandOut(BaseModel):
    name: str
