"""Signing and retry schedule, pure."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

SIGNATURE_HEADER = "X-OmoHub-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` — the timestamp stops replays."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (documented for integrators, and used by our tests)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), f"t={ts},v1={parts.get('v1', '')}")


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … capped at 6 hours."""
    return dt.timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 6 * 3600))
