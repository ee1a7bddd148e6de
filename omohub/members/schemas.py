"""API shapes of the members domain."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from omohub.core.db import RowId

Gender = Literal["female", "male", "other"]

#: Request fields that are identifiers, and the identifier type each one is.
IDENTIFIER_FIELDS = {
    "member_id": "member_id",
    "phone": "phone",
    "email": "email",
    "line_uid": "line_uid",
    "facebook_id": "facebook_id",
    "instagram_id": "instagram_id",
    "card": "member_card",
    "external_id": "external",
    "anonymous_id": "anonymous_id",
    "device_id": "device_id",
}


class MemberIn(BaseModel):
    """Join or update: any identifiers the channel knows, and profile fields to set."""

    model_config = ConfigDict(extra="forbid")

    member_id: RowId | None = None
    phone: str | None = Field(None, examples=["0912-345-678"])
    email: str | None = None
    line_uid: str | None = None
    facebook_id: str | None = None
    instagram_id: str | None = None
    card: str | None = None
    external_id: str | None = Field(None, description="An id in another system, as source:id")
    anonymous_id: str | None = None
    device_id: str | None = None
    name: str | None = Field(None, max_length=200)
    gender: Gender | None = None
    birthday: dt.date | None = None
    einvoice_carrier: str | None = Field(None, description="Mobile barcode carrier, /XXXXXXX")
    traits: dict[str, Any] = Field(default_factory=dict)
    channel: str | None = Field(None, max_length=20, description="pos, web, app, line, …")
    store_code: str | None = None
    join: bool = Field(True, description="Make them a member (card number) if not yet one")

    def identifier_pairs(self) -> list[tuple[str, object]]:
        return [(t, getattr(self, f)) for f, t in IDENTIFIER_FIELDS.items()]


class IdentifierOut(BaseModel):
    type: str
    value: str
    verified: bool
    source: str


class MemberOut(BaseModel):
    id: int
    status: str
    card_no: str | None
    merged_into_id: int | None
    name: str | None
    gender: str | None
    birthday: dt.date | None
    joined_at: dt.datetime | None
    joined_channel: str | None
    home_store_id: int | None
    einvoice_carrier: str | None
    traits: dict[str, Any]
    identifiers: list[IdentifierOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class JoinResult(BaseModel):
    member: MemberOut
    created: bool
    merged: list[int]
    refused: list[str]


class MergeIn(BaseModel):
    other_id: RowId = Field(description="The member to fold into this one")
    reason: str = Field("merged by hand", max_length=300)


class MergeOut(BaseModel):
    merge_id: int
    survivor_id: int
    merged_id: int
    reason: str
    created_at: dt.datetime
    undone_at: dt.datetime | None


class SuggestionOut(BaseModel):
    """Two members one call linked that the merge policy would not merge by itself."""

    id: int
    member_low_id: int
    member_high_id: int
    reason: str
    status: Literal["open", "accepted", "rejected"]
    created_at: dt.datetime
