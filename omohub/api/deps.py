"""Request dependencies: the hub, the unit of work, and who is calling."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from omohub.access import service as access
from omohub.access.errors import BadCredentials
from omohub.access.rules import Principal
from omohub.core.errors import Invalid

if TYPE_CHECKING:
    from omohub.bootstrap import Hub


def hub(request: Request) -> Hub:
    found: Hub = request.app.state.hub
    return found


def _uow(request: Request) -> Iterator[Session]:
    # scope="function" below: the commit happens before the response is sent, so a 200
    # always means the change is durable.
    with hub(request).uow() as session:
        yield session


uow = Depends(_uow, scope="function")


async def storable_text(request: Request) -> None:
    """Refuse text no database can store, anywhere in the request, on every backend alike.

    A NUL character (PostgreSQL text and JSON hold none; SQLite would keep it) or a lone
    UTF-16 surrogate (``\\ud800``: not Unicode, no driver can encode it) would be a 500 deep
    inside a use case, so the REST API says so up front, naming the field. A body that is
    not JSON is left to FastAPI's own error. Collection checks its own bodies (rules.py).
    """
    texts: list[tuple[str, str]] = [("path", request.scope["path"])]
    texts += [(f"query.{k}", k) for k in request.query_params] + list(request.query_params.items())
    body = await request.body()  # cached: FastAPI reads the same bytes afterwards
    if body:
        try:
            texts += _strings(json.loads(body), "")
        except (ValueError, RecursionError):
            pass
    for where, text in texts:
        why = _unstorable(text)
        if why:
            field = where.encode(errors="backslashreplace").decode()  # the key may be the culprit
            raise Invalid(f"{field or 'body'} {why}", field=field)


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    """Every string in a JSON document, keys too, with where it is (``lines.0.sku``)."""
    if isinstance(value, str):
        return [(path, value)]
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            found += [(where, k), *_strings(v, where)]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _strings(v, f"{path}.{i}" if path else str(i))
    return found


def _unstorable(text: str) -> str | None:
    if "\0" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (e.g. \\ud800), which is not Unicode"
    return None


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise BadCredentials("send an API key as 'Authorization: Bearer <key>'")
    return token.strip()


def principal(*scopes: str) -> Callable[..., Principal]:
    """A dependency: the API key's principal, which must hold one of ``scopes``."""

    def check(request: Request, session: Session = uow) -> Principal:
        who = access.authenticate_key(session, bearer_token(request))
        if scopes and not any(who.can(s) for s in scopes):
            access.require(who, scopes[0])
        return who

    return check
