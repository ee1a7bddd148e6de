"""The Segment HTTP tracking API: ``/v1/batch`` and one route per call type.

Hand-rolled parsing on purpose: this is the hottest path in the hub (tens of thousands of
events a second), so bodies are read once, size-checked, parsed with orjson and checked
by ``rules.check`` without building a model per event.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from omohub.collect import store
from omohub.collect.errors import BadEvent, BadWriteKey, BatchTooLarge, EventTooLarge
from omohub.collect.rules import (
    EVENT_TYPES,
    MAX_BATCH_BYTES,
    MAX_EVENT_BYTES,
    Rejected,
    Row,
    SourceInfo,
    check,
)
from omohub.core.errors import Busy, DomainError

router = APIRouter(prefix="/v1", tags=["collect"])

_EVENT_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
    }
}


class Gate:
    """Counts requests in flight; past the limit callers get 429 and come back later."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._n = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self._n >= self.limit:
                raise Busy("the hub is busy; retry after the delay in Retry-After", retry_after=1)
            self._n += 1

    def leave(self) -> None:
        with self._lock:
            self._n -= 1


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _read(request: Request, limit: int, too_large: type[DomainError]) -> Any:
    raw = await request.body()
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error as exc:
            raise BadEvent("the body is not valid gzip") from exc
    if len(raw) > limit:
        raise too_large(f"the body is larger than {limit // 1024} KB", limit_bytes=limit)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadEvent(f"malformed JSON: {exc}") from exc


def _source(request: Request, body: Any) -> SourceInfo:
    key = _basic_user(request.headers.get("authorization", ""))
    if not key and isinstance(body, dict) and isinstance(body.get("writeKey"), str):
        key = body["writeKey"]
    if not key:
        raise BadWriteKey("send the source's write key as the Basic-auth user name")
    hub = request.app.state.hub
    info: SourceInfo = request.app.state.write_keys.lookup(hub.sessions, key)
    return info


def _basic_user(header: str) -> str:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        return base64.b64decode(value).decode().split(":", 1)[0]
    except (ValueError, UnicodeDecodeError):
        return ""


async def _store(request: Request, source: SourceInfo, rows: list[Row], received: dt.datetime) -> int:
    engine = request.app.state.hub.engine
    try:
        return await run_in_threadpool(store.append, engine, source.id, rows, received)
    except OperationalError as exc:  # database locked / unreachable: the client retries
        raise Busy("the event store is busy; retry later", retry_after=2) from exc


async def _guarded(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
    gate: Gate = request.app.state.collect_gate
    gate.enter()
    try:
        return await handler()
    finally:
        gate.leave()


@router.post("/batch", openapi_extra=_EVENT_DOC)
async def batch(request: Request) -> Response:
    """Many calls at once (``{"batch": [...]}``); good events are kept, bad ones listed."""

    async def handle() -> Response:
        body = await _read(request, MAX_BATCH_BYTES, BatchTooLarge)
        source = _source(request, body)
        items = body.get("batch") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise BadEvent('expected {"batch": [ ...events ]} with at least one event')
        received = dt.datetime.now(dt.UTC)
        rows, rejected = _check_all(items, source, received)
        stored = await _store(request, source, rows, received) if rows else 0
        if not rows:
            return _json(400, _rejection(rejected))
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


def _check_all(
    items: list[Any], source: SourceInfo, received: dt.datetime
) -> tuple[list[Row], list[dict[str, Any]]]:
    rows: list[Row] = []
    rejected: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        try:
            if len(orjson.dumps(item)) > MAX_EVENT_BYTES:
                raise Rejected(f"event larger than {MAX_EVENT_BYTES // 1024} KB")
            rows.append(check(item, source, received))
        except Rejected as exc:
            mid = item.get("messageId") if isinstance(item, dict) else None
            rejected.append({"index": i, "messageId": mid, "reason": str(exc)})
    return rows, rejected


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
            body = await _read(request, MAX_EVENT_BYTES, EventTooLarge)
            source = _source(request, body)
            received = dt.datetime.now(dt.UTC)
            try:
                row = check(body, source, received, forced_type=type_)
            except Rejected as exc:
                raise BadEvent(str(exc)) from exc
            stored = await _store(request, source, [row], received)
            return _json(200, {"success": True, "stored": stored, "duplicates": 1 - stored})

        return await _guarded(request, handle)

    endpoint.__name__ = type_
    endpoint.__doc__ = f"One Segment ``{type_}`` call."
    return endpoint


for _type in EVENT_TYPES:
    router.add_api_route(f"/{_type}", _single(_type), methods=["POST"], openapi_extra=_EVENT_DOC)
