from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(description="Where deliveries are POSTed (http or https).")
    topics: list[str] = Field(
        min_length=1,
        examples=[["member.created", "order.completed"]],
        description='Event topics to receive; `"*"` means every topic, including future ones.',
    )
    description: str = Field("", max_length=300)


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl | None = None
    topics: list[str] | None = Field(None, min_length=1)
    description: str | None = Field(None, max_length=300)
    active: bool | None = Field(
        None, description="false stops deliveries and cancels pending ones; true resumes new events."
    )


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    topics: list[str]
    description: str
    active: bool
    created_at: dt.datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(
        description="Signing secret (`whsec_…`). Shown once, here; keep it to verify signatures."
    )


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Sent as `X-OmoHub-Delivery`; the same on every retry.")
    subscription_id: int
    event_id: str = Field(description="The envelope `id` (`evt_…`); deduplicate on it.")
    topic: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    next_attempt_at: dt.datetime | None = Field(description="When a pending delivery is tried next.")
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    body: dict[str, Any] | None = Field(None, description="The envelope (only on single reads).")
