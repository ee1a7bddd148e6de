from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    topics: list[str] = Field(min_length=1, examples=[["member.created", "order.completed"]])
    description: str = Field("", max_length=300)


class SubscriptionOut(BaseModel):
    id: int
    url: str
    topics: list[str]
    description: str
    active: bool
    created_at: dt.datetime
    secret: str | None = Field(None, description="Shown once, when the subscription is created")
