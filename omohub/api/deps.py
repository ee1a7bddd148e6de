"""Request dependencies: the hub, the unit of work, and who is calling."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

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


#: ``\u0000`` in a JSON text, unless its backslash is itself escaped (``\\u0000`` is text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def no_nul(request: Request) -> None:
    """Refuse a NUL character anywhere in the request, on every backend alike.

    PostgreSQL can store no NUL in text or JSON (it would be a 500 there, and SQLite would
    keep it), so the REST API says so up front. Collection checks its own bodies (rules.py).
    """
    body = await request.body()  # FastAPI reads the same cached body afterwards
    texts = [request.scope["path"], *request.query_params.keys(), *request.query_params.values()]
    if b"\0" in body or _JSON_NUL.search(body) or any("\0" in t for t in texts):
        raise Invalid("the request contains a NUL character (\\u0000), which cannot be stored")


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
