"""Loyalty in headless Chromium: HQ sets up a tier and adjusts points; the 360 and the card show them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from omohub.bootstrap import Hub
from omohub.core.config import Settings
from tests.conftest import make_key
from tests.console.conftest import browser_sign_in
from tests.console.loyalty_support import audit_lines, available, frozen_hub
from tests.console.seed import PHONE, Shop
from tests.helpers import drain

pytestmark = pytest.mark.browser


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def test_admin_sets_up_a_tier_and_adjusts_points_then_the_360_and_the_card_show_them(
    page: Page, server: str, hub: Hub, shop: Shop
) -> None:
    before = available(hub, shop.member_id)
    browser_sign_in(page, "hq_admin")
    page.locator(".sidebar [data-page=loyalty]").click()
    expect(page.locator("h1")).to_have_text("點數與等級設定")

    tier = page.locator("form[data-form=tier]")
    tier.locator("input[name=code]").fill("SILVER")
    tier.locator("input[name=name]").fill("銀卡")
    tier.locator("input[name=threshold]").fill("1,000")
    tier.locator("input[name=multiplier]").fill("1.5")
    tier.locator("input[name=free_shipping]").check()
    tier.locator("button[type=submit]").click()
    expect(page.locator("[data-flash]")).to_have_text("已儲存等級「銀卡」")
    row = page.locator("[data-table=tiers] tr[data-tier=SILVER]")
    expect(row).to_contain_text("NT$1,000")
    expect(row.locator("[data-multiplier]")).to_have_text("1.5×")

    # 小美 buys for NT$2,000 at the till today; the worker earns her points and moves her up.
    sale = {
        "external_id": "POS-SILVER-1",
        "channel": "pos",
        "store_code": "TPE-XINYI",
        "member": {"phone": PHONE},
        "lines": [{"sku": "DRESS-BLK-M", "quantity": 1, "unit_price": 2000}],
        "payments": [{"tender": "cash", "amount": 2000}],
    }
    r = httpx.post(f"{server}/api/v1/orders", json=sale, headers=make_key(hub, "pos"))
    assert r.status_code == 201, r.text
    drain(hub)

    page.goto(f"/console/members/{shop.member_id}")
    panel = page.locator("[data-points-panel]")
    expect(panel.locator("[data-tier-name]")).to_have_text("銀卡")
    expect(panel.locator("[data-points=pending]")).not_to_have_text("0")  # the sale's points wait 7 days

    adjust = panel.locator("form[data-adjust]")
    adjust.locator("input[name=points]").fill("-99999")
    adjust.locator("input[name=reason]").fill("測試扣點")
    adjust.locator("button[type=submit]").click()
    expect(page.locator("[data-error=points]")).to_have_text("可用點數不足，無法扣除 99,999 點")
    expect(page.locator("[data-points=available]")).to_have_text(f"{before:,}")  # nothing changed

    adjust = page.locator("form[data-adjust]")
    adjust.locator("input[name=points]").fill("500")
    adjust.locator("input[name=reason]").fill("開幕活動補發")
    adjust.locator("button[type=submit]").click()
    expect(page.locator("[data-flash]")).to_have_text("已調整點數 +500 點")
    expect(page.locator("[data-points=available]")).to_have_text(f"{before + 500:,}")
    first = page.locator("[data-table=ledger] tbody tr").first
    expect(first).to_contain_text("調整")
    expect(first).to_contain_text("+500")
    expect(first).to_contain_text("開幕活動補發")
    assert [(a, actor) for a, actor, _, _ in audit_lines(hub, "member.adjust_points")] == [
        ("member.adjust_points", "user:hq_admin")
    ]

    with page.context.expect_page() as opened:
        page.locator("[data-card-link]").click()
    card = opened.value
    card.wait_for_load_state()
    loyalty = card.locator("[data-loyalty]")
    expect(loyalty.locator("[data-points=available]")).to_have_text(f"{before + 500:,}")
    expect(loyalty.locator("[data-tier-name]")).to_have_text("銀卡")
    expect(card.locator("[data-next-expiry]")).to_contain_text("有效至 2026-12-31")
    box = loyalty.bounding_box()
    barcode = card.locator("svg[data-symbology=code128]").bounding_box()
    assert box is not None and barcode is not None and box["y"] >= barcode["y"] + barcode["height"]
