"""Who is looking: the signed session cookie, the console user behind it, roles and CSRF.

The cookie only says which user signed in; the user row is read on every request, so a
deactivated user or a changed role takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from omohub.access.models import ConsoleUser
from omohub.access.rules import Principal
from omohub.access.service import user_principal
from omohub.api.deps import uow
from omohub.console import rules
from omohub.console.render import base_context

if TYPE_CHECKING:
    from omohub.bootstrap import Hub

PREFIX = "/console"


class LoginRequired(Exception):
    """No signed-in user: the console answers with the login page."""


class NotAllowed(Exception):
    """The user's role may not open this page or do this action."""


class BadCsrf(Exception):
    """A form came without this session's CSRF token (another site, or an expired page)."""


class BadInput(Exception):
    """A path, query or form with a NUL character, which no text column can hold."""


@dataclass(frozen=True)
class Viewer:
    user: ConsoleUser
    who: Principal

    @property
    def role(self) -> str:
        return self.user.role


def hub(request: Request) -> Hub:
    found: Hub = request.app.state.hub
    return found


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, csrf_token: str = Form("")) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise BadCsrf()


async def no_nul(request: Request) -> None:
    """Refuse NUL anywhere a console page reads text from (PostgreSQL would answer with a 500)."""
    texts = [request.url.path, *request.query_params.keys(), *request.query_params.values()]
    if request.method == "POST":
        form = await request.form()  # parsed once: FastAPI reads the same cached form
        texts += [t for key, value in form.multi_items() for t in (key, value) if isinstance(t, str)]
    if any("\x00" in t for t in texts):
        raise BadInput()


#: Put on every POST route: ``dependencies=[CSRF]``.
CSRF = Depends(check_csrf)


def current(request: Request, session: Session = uow) -> Viewer:
    uid = request.session.get("uid")
    user = session.get(ConsoleUser, uid) if isinstance(uid, int) else None
    if user is None or not user.active:
        raise LoginRequired()
    return Viewer(user, user_principal(user))


def page(name: str) -> Callable[..., Viewer]:
    """A dependency: the signed-in viewer, whose role must be allowed to open ``name``."""

    def check(viewer: Viewer = Depends(current)) -> Viewer:
        if not rules.can_open(viewer.role, name):
            raise NotAllowed(name)
        return viewer

    return check


def action(name: str) -> Callable[..., Viewer]:
    def check(viewer: Viewer = Depends(current)) -> Viewer:
        if not rules.can_do(viewer.role, name):
            raise NotAllowed(name)
        return viewer

    return check


def locale_of(request: Request, user: ConsoleUser | None = None) -> str:
    return rules.pick_locale(request.session.get("locale"), user.locale if user else None)


def context(request: Request, viewer: Viewer | None, current_page: str = "", **extra: Any) -> dict[str, Any]:
    """What every console template gets: translator, formats, user, navigation, CSRF, flash."""
    found = base_context(hub(request).settings, locale_of(request, viewer.user if viewer else None))
    found.update(
        request=request,
        P=PREFIX,
        viewer=viewer,
        nav=rules.nav_for(viewer.role) if viewer else [],
        current_page=current_page,
        csrf=csrf_token(request),
        flash=request.session.pop("flash", None),
        path=request.url.path,
    )
    found.update(extra)
    return found


def flash(request: Request, key: str, kind: str = "ok", **params: Any) -> None:
    """A message for the next page (text keys only: the cookie is signed, not secret)."""
    request.session["flash"] = {"key": key, "kind": kind, "params": {k: str(v) for k, v in params.items()}}
