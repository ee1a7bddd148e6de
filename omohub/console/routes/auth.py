"""Sign in, sign out, and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.access import service as access
from omohub.access.errors import BadCredentials
from omohub.access.models import ConsoleUser
from omohub.access.rules import Principal
from omohub.api.deps import uow
from omohub.console import rules
from omohub.console.deps import CSRF, PREFIX, context
from omohub.console.render import page

router = APIRouter()


@router.get("/login", name="login")
def login_form(request: Request, next: str = "") -> Response:
    return page("login.html", context(request, None, next=next, error=None, username=""))


@router.post("/login", dependencies=[CSRF])
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
    session: Session = uow,
) -> Response:
    try:
        user = access.authenticate_user(session, username.strip(), password)
    except BadCredentials:
        _audit_failure(session, username)
        ctx = context(request, None, next=next, error="auth.failed", username=username)
        return page("login.html", ctx, status=401)
    access.audit(session, access.user_principal(user), "console.login", f"user:{user.username}")
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in user
    request.session.update(uid=user.id, locale=rules.pick_locale(user.locale))
    target = rules.safe_next(next, PREFIX, PREFIX + "/")
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[CSRF])
def logout(request: Request) -> Response:
    locale = request.session.get("locale")
    request.session.clear()
    if locale:
        request.session["locale"] = locale
    return RedirectResponse(PREFIX + "/login", status_code=303)


@router.post("/locale", dependencies=[CSRF])
def switch_locale(
    request: Request, lang: str = Form(...), next: str = Form(""), session: Session = uow
) -> Response:
    """Switch the console's language; a signed-in user keeps the choice on their profile."""
    locale = rules.pick_locale(lang)
    request.session["locale"] = locale
    uid = request.session.get("uid")
    user = session.get(ConsoleUser, uid) if isinstance(uid, int) else None
    if user is not None:
        user.locale = locale
    return RedirectResponse(rules.safe_next(next, PREFIX, PREFIX + "/"), status_code=303)


def _audit_failure(session: Session, username: str) -> None:
    who = Principal(actor=f"user:{username[:80]}", role="anonymous")
    access.audit(session, who, "console.login_failed", f"user:{username[:80]}")
