"""Who may open what, sign-in and sign-out, and CSRF: the console's guard rails, without a browser."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.access.models import ApiKey, AuditEntry, ConsoleUser
from omohub.api.app import create_app
from omohub.bootstrap import Hub, build_hub
from omohub.console.rules import PAGES
from omohub.core.config import Settings
from tests.console.conftest import csrf_of, post_form, sign_in
from tests.console.seed import ROLES, Shop

PATHS = {
    "home": "/console/",
    "members": "/console/members",
    "checkout": "/console/checkout",
    "orders": "/console/orders",
    "promotions": "/console/promotions",
    "preview": "/console/preview",
    "loyalty": "/console/loyalty",
    "stores": "/console/stores",
    "staff": "/console/staff",
    "webhooks": "/console/webhooks",
    "apikeys": "/console/apikeys",
    "sources": "/console/sources",
    "users": "/console/users",
    "audit": "/console/audit",
}


def test_every_page_has_a_path_under_test() -> None:
    assert set(PATHS) == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_its_pages(as_role: Callable[[str], TestClient], role: str) -> None:
    client = as_role(role)
    for name, path in PATHS.items():
        r = client.get(path)
        expected = 200 if role in PAGES[name] else 403
        assert r.status_code == expected, (role, path, r.status_code)
        if expected == 200:  # the navigation offers exactly the pages the role may open
            offered = {n for n in PATHS if f'data-page="{n}"' in r.text}
            assert offered == {n for n, roles in PAGES.items() if role in roles}


def test_clerk_is_refused_api_keys_and_cannot_create_one(
    as_role: Callable[[str], TestClient], hub: Hub
) -> None:
    client = as_role("clerk")
    r = client.get("/console/apikeys")
    assert r.status_code == 403 and "沒有權限" in r.text
    token = csrf_of(client.get("/console/members").text)
    r = client.post("/console/apikeys", data={"name": "sneaky", "scopes": "admin", "csrf_token": token})
    assert r.status_code == 403
    with hub.uow() as session:
        assert session.scalar(select(ApiKey).where(ApiKey.name == "sneaky")) is None


def test_pages_need_a_signed_in_user(client: TestClient, shop: Shop) -> None:
    for path in (
        *PATHS.values(),
        f"/console/members/{shop.member_id}",
        f"/console/orders/{shop.pos_order_id}",
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/console/login?next=")
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/"


def test_sign_in_goes_back_to_the_page_asked_for_and_sign_out_ends_the_session(
    client: TestClient, shop: Shop, hub: Hub
) -> None:
    target = f"/console/members/{shop.member_id}"
    login = client.get(target).text  # followed to the login page
    r = client.post(
        "/console/login",
        data={
            "username": "marketer",
            "password": "correct-horse-9",
            "csrf_token": csrf_of(login),
            "next": target,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == target
    assert "HttpOnly" in r.headers["set-cookie"] or "httponly" in r.headers["set-cookie"]
    assert "samesite=lax" in r.headers["set-cookie"].lower() and "path=/console" in r.headers["set-cookie"]
    assert "secure" not in r.headers["set-cookie"].lower()  # plain http unless configured
    assert client.get(target).status_code == 200
    r = post_form(client, "/console/logout", {}, page="/console/")
    assert r.status_code == 303
    assert client.get(target, follow_redirects=False).status_code == 303
    with hub.uow() as session:
        actions = [
            e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.actor == "user:marketer"))
        ]
    assert "console.login" in actions


def test_sign_in_never_redirects_off_the_console(client: TestClient, shop: Shop) -> None:
    for evil in ("https://evil.example/", "//evil.example/console/", "/api/v1/members"):
        token = csrf_of(client.get("/console/login").text)
        r = client.post(
            "/console/login",
            data={"username": "clerk", "password": "correct-horse-9", "csrf_token": token, "next": evil},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/console/"
        client.cookies.clear()


def test_wrong_password_is_refused_and_audited(client: TestClient, shop: Shop, hub: Hub) -> None:
    token = csrf_of(client.get("/console/login").text)
    r = client.post(
        "/console/login", data={"username": "clerk", "password": "nope-nope", "csrf_token": token}
    )
    assert r.status_code == 401 and "帳號或密碼錯誤" in r.text
    assert client.get("/console/", follow_redirects=False).status_code == 303
    with hub.uow() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "console.login_failed"))
    assert entry is not None and entry.subject == "user:clerk"


def test_a_nul_character_is_a_bad_request_page_that_changes_nothing(
    client: TestClient, shop: Shop, hub: Hub
) -> None:
    """PostgreSQL text holds no NUL: before sign-in as after, a 422 page on both backends."""
    token = csrf_of(client.get("/console/login").text)
    r = client.post("/console/login", data={"username": "clerk\x00", "password": "x", "csrf_token": token})
    assert r.status_code == 422 and "無法處理這個請求" in r.text
    with hub.uow() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "console.login_failed")) is None
    sign_in(client, "hq_admin")
    assert client.get("/console/audit", params={"actor": "x\x00"}).status_code == 422
    r = post_form(client, "/console/apikeys", {"name": "pos\x00", "scopes": "pos"})
    assert r.status_code == 422
    with hub.uow() as session:
        assert session.scalar(select(ApiKey).where(ApiKey.name.startswith("pos"))) is None


def test_deactivated_user_is_signed_out_at_once(as_role: Callable[[str], TestClient], hub: Hub) -> None:
    client = as_role("marketer")
    assert client.get("/console/orders").status_code == 200
    with hub.uow() as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == "marketer"))
        assert user is not None
        user.active = False
    assert client.get("/console/orders", follow_redirects=False).status_code == 303


def test_a_form_without_the_session_csrf_token_changes_nothing(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    for token in ("", "forged-token"):
        r = client.post("/console/apikeys", data={"name": "pos-x", "scopes": "pos", "csrf_token": token})
        assert r.status_code == 403 and "表單已過期" in r.text
        r = client.post(f"/console/members/{shop.member_id}/unmerge", data={"merged_id": shop.line_member_id})
        assert r.status_code == 403
    with hub.uow() as session:
        assert session.scalar(select(ApiKey).where(ApiKey.name == "pos-x")) is None
    assert "data-unmerge" in client.get(f"/console/members/{shop.member_id}").text  # still merged


def test_login_form_itself_needs_the_csrf_token(client: TestClient, shop: Shop) -> None:
    client.get("/console/login")
    r = client.post(
        "/console/login", data={"username": "clerk", "password": "correct-horse-9"}, follow_redirects=False
    )
    assert r.status_code == 403
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_a_session_cookie_signed_with_another_key_is_ignored(client: TestClient, shop: Shop) -> None:
    sign_in(client, "hq_admin")
    cookie = client.cookies.get("omohub_console")
    assert cookie
    client.cookies.clear()
    client.cookies.set("omohub_console", cookie[:-4] + "AAAA", path="/console")
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_console_pages_send_security_headers(as_role: Callable[[str], TestClient]) -> None:
    r = as_role("hq_admin").get("/console/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_secure_cookie_setting_marks_the_session_cookie_https_only(settings: Settings, shop: Shop) -> None:
    secure = build_hub(settings.model_copy(update={"console_secure_cookie": True}))
    try:
        with TestClient(create_app(secure), base_url="https://testserver") as client:
            r = client.get("/console/login")
            token = csrf_of(r.text)
            r = client.post(
                "/console/login",
                data={"username": "clerk", "password": "correct-horse-9", "csrf_token": token},
                follow_redirects=False,
            )
            assert "secure" in r.headers["set-cookie"].lower()
    finally:
        secure.close()
