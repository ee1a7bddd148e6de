"""HQ admin pages: secrets shown once, bad input changes nothing, every change is audited."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omohub.access.models import ApiKey, AuditEntry, ConsoleUser
from omohub.access.service import authenticate_key
from omohub.bootstrap import Hub
from omohub.collect.models import Source
from omohub.core.security import token_hash
from omohub.webhooks.models import Subscription
from tests.console.conftest import post_form
from tests.console.seed import Shop

SECRET = re.compile(r"data-secret>([^<]+)<")


def _secret(html: str) -> str:
    found = SECRET.search(html)
    assert found, "no secret on the page"
    return found.group(1).strip()


def _actions(hub: Hub) -> list[tuple[str, str]]:
    with hub.uow() as session:
        return [(e.action, e.actor) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_api_key_secret_is_shown_once_and_only_its_hash_is_kept(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    r = post_form(client, "/console/apikeys", {"name": "erp", "scopes": ["pos", "ecommerce"]})
    assert r.status_code == 200
    secret = _secret(r.text)
    with hub.uow() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.name == "erp"))
        assert key is not None and key.scopes == ["ecommerce", "pos"] and key.key_hash == token_hash(secret)
        assert authenticate_key(session, secret).actor == "apikey:erp"
    assert secret not in client.get("/console/apikeys").text
    assert ("apikey.create", "user:hq_admin") in _actions(hub)


def test_api_key_bad_input_is_shown_and_creates_nothing(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    post_form(client, "/console/apikeys", {"name": "erp", "scopes": ["pos"]})
    for data in ({"name": "erp", "scopes": ["pos"]}, {"name": "no-scope"}):
        r = post_form(client, "/console/apikeys", data)
        assert r.status_code == 422 and 'class="alert error"' in r.text and "data-secret" not in r.text
    with hub.uow() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 1


def test_revoking_a_key_stops_it(as_role: Callable[[str], TestClient], hub: Hub, shop: Shop) -> None:
    client = as_role("hq_admin")
    secret = _secret(post_form(client, "/console/apikeys", {"name": "tmp", "scopes": ["pos"]}).text)
    with hub.uow() as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.name == "tmp"))
    r = post_form(client, f"/console/apikeys/{key_id}/revoke", {}, page="/console/apikeys")
    assert r.status_code == 303
    r = client.get(
        "/api/v1/members/lookup",
        params={"phone": "0912345678"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert r.status_code == 401
    assert ("apikey.revoke", "user:hq_admin") in _actions(hub)


def test_webhook_subscription_bad_url_or_topic_creates_nothing(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    for data in (
        {"url": "ftp://x.example/", "topics": ["member.created"]},
        {"url": "https://x.example/", "topics": ["no.such.topic"]},
    ):
        r = post_form(client, "/console/webhooks", data)
        assert r.status_code == 422 and 'class="alert error"' in r.text
    r = post_form(client, "/console/webhooks", {"url": "https://x.example/h", "topics": ["member.merged"]})
    assert r.status_code == 200 and _secret(r.text).startswith("whsec_")
    with hub.uow() as session:
        subs = session.scalars(select(Subscription)).all()
        assert [(s.url, s.topics, s.active) for s in subs] == [
            ("https://x.example/h", ["member.merged"], True)
        ]
        sub_id = subs[0].id
    r = post_form(client, f"/console/webhooks/{sub_id}/active", {"active": "false"}, page="/console/webhooks")
    assert r.status_code == 303
    with hub.uow() as session:
        assert session.get(Subscription, sub_id).active is False  # type: ignore[union-attr]
    assert [a for a, _ in _actions(hub) if a.startswith("webhook.")] == [
        "webhook.create",
        "webhook.deactivate",
    ]


def test_source_write_key_is_shown_once(as_role: Callable[[str], TestClient], hub: Hub, shop: Shop) -> None:
    client = as_role("hq_admin")
    r = post_form(
        client, "/console/sources", {"name": "app-ios", "channel": "app", "user_id_kind": "member_id"}
    )
    key = _secret(r.text)
    assert key.startswith("wk_")
    with hub.uow() as session:
        src = session.scalar(select(Source).where(Source.name == "app-ios"))
        assert src is not None and src.user_id_kind == "member_id" and src.write_key_hash == token_hash(key)
    assert key not in client.get("/console/sources").text
    r = post_form(client, "/console/sources", {"name": "bad:name", "channel": "app"})
    assert r.status_code == 422


def test_admin_creates_a_console_user_who_can_sign_in(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    data = {
        "username": "amin",
        "name": "阿明",
        "role": "clerk",
        "store": str(shop.store_id),
        "password": "short",
    }
    assert post_form(client, "/console/users", data).status_code == 422  # password too short
    for store in ("999999", "9" * 30, "²"):  # a store that is not there: said so, not a 500
        r = post_form(client, "/console/users", {**data, "store": store, "password": "long-enough-1"})
        assert r.status_code == 422 and "unknown store" in r.text, store
    r = post_form(client, "/console/users", {**data, "password": "long-enough-1"})
    assert r.status_code == 303
    with hub.uow() as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == "amin"))
        assert user is not None and user.role == "clerk" and user.store_id == shop.store_id
    assert "阿明" in client.get("/console/users").text
    assert ("user.create", "user:hq_admin") in _actions(hub)


def test_audit_log_lists_and_filters(as_role: Callable[[str], TestClient], hub: Hub, shop: Shop) -> None:
    as_role("clerk").get(f"/console/members/{shop.member_id}")
    client = as_role("hq_admin")
    html = client.get("/console/audit", params={"action": "member.lookup"}).text
    assert "user:clerk" in html and f"member:{shop.member_id}" in html
    assert "console.login" not in html
    assert (
        "member.lookup"
        not in client.get("/console/audit", params={"actor": "nobody"}).text.split("<tbody>")[1]
    )


def test_ids_beyond_64_bits_are_a_bad_request_not_a_crash(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    huge = "9" * 30
    assert client.get(f"/console/members/{huge}").status_code == 422
    assert client.get("/console/audit", params={"before": huge}).status_code == 422
    r = post_form(client, f"/console/apikeys/{huge}/revoke", {}, page="/console/apikeys")
    assert r.status_code == 422
    member = f"/console/members/{shop.member_id}"
    r = post_form(client, f"{member}/unmerge", {"merged_id": huge}, page=member)
    assert r.status_code == 422 and "data-unmerge" in client.get(member).text  # still merged
