"""One signed HTTP POST of one delivery, and what came of it. No database here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from omohub import __version__
from omohub.webhooks.rules import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    is_success,
    sign,
)

USER_AGENT = f"OmoHub-Webhooks/{__version__}"


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds the lease of: everything needed to send it."""

    delivery_id: int
    attempt: int
    url: str
    secret: str
    topic: str
    body: bytes
    timestamp: int


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None


def headers(c: Claimed) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(c.secret, c.timestamp, c.body),
        EVENT_HEADER: c.topic,
        DELIVERY_HEADER: str(c.delivery_id),
        ATTEMPT_HEADER: str(c.attempt),
    }


def post(client: httpx.Client, c: Claimed) -> Outcome:
    """Send it; any answer but 2xx, and any transport error, is a failed attempt."""
    try:
        with client.stream("POST", c.url, content=c.body, headers=headers(c)) as resp:
            if is_success(resp.status_code):
                return Outcome(True, resp.status_code, None)
            return Outcome(False, resp.status_code, f"HTTP {resp.status_code}: {_snippet(resp)}")
    except Exception as exc:  # a bad URL, a refused connection, a timeout: all retried
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])


def _snippet(resp: httpx.Response, limit: int = 300) -> str:
    """The start of the receiver's answer (helps integrators debug), never the whole body."""
    got = b""
    for chunk in resp.iter_bytes():
        got += chunk
        if len(got) >= limit:
            break
    return got[:limit].decode("utf-8", "replace").strip() or resp.reason_phrase
