"""The points panel on the 360, HQ's point adjustments, and points on the member card."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.console.card import card_path
from omohub.core.config import Settings
from omohub.loyalty.service import account, adjust
from omohub.members.models import Member
from tests.console.conftest import post_form
from tests.console.loyalty_support import (
    audit_lines,
    available,
    frozen_hub,
    ledger_size,
    put_tier,
    sell_today,
)
from tests.console.seed import ROLES, Shop

AVAILABLE = re.compile(r'data-points="available">([\d,]+)<')


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def _available_on(html: str) -> int:
    found = AVAILABLE.search(html)
    assert found, "no available points on the page"
    return int(found.group(1).replace(",", ""))


def _adjust(client: TestClient, shop: Shop, **data: object) -> httpx.Response:
    member = f"/console/members/{shop.member_id}"
    return post_form(client, f"{member}/points", {"key": "k-1", **data}, page=member)


def _give(hub: Hub, member_id: int, points: int, reason: str, key: str) -> None:
    with hub.uow() as session:
        adjust.adjust(session, member_id, points, reason=reason, key=key, actor="user:hq_admin")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_points_panel_and_only_hq_admin_the_adjust_form(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop, role: str
) -> None:
    _give(hub, shop.member_id, 300, "客訴補償 0912345678", "seed-1")
    html = as_role(role).get(f"/console/members/{shop.member_id}").text
    assert _available_on(html) == available(hub, shop.member_id) >= 300
    assert "data-points-panel" in html and "調整" in html and "+300" in html
    assert ("data-adjust" in html) is (role == "hq_admin")
    # A reason is free text typed at HQ: a clerk, who sees identifiers masked, does not see it.
    assert ("客訴補償 0912345678" in html) is (role != "clerk")


def test_panel_shows_tier_progress_and_the_next_expiry_in_the_brands_calendar(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    put_tier(hub, "SILVER", "銀卡", 1000)
    put_tier(hub, "GOLD", "金卡", 5000)
    sell_today(hub, 1200)
    _give(hub, shop.member_id, 100, "開幕禮", "seed-2")
    html = as_role("marketer").get(f"/console/members/{shop.member_id}").text
    assert "data-tier-current>銀卡<" in html
    assert 'data-progress="24"' in html  # NT$1,200 of the NT$5,000 that gold needs
    assert "NT$1,200 / NT$5,000" in html and "再 NT$3,800 可升級為 金卡" in html
    # The seed's March 2025 points run out first. Their lot ends at 1 Jan 2027 00:00 in Taipei,
    # so the last day they can be used, the day the member is told, is 31 Dec 2026.
    with hub.uow() as session:
        due = account.points(session, shop.member_id).next_expiry_points
    assert f"{due} 點有效至 2026-12-31" in html


def test_hq_admin_adjusts_points_and_the_adjustment_is_audited(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    before = available(hub, shop.member_id)
    r = _adjust(client, shop, points="＋５００", reason="  開幕活動補發  ")  # typed with a Chinese IME
    assert r.status_code == 303 and r.headers["location"] == f"/console/members/{shop.member_id}"
    page = client.get(r.headers["location"]).text
    assert "已調整點數 +500 點" in page and _available_on(page) == before + 500
    assert available(hub, shop.member_id) == before + 500
    with hub.uow() as session:
        [entry] = account.points(session, shop.member_id, entries=1).entries
    assert (entry.kind, entry.points, entry.reason, entry.actor) == (
        "adjust",
        500,
        "開幕活動補發",
        "user:hq_admin",
    )
    assert audit_lines(hub, "member.adjust_points") == [
        (
            "member.adjust_points",
            "user:hq_admin",
            f"member:{shop.member_id}",
            {"points": 500, "reason": "開幕活動補發", "entry": entry.id},
        )
    ]
    r = _adjust(client, shop, points="-200", reason="誤發更正", key="k-2")
    assert r.status_code == 303 and available(hub, shop.member_id) == before + 300


def test_a_form_sent_twice_is_one_adjustment_audited_once(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    before, entries = available(hub, shop.member_id), ledger_size(hub, shop.member_id)
    for _ in range(2):  # a double click sends the same form (the same key) twice
        assert _adjust(client, shop, points="50", reason="補登").status_code == 303
    assert available(hub, shop.member_id) == before + 50
    assert ledger_size(hub, shop.member_id) == entries + 1
    assert len(audit_lines(hub, "member.adjust_points")) == 1


@pytest.mark.parametrize(
    ("points", "reason", "status", "message"),
    [
        ("-99999", "退貨補扣", 409, "可用點數不足，無法扣除 99,999 點"),
        ("100", "   ", 422, "請填寫調整原因"),
        ("0", "沒有變化", 422, "請輸入不是 0 的點數"),
        ("一百", "補登", 422, "請輸入整數"),
        ("20000000", "太多", 422, "不可大於 10000000"),
    ],
    ids=["more-than-available", "no-reason", "zero", "not-a-number", "too-many"],
)
def test_adjustment_problems_are_shown_in_the_form_and_change_nothing(
    as_role: Callable[[str], TestClient],
    hub: Hub,
    shop: Shop,
    points: str,
    reason: str,
    status: int,
    message: str,
) -> None:
    client = as_role("hq_admin")
    before, entries = available(hub, shop.member_id), ledger_size(hub, shop.member_id)
    r = _adjust(client, shop, points=points, reason=reason)
    assert r.status_code == status
    assert message in r.text and "data-form-error" in r.text
    assert f'value="{points}"' in r.text  # what was typed is still there to correct
    assert (available(hub, shop.member_id), ledger_size(hub, shop.member_id)) == (before, entries)
    assert audit_lines(hub, "member.adjust_points") == []


def test_an_adjustment_form_without_its_key_is_refused(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    entries = ledger_size(hub, shop.member_id)
    r = _adjust(as_role("hq_admin"), shop, points="10", reason="補登", key="")
    assert r.status_code == 422 and 'data-error="form">表單已過期<' in r.text
    assert ledger_size(hub, shop.member_id) == entries


@pytest.mark.parametrize("role", ["marketer", "store_manager", "clerk"])
def test_only_hq_admin_may_adjust_points(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop, role: str
) -> None:
    entries = ledger_size(hub, shop.member_id)
    r = _adjust(as_role(role), shop, points="1000", reason="給自己")
    assert r.status_code == 403 and "沒有權限" in r.text
    assert ledger_size(hub, shop.member_id) == entries


def test_member_card_shows_points_tier_and_next_expiry(client: TestClient, hub: Hub, shop: Shop) -> None:
    put_tier(hub, "SILVER", "銀卡", 1000)
    sell_today(hub, 1500)
    _give(hub, shop.member_id, 700, "生日禮", "seed-3")
    with hub.uow() as session:
        member = session.get(Member, shop.member_id)
        assert member is not None
        path = card_path(hub.settings.resolved_secret_key(), member)
    assert path is not None
    html = client.get(path).text
    assert _available_on(html) == available(hub, shop.member_id) >= 700
    assert "data-tier-name>銀卡<" in html
    assert re.search(r"data-next-expiry>[\d,]+ 點有效至 2026-12-31<", html)
    # Under the barcode, before the QR code.
    assert (
        html.index('data-symbology="code128"')
        < html.index("data-loyalty")
        < html.index('data-symbology="qr"')
    )
    english = client.get(path, params={"lang": "en"}).text
    assert "<dt>Points</dt>" in english and re.search(r"points usable through 2026-12-31", english)
