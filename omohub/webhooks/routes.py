"""``/api/v1/webhooks``: subscriptions and their deliveries (admin keys only)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from omohub.access.rules import Principal
from omohub.api.deps import principal, uow
from omohub.core.db import MAX_ID
from omohub.webhooks import service
from omohub.webhooks.models import Delivery
from omohub.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from omohub.webhooks.tasks import event_id

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
admin = Depends(principal("admin"))
Status = Literal["pending", "delivered", "failed", "cancelled"]


@router.post("", response_model=SubscriptionCreated, status_code=201)
def subscribe(data: SubscriptionIn, session: Session = uow, who: Principal = admin) -> SubscriptionCreated:
    """Subscribe a URL to event topics. The signing secret is in this response only."""
    sub = service.subscribe(session, str(data.url), data.topics, data.description)
    return SubscriptionCreated.model_validate(sub)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(session: Session = uow, who: Principal = admin) -> list[SubscriptionOut]:
    """Every subscription, active or not (secrets are never shown again)."""
    return [SubscriptionOut.model_validate(s) for s in service.subscriptions(session)]


@router.get("/{sub_id}", response_model=SubscriptionOut)
def read(sub_id: int, session: Session = uow, who: Principal = admin) -> SubscriptionOut:
    """One subscription: its URL, topics and whether it is active (the secret is never shown again)."""
    return SubscriptionOut.model_validate(service.get(session, sub_id))


@router.patch("/{sub_id}", response_model=SubscriptionOut)
def change(
    sub_id: int, data: SubscriptionPatch, session: Session = uow, who: Principal = admin
) -> SubscriptionOut:
    """Change the URL, topics or description, or set ``active`` (false cancels pending deliveries)."""
    sub = service.update(
        session,
        sub_id,
        url=str(data.url) if data.url is not None else None,
        topics=data.topics,
        description=data.description,
        active=data.active,
    )
    return SubscriptionOut.model_validate(sub)


@router.delete("/{sub_id}", status_code=204)
def deactivate(sub_id: int, session: Session = uow, who: Principal = admin) -> Response:
    """Deactivate: no new deliveries, pending ones cancelled; the history stays readable."""
    service.update(session, sub_id, active=False)
    return Response(status_code=204)


@router.get("/{sub_id}/deliveries", response_model=list[DeliveryOut])
def deliveries(
    sub_id: int,
    status: Status | None = None,
    limit: int = Query(50, ge=1, le=500),
    before: int | None = Query(None, le=MAX_ID, description="Last id of the previous page."),
    session: Session = uow,
    who: Principal = admin,
) -> list[DeliveryOut]:
    """Recent deliveries, newest first, with their status, attempts and last outcome."""
    found = service.deliveries(session, sub_id, status=status, limit=limit, before=before)
    return [delivery_out(d) for d in found]


@router.get("/{sub_id}/deliveries/{delivery_id}", response_model=DeliveryOut)
def delivery(sub_id: int, delivery_id: int, session: Session = uow, who: Principal = admin) -> DeliveryOut:
    """One delivery with the envelope that is (or was) sent."""
    return delivery_out(service.delivery(session, sub_id, delivery_id), with_body=True)


@router.post("/{sub_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut, status_code=202)
def redeliver(sub_id: int, delivery_id: int, session: Session = uow, who: Principal = admin) -> DeliveryOut:
    """Send a failed, cancelled or delivered delivery again, with a fresh set of attempts."""
    return delivery_out(service.redeliver(session, sub_id, delivery_id))


@router.post("/{sub_id}/deliveries/redeliver-failed", status_code=202)
def redeliver_failed(sub_id: int, session: Session = uow, who: Principal = admin) -> dict[str, int]:
    """Queue every failed delivery of this subscription again (after a receiver outage)."""
    return {"requeued": service.redeliver_failed(session, sub_id)}


def delivery_out(d: Delivery, *, with_body: bool = False) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        subscription_id=d.subscription_id,
        event_id=event_id(d.outbox_id),
        topic=d.topic,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
        body=d.body if with_body else None,
    )
