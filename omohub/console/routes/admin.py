"""HQ admin pages: API keys, webhooks, collection sources, console users, the audit log.

A new secret is rendered once in the response to the form that created it; it is never put
in the session cookie or a URL, and only its hash is kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.access.models import ROLES, SCOPES
from omohub.api.deps import uow
from omohub.collect.models import SOURCE_CHANNELS, USER_ID_KINDS
from omohub.collect.sources import sources as list_sources
from omohub.console import actions, queries
from omohub.console.deps import CSRF, PREFIX, Viewer, context, flash, page
from omohub.console.render import page as render
from omohub.core.db import MAX_ID
from omohub.core.errors import DomainError, Invalid
from omohub.core.events import known_topics
from omohub.members import events as _member_events  # noqa: F401  (registers topics)
from omohub.orders import events as _order_events  # noqa: F401
from omohub.org.models import Store
from omohub.webhooks import service as webhooks

router = APIRouter()


# API keys ---------------------------------------------------------------------------------


@router.get("/apikeys")
def apikeys(request: Request, viewer: Viewer = Depends(page("apikeys")), session: Session = uow) -> Response:
    return _apikeys_page(request, viewer, session)


@router.post("/apikeys", dependencies=[CSRF])
def apikey_create(
    request: Request,
    name: str = Form(""),
    scopes: list[str] = Form([]),
    viewer: Viewer = Depends(page("apikeys")),
    session: Session = uow,
) -> Response:
    try:
        key, secret = actions.create_api_key(session, viewer.who, name, scopes)
    except DomainError as exc:
        session.rollback()
        return _apikeys_page(request, viewer, session, error=exc.detail, name=name, status=422)
    return _apikeys_page(request, viewer, session, created=key, secret=secret)


@router.post("/apikeys/{key_id}/revoke", dependencies=[CSRF])
def apikey_revoke(
    request: Request,
    key_id: int = Path(le=MAX_ID),
    viewer: Viewer = Depends(page("apikeys")),
    session: Session = uow,
) -> Response:
    key = actions.revoke_api_key(session, viewer.who, key_id)
    flash(request, "apikeys.revoked", name=key.name)
    return RedirectResponse(f"{PREFIX}/apikeys", status_code=303)


def _apikeys_page(
    request: Request, viewer: Viewer, session: Session, status: int = 200, **extra: Any
) -> Response:
    extra = {"created": None, "secret": None, "error": None, "name": "", **extra}
    ctx = context(request, viewer, "apikeys", keys=queries.api_keys(session), scopes=SCOPES, **extra)
    return render("apikeys.html", ctx, status=status)


# Webhooks ---------------------------------------------------------------------------------


@router.get("/webhooks")
def webhook_list(
    request: Request, viewer: Viewer = Depends(page("webhooks")), session: Session = uow
) -> Response:
    return _webhooks_page(request, viewer, session)


@router.post("/webhooks", dependencies=[CSRF])
def webhook_create(
    request: Request,
    url: str = Form(""),
    topics: list[str] = Form([]),
    description: str = Form(""),
    viewer: Viewer = Depends(page("webhooks")),
    session: Session = uow,
) -> Response:
    try:
        sub = actions.create_webhook(session, viewer.who, url, topics, description)
    except DomainError as exc:
        session.rollback()
        return _webhooks_page(request, viewer, session, error=exc.detail, url=url, status=422)
    return _webhooks_page(request, viewer, session, created=sub, secret=sub.secret)


@router.post("/webhooks/{sub_id}/active", dependencies=[CSRF])
def webhook_active(
    request: Request,
    sub_id: int,
    active: bool = Form(...),
    viewer: Viewer = Depends(page("webhooks")),
    session: Session = uow,
) -> Response:
    actions.set_webhook_active(session, viewer.who, sub_id, active)
    flash(request, "webhooks.activated" if active else "webhooks.deactivated", id=sub_id)
    return RedirectResponse(f"{PREFIX}/webhooks", status_code=303)


def _webhooks_page(
    request: Request, viewer: Viewer, session: Session, status: int = 200, **extra: Any
) -> Response:
    extra = {"created": None, "secret": None, "error": None, "url": "", **extra}
    subs = webhooks.subscriptions(session)
    ctx = context(request, viewer, "webhooks", subs=subs, topics=list(known_topics()), **extra)
    return render("webhooks.html", ctx, status=status)


# Collection sources -----------------------------------------------------------------------


@router.get("/sources")
def source_list(
    request: Request, viewer: Viewer = Depends(page("sources")), session: Session = uow
) -> Response:
    return _sources_page(request, viewer, session)


@router.post("/sources", dependencies=[CSRF])
def source_create(
    request: Request,
    name: str = Form(""),
    channel: str = Form(""),
    user_id_kind: str = Form(""),
    viewer: Viewer = Depends(page("sources")),
    session: Session = uow,
) -> Response:
    try:
        source, key = actions.create_collect_source(session, viewer.who, name, channel, user_id_kind)
    except DomainError as exc:
        session.rollback()
        return _sources_page(request, viewer, session, error=exc.detail, name=name, status=422)
    return _sources_page(request, viewer, session, created=source, secret=key)


def _sources_page(
    request: Request, viewer: Viewer, session: Session, status: int = 200, **extra: Any
) -> Response:
    extra = {"created": None, "secret": None, "error": None, "name": "", **extra}
    ctx = context(
        request,
        viewer,
        "sources",
        sources=list_sources(session),
        channels=SOURCE_CHANNELS,
        kinds=USER_ID_KINDS,
        **extra,
    )
    return render("sources.html", ctx, status=status)


# Console users ----------------------------------------------------------------------------


@router.get("/users")
def user_list(request: Request, viewer: Viewer = Depends(page("users")), session: Session = uow) -> Response:
    return _users_page(request, viewer, session)


@router.post("/users", dependencies=[CSRF])
def user_create(
    request: Request,
    username: str = Form(""),
    name: str = Form(""),
    role: str = Form(""),
    store: str = Form(""),
    password: str = Form(""),
    viewer: Viewer = Depends(page("users")),
    session: Session = uow,
) -> Response:
    store_id = queries.as_id(store.strip())
    try:
        if store.strip() and (store_id is None or session.get(Store, store_id) is None):
            raise Invalid(f"unknown store {store.strip()!r}", field="store")
        user = actions.create_console_user(
            session, viewer.who, username=username, password=password, role=role, name=name, store_id=store_id
        )
    except DomainError as exc:
        session.rollback()
        return _users_page(request, viewer, session, error=exc.detail, username=username, status=422)
    flash(request, "users.created", username=user.username)
    return RedirectResponse(f"{PREFIX}/users", status_code=303)


def _users_page(
    request: Request, viewer: Viewer, session: Session, status: int = 200, **extra: Any
) -> Response:
    extra = {"error": None, "username": "", **extra}
    ctx = context(
        request,
        viewer,
        "users",
        users=queries.users(session),
        roles=ROLES,
        stores=queries.stores(session),
        **extra,
    )
    return render("users.html", ctx, status=status)


# Audit log --------------------------------------------------------------------------------


@router.get("/audit")
def audit(
    request: Request,
    actor: str = "",
    action: str = "",
    subject: str = "",
    before: int | None = Query(None, le=MAX_ID),
    viewer: Viewer = Depends(page("audit")),
    session: Session = uow,
) -> Response:
    entries = queries.audit_page(session, actor=actor, action=action, subject=subject, before=before)
    ctx = context(
        request,
        viewer,
        "audit",
        entries=entries,
        params={"actor": actor, "action": action, "subject": subject},
        next_before=entries[-1].id if len(entries) == 100 else None,
    )
    return render("audit.html", ctx)
