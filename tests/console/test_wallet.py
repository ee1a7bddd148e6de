"""Coupons in a member's hands: what a clerk can tell them at the till (結帳助手), the wallet on
the 360 (usable or why not), and the coupons on the member card."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.access.models import AuditEntry
from omohub.bootstrap import Hub
from omohub.console.card import card_path
from omohub.core.config import Settings
from omohub.loyalty.service import adjust
from omohub.members.models import Member
from omohub.org.models import Store
from tests.console.conftest import post_form
from tests.console.loyalty_support import NOW, available, frozen_hub
from tests.console.promo_support import issue, promote
from tests.console.seed import Shop


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


@pytest.fixture
def wallet(hub: Hub, shop: Shop) -> dict[str, str]:
    """小美's wallet: a coupon for everywhere, one for the web shop only (for ten more days), one
    for another store only, and one that expired yesterday; and 500 points from head office."""
    with hub.uow() as session:
        session.add(Store(code="TPE-EAST", name="東區店", city="台北市", created_at=NOW))
        adjust.adjust(session, shop.member_id, 500, reason="開幕禮", key="w-1", actor="user:hq_admin")
    codes = {}
    for key, name, over in (
        ("anywhere", "全通路折100", {}),
        ("web", "官網折50", {"channels": ["web"]}),
        ("east", "東區店折80", {"stores": ["TPE-EAST"]}),
        ("expired", "春季折200", {}),
    ):
        pid = promote(hub, name, "amount_off", {"amount": 100}, coupon=True, **over)
        days = {"expired": -1, "web": 10}.get(key)
        until = {"valid_until": NOW + dt.timedelta(days=days)} if days else {}
        [codes[key]] = issue(hub, pid, member_id=shop.member_id, **until)
    return codes


def _rows(html: str, table: str) -> dict[str, str]:
    body = re.search(rf'data-table="{table}".*?</table>', html, re.S)
    assert body, f"no {table} table"
    rows = re.finditer(r'<tr data-coupon="([^"]+)".*?</tr>', body.group(0), re.S)
    return {row[1]: unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row[0]))) for row in rows}


def test_a_clerk_scans_the_card_and_sees_the_points_and_the_coupons_this_till_takes(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop, wallet: dict[str, str]
) -> None:
    client = as_role("clerk")
    assert 'data-page="checkout"' in client.get("/console/").text
    r = post_form(client, "/console/checkout/search", {"q": shop.card_no}, page="/console/checkout")
    assert r.status_code == 303 and r.headers["location"] == f"/console/checkout/{shop.member_id}"
    html = client.get(r.headers["location"]).text
    points = available(hub, shop.member_id)
    assert points >= 500
    assert f'data-points="available">{points:,}<' in html
    assert f"可折抵 NT${points:,}" in html and "1 點 = NT$1" in html
    assert re.findall(r'data-coupon="([^"]+)"', html) == [wallet["anywhere"]]  # not web, east or expired
    assert "全通路折100" in html and "使用期限至" not in html  # the promotion has no end date
    assert "data-masked" in html and shop.card_no not in html
    with hub.uow() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.lookup")).all()
        assert [(e.actor, e.subject, e.detail) for e in entries] == [
            ("user:clerk", f"member:{shop.member_id}", {"page": "checkout"})
        ]


def test_an_unknown_customer_is_said_so_and_a_merged_profile_leads_to_the_survivor(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("store_manager")
    r = post_form(client, "/console/checkout/search", {"q": "0987-000-000"}, page="/console/checkout")
    assert r.status_code == 404 and "data-not-found" in r.text
    r = client.get(f"/console/checkout/{shop.line_member_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/console/checkout/{shop.member_id}"
    assert client.get(r.headers["location"]).status_code == 200
    with hub.uow() as session:  # office roles see identifiers in full and are not audited per view
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "member.lookup")) is None


@pytest.mark.parametrize("role", ["marketer", "clerk"])
def test_the_360_lists_every_coupon_usable_or_why_not(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop, wallet: dict[str, str], role: str
) -> None:
    html = as_role(role).get(f"/console/members/{shop.member_id}").text
    rows = _rows(html, "wallet")
    assert list(rows)[-1] == wallet["expired"]  # usable ones first
    for key in ("anywhere", "web", "east"):
        assert "可使用" in rows[wallet[key]], key
    assert "已過期" in rows[wallet["expired"]] and "春季折200" in rows[wallet["expired"]]
    points = available(hub, shop.member_id)
    # At this store's till only the coupon for every channel and store can be used.
    assert f"結帳可用：{points:,} 點（可折抵 NT${points:,}）· 優惠券 1 張" in html
    assert f'href="/console/checkout/{shop.member_id}" data-till-link' in html
    assert ('href="/console/promotions/' in html) is (role == "marketer")


def test_the_member_card_shows_the_coupons_usable_now(
    client: TestClient, hub: Hub, shop: Shop, wallet: dict[str, str]
) -> None:
    with hub.uow() as session:
        member = session.get(Member, shop.member_id)
        assert member is not None
        path = card_path(hub.settings.resolved_secret_key(), member)
    assert path is not None
    html = client.get(path).text
    shown = re.findall(r'<li data-coupon="([^"]+)"', html)
    assert sorted(shown) == sorted(wallet[k] for k in ("anywhere", "web", "east"))
    assert "官網折50" in html and "可用優惠券" in html and "使用期限至 2026-06-25" in html
    assert wallet["expired"] not in html
    assert "Your coupons" in client.get(path, params={"lang": "en"}).text
