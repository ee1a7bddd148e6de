"""Signing, verification, retry schedule and lease, pure."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

SIGNATURE_HEADER = "X-OmoHub-Signature"
EVENT_HEADER = "X-OmoHub-Event"
DELIVERY_HEADER = "X-OmoHub-Delivery"
ATTEMPT_HEADER = "X-OmoHub-Attempt"

#: How far a signature's timestamp may be from the receiver's clock (replay window).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` keyed with the subscription secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value ``t=<unix seconds>,v1=<hex>``; the signed timestamp stops replays."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (documented for integrators, and used by our tests).

    Any ``v1`` value may match, so a sender can carry two signatures while a secret rotates.
    """
    pairs = [p.strip().split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in pairs if k == "t"]
    candidates = [v for k, v in pairs if k == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not candidates:
        return False
    ts = int(stamps[0])
    if abs(now - ts) > tolerance:
        return False
    expected = signature(secret, ts, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 10 s, 20 s, 40 s … capped at 6 hours.

    With the default 12 attempts a delivery keeps trying for about 5 h 40 min.
    """
    return dt.timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 6 * 3600))


def lease(lease_seconds: float, timeout_seconds: float) -> dt.timedelta:
    """How long a claimed delivery is reserved: never shorter than 3 x the HTTP timeout
    (connect, send and read are each bounded by it), so a live sender keeps its claim."""
    return dt.timedelta(seconds=max(lease_seconds, 3 * timeout_seconds))


def is_success(status_code: int) -> bool:
    """Only 2xx acknowledges a delivery; redirects are not followed and count as failures."""
    return 200 <= status_code < 300
