"""API keys, console users and the audit log. Services add and flush; they never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omohub.access.errors import BadCredentials, MissingScope
from omohub.access.models import ApiKey, AuditEntry, ConsoleUser
from omohub.access.rules import (
    ROLE_SCOPES,
    STORE_ROLES,
    Principal,
    validate_key_name,
    validate_role,
    validate_scopes,
    validate_username,
)
from omohub.core.context import ctx
from omohub.core.errors import Conflict, Invalid
from omohub.core.security import hash_password, new_token, token_hash, verify_password


def create_api_key(session: Session, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key; the secret is returned once and only its hash is stored."""
    try:
        name = validate_key_name(name)
    except ValueError as exc:
        raise Invalid(str(exc), field="name") from exc
    try:
        scopes = validate_scopes(scopes)
    except ValueError as exc:
        raise Invalid(str(exc), field="scopes") from exc
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict(f"an API key named {name!r} already exists", field="name")
    secret = new_token("omk")
    key = ApiKey(
        name=name,
        prefix=secret[:10],
        key_hash=token_hash(secret),
        scopes=scopes,
        created_at=ctx(session).now(),
    )
    session.add(key)
    session.flush()
    return key, secret


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise Invalid(f"no API key {key_id}")
    key.revoked_at = key.revoked_at or ctx(session).now()
    return key


def authenticate_key(session: Session, secret: str) -> Principal:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(secret)))
    if key is None or key.revoked_at is not None:
        raise BadCredentials("unknown or revoked API key")
    return Principal(actor=f"apikey:{key.name}", role="integration", scopes=frozenset(key.scopes))


def require(principal: Principal, scope: str) -> None:
    if not principal.can(scope):
        raise MissingScope(f"this action needs the {scope!r} scope", scope=scope)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    name: str = "",
    store_id: int | None = None,
    locale: str = "zh-TW",
) -> ConsoleUser:
    try:
        validate_role(role)
    except ValueError as exc:
        raise Invalid(str(exc), field="role") from exc
    try:
        username = validate_username(username)
    except ValueError as exc:
        raise Invalid(str(exc), field="username") from exc
    if role in STORE_ROLES and store_id is None:
        raise Invalid(f"a {role} works in one store: give the store", field="store")
    if len(password) < 8:
        raise Invalid("password must be at least 8 characters", field="password")
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == username)):
        raise Conflict(f"user {username!r} already exists", field="username")
    user = ConsoleUser(
        username=username,
        name=name or username,
        password_hash=hash_password(password),
        role=role,
        store_id=store_id,
        locale=locale,
        created_at=ctx(session).now(),
    )
    session.add(user)
    session.flush()
    return user


def authenticate_user(session: Session, username: str, password: str) -> ConsoleUser:
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise BadCredentials("wrong username or password")
    return user


def user_principal(user: ConsoleUser) -> Principal:
    return Principal(
        actor=f"user:{user.username}",
        role=user.role,
        scopes=ROLE_SCOPES[user.role],
        store_id=user.store_id,
        user_id=user.id,
    )


def audit(session: Session, principal: Principal, action: str, subject: str = "", **detail: Any) -> None:
    session.add(
        AuditEntry(
            at=ctx(session).now(),
            actor=principal.actor,
            role=principal.role,
            action=action,
            subject=subject,
            detail=detail,
        )
    )
