"""The Segment HTTP tracking API: ``/v1/batch`` and one route per call type.

Hand-rolled on purpose: this is the hottest path of the hub (tens of thousands of events a
second), so a body is read once with its size capped while it arrives, parsed with orjson
and checked by ``rules.check`` without a model per event; the rows then wait for their
group's COMMIT (``writer.py``) before the answer. See ``docs/collect.md``.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from omohub.collect.errors import (
    BadEvent,
    BadWriteKey,
    BatchTooLarge,
    EventTooLarge,
    UnsupportedEncoding,
)
from omohub.collect.intake import Collector
from omohub.collect.rules import EVENT_TYPES, MAX_BATCH_BYTES, MAX_EVENT_BYTES, Rejected, Row, check
from omohub.core.errors import TooLarge

router = APIRouter(prefix="/v1", tags=["collect"])

_EVENT_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
    }
}


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _body(request: Request, limit: int, too_large: type[TooLarge]) -> bytes:
    """The body, decompressed; ``too_large`` as soon as it passes ``limit`` bytes."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise UnsupportedEncoding(f"Content-Encoding {encoding!r} is not supported; use gzip or none")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(f"the body is larger than {limit // 1024} KB", limit_bytes=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"the body is larger than {limit // 1024} KB", limit_bytes=limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    return _gunzip(raw, limit, too_large) if encoding == "gzip" else raw


def _gunzip(raw: bytes, limit: int, too_large: type[TooLarge]) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise BadEvent("the body is not valid gzip") from exc
    if len(out) > limit:
        raise too_large(f"the body is larger than {limit // 1024} KB once decompressed", limit_bytes=limit)
    if not inflater.eof:
        raise BadEvent("the gzip body is truncated")
    return out


def _parse(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadEvent(f"malformed JSON: {exc}") from exc


def _basic_user(header: str) -> str:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        return base64.b64decode(value, validate=True).decode().split(":", 1)[0]
    except (ValueError, UnicodeDecodeError):
        return ""


async def _read(request: Request, limit: int, too_large: type[TooLarge]) -> tuple[Any, Any]:
    """Authenticate and parse: (the source, the parsed body).

    The Basic-auth user name is checked before the body is parsed; a body-only ``writeKey``
    (which Segment clients also send) is accepted when there is no Authorization header.
    """
    collector: Collector = request.app.state.collector
    key = _basic_user(request.headers.get("authorization", ""))
    source = await collector.source(key) if key else None
    body = _parse(await _body(request, limit, too_large))
    if source is None:
        in_body = body.get("writeKey") if isinstance(body, dict) else None
        if not isinstance(in_body, str) or not in_body:
            raise BadWriteKey("send the source's write key as the Basic-auth user name")
        source = await collector.source(in_body)
    return source, body


async def _guarded(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
    collector: Collector = request.app.state.collector
    collector.gate.enter()
    try:
        return await handler()
    finally:
        collector.gate.leave()


@router.post("/batch", openapi_extra=_EVENT_DOC)
async def batch(request: Request) -> Response:
    """Many calls at once (``{"batch": [...]}``); good events are kept, bad ones listed."""

    async def handle() -> Response:
        source, body = await _read(request, MAX_BATCH_BYTES, BatchTooLarge)
        items = body.get("batch") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise BadEvent('expected {"batch": [ ...events ]} with at least one event')
        received = request.app.state.hub.context.now()
        sent_at = body.get("sentAt")
        rows: list[Row] = []
        rejected: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            try:
                if isinstance(item, dict) and sent_at is not None and "sentAt" not in item:
                    item["sentAt"] = sent_at  # the batch's send time corrects device clocks
                rows.append(check(item, source, received))
            except Rejected as exc:
                mid = item.get("messageId") if isinstance(item, dict) else None
                rejected.append({"index": i, "messageId": mid, "reason": str(exc)})
        if not rows:
            return _json(400, _rejection(rejected))
        stored = await request.app.state.collector.store(rows)
        return _json(
            200,
            {
                "success": True,
                "accepted": len(rows),
                "stored": stored,
                "duplicates": len(rows) - stored,
                "rejected": rejected,
            },
        )

    return await _guarded(request, handle)


def _rejection(rejected: list[dict[str, Any]]) -> dict[str, Any]:
    detail = "; ".join(f"event {r['index']}: {r['reason']}" for r in rejected[:5])
    return {
        "type": "https://omohub.dev/problems/bad_event",
        "title": "No event was accepted",
        "status": 400,
        "detail": detail,
        "code": "bad_event",
        "message": detail,
        "rejected": rejected,
    }


def _single(type_: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        async def handle() -> Response:
            source, body = await _read(request, MAX_EVENT_BYTES, EventTooLarge)
            try:
                row = check(body, source, request.app.state.hub.context.now(), forced_type=type_)
            except Rejected as exc:
                raise BadEvent(str(exc)) from exc
            stored = await request.app.state.collector.store([row])
            return _json(200, {"success": True, "stored": stored, "duplicates": 1 - stored})

        return await _guarded(request, handle)

    endpoint.__name__ = type_
    endpoint.__doc__ = f"One Segment ``{type_}`` call."
    return endpoint


for _type in EVENT_TYPES:
    router.add_api_route(f"/{_type}", _single(_type), methods=["POST"], openapi_extra=_EVENT_DOC)
