"""Member search and the 360 page: masking for clerks, every look-up audited, unmerge for admins."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.access.models import AuditEntry
from omohub.bootstrap import Hub
from omohub.members.models import Member, MergeRecord
from tests.console.conftest import post_form
from tests.console.seed import EMAIL, LINE_UID, Shop


def search(client: TestClient, q: str, by: str = "auto") -> httpx.Response:
    return post_form(client, "/console/members/search", {"q": q, "by": by}, page="/console/members")


@pytest.mark.parametrize(
    "entry",
    ["0912-345-678", "+886912345678", EMAIL.upper(), LINE_UID, "anon-amy", "webshop:c-1", "CARD", "ID"],
)
def test_search_finds_the_member_by_any_identifier(
    as_role: Callable[[str], TestClient], shop: Shop, entry: str
) -> None:
    client = as_role("store_manager")
    entry = {"CARD": shop.card_no, "ID": str(shop.member_id)}.get(entry, entry)
    r = search(client, entry)
    assert r.status_code == 303, entry
    assert r.headers["location"] == f"/console/members/{shop.member_id}"


def test_search_by_an_explicit_type_and_a_miss(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    client = as_role("clerk")
    r = search(client, shop.card_no, by="card")
    assert r.headers["location"] == f"/console/members/{shop.member_id}"
    r = search(client, shop.card_no, by="phone")  # not a phone number: nothing found, nothing breaks
    assert r.status_code == 404 and "查無此會員" in r.text
    r = search(client, "0987-654-321")
    assert r.status_code == 404
    # what a misbehaving scanner might type: a miss or a bad request, never a 500
    for entry in ("9" * 30, "²"):
        r = search(client, entry)
        assert r.status_code == 404 and "查無此會員" in r.text, entry
    for entry in ("anon\x00amy", "webshop:\x00"):  # PostgreSQL text holds no NUL
        r = search(client, entry)
        assert r.status_code == 422 and "無法處理這個請求" in r.text, entry


def test_clerk_sees_masked_identifiers_no_traits_and_every_view_is_audited(
    as_role: Callable[[str], TestClient], shop: Shop, hub: Hub
) -> None:
    with hub.uow() as session:
        member = session.get(Member, shop.member_id)
        assert member is not None
        member.traits = {"vip_note": "likes linen"}
        # a merge reason is free text: a person (or the demo brand) may well write the number in it
        for record in session.scalars(select(MergeRecord).where(MergeRecord.survivor_id == shop.member_id)):
            record.reason = f"same phone +886912345678 and LINE {LINE_UID}"
    client = as_role("clerk")
    html = client.get(f"/console/members/{shop.member_id}").text
    assert "0912-***-678" in html and "a***@example.com" in html
    for secret in ("+886912345678", EMAIL, shop.card_no, LINE_UID, "likes linen", "/card/"):
        assert secret not in html
    assert "data-masked" in html and "data-merges" not in html
    client.get(f"/console/members/{shop.member_id}")
    with hub.uow() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.lookup")).all()
    assert [(e.actor, e.role, e.subject) for e in entries] == [
        ("user:clerk", "clerk", f"member:{shop.member_id}")
    ] * 2


@pytest.mark.parametrize("role", ["hq_admin", "marketer", "store_manager"])
def test_office_roles_see_identifiers_in_full_and_are_not_audited_per_view(
    as_role: Callable[[str], TestClient], shop: Shop, hub: Hub, role: str
) -> None:
    html = as_role(role).get(f"/console/members/{shop.member_id}").text
    assert "+886912345678" in html and EMAIL in html and shop.card_no in html
    assert "data-masked" not in html and "data-card-link" in html
    assert ("data-unmerge" in html) == (role == "hq_admin")
    with hub.uow() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "member.lookup")) is None


def test_the_360_shows_both_channels_purchases_and_browsing(
    as_role: Callable[[str], TestClient], shop: Shop
) -> None:
    html = as_role("marketer").get(f"/console/members/{shop.member_id}").text
    assert 'data-stat="offline">NT$1,980' in html and 'data-stat="online">NT$1,280' in html
    assert 'data-stat="lifetime">NT$3,260' in html
    assert "黑色洋裝" in html and "亞麻襯衫" in html and "信義店" in html
    assert "SHIRT-LIN" in html  # recently viewed on the web shop


def test_a_merged_profile_redirects_to_its_survivor(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    client = as_role("hq_admin")
    r = client.get(f"/console/members/{shop.line_member_id}", follow_redirects=False)
    assert r.headers["location"] == f"/console/members/{shop.member_id}"
    assert f"#{shop.line_member_id}" in client.get(r.headers["location"]).text  # the notice says so


def test_unmerge_is_for_hq_admins_only(as_role: Callable[[str], TestClient], shop: Shop, hub: Hub) -> None:
    client = as_role("store_manager")
    page = f"/console/members/{shop.member_id}"
    r = post_form(client, f"{page}/unmerge", {"merged_id": shop.line_member_id}, page=page)
    assert r.status_code == 403
    with hub.uow() as session:
        assert session.get(Member, shop.line_member_id).status == "merged"  # type: ignore[union-attr]
    client = as_role("hq_admin")
    r = post_form(client, f"{page}/unmerge", {"merged_id": shop.line_member_id}, page=page)
    assert r.status_code == 303
    with hub.uow() as session:
        assert session.get(Member, shop.line_member_id).status == "active"  # type: ignore[union-attr]
    # Undoing it twice is an error shown on the page, not a 500, and changes nothing.
    r = post_form(client, f"{page}/unmerge", {"merged_id": shop.line_member_id}, page=page)
    assert r.status_code == 303
    assert "無法完成" in client.get(page).text


def test_unknown_member_is_a_404_page(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    r = as_role("clerk").get("/console/members/999999")
    assert r.status_code == 404 and "找不到" in r.text
    assert as_role("clerk").get("/console/members/not-a-number").status_code == 422
