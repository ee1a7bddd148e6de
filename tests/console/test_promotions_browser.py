"""Promotions in headless Chromium: a marketer sets up 第二件半價 and a coupon, previews a cart,
and the member card shows the coupon put into the member's wallet."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from omohub.bootstrap import Hub
from omohub.core.config import Settings
from tests.console.conftest import browser_sign_in
from tests.console.loyalty_support import audit_lines, frozen_hub
from tests.console.promo_support import SHIRT, every_promotion
from tests.console.seed import PHONE, Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def test_a_marketer_sets_up_half_price_and_a_coupon_previews_a_cart_and_the_card_shows_the_coupon(
    page: Page, hub: Hub, shop: Shop
) -> None:
    browser_sign_in(page, "marketer")
    page.locator(".sidebar [data-page=promotions]").click()
    expect(page.locator("h1")).to_have_text("行銷活動")

    # 第二件半價 on one SKU: the kind's own fields appear with the usual values filled in.
    page.locator("[data-new]").click()
    form = page.locator("form[data-form=promotion]")
    form.locator("input[name=name]").fill("第二件半價")
    form.locator("select[name=kind]").select_option("buy_x_get_y")
    expect(form.locator("[data-params=percent_off]")).to_be_hidden()
    expect(form.locator("input[name='buy_x_get_y.pct']")).to_have_value("50")
    form.locator("input[name=target_all]").uncheck()
    form.locator("textarea[name=target_skus]").fill(SHIRT)
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-flash]")).to_have_text("已建立活動「第二件半價」")
    expect(page.locator("[data-summary]").first).to_have_text("買 1 件，另 1 件折 50%")

    # A coupon promotion, one shared code, and one coupon into 小美's wallet.
    page.goto("/console/promotions/new")
    form = page.locator("form[data-form=promotion]")
    form.locator("input[name=name]").fill("夏季折100")
    form.locator("select[name=kind]").select_option("amount_off")
    form.locator("input[name='amount_off.amount']").fill("100")
    form.locator("input[name=coupon]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-flash]")).to_have_text("已建立活動「夏季折100」")
    issue = page.locator("form[data-form=coupons]")
    expect(issue.locator("input[name=member]")).to_be_hidden()  # the shared code is the default
    issue.locator("input[name=code]").fill("summer100")
    issue.locator("button[type=submit]").click()
    expect(page.locator("[data-flash]")).to_have_text("已發出代碼 SUMMER100")
    issue = page.locator("form[data-form=coupons]")
    issue.locator("input[name=mode][value=member]").check()
    issue.locator("input[name=member]").fill(PHONE)
    issue.locator("button[type=submit]").click()
    flash = page.locator("[data-flash]")
    expect(flash).to_contain_text(f"會員 #{shop.member_id} 的優惠券夾")
    wallet_code = re.search(r"優惠券 (\S+) 放入", flash.inner_text())
    assert wallet_code is not None
    expect(page.locator(f"[data-table=coupons] tr[data-coupon='{wallet_code[1]}']")).to_contain_text(
        f"#{shop.member_id}"
    )

    # 試算: two shirts and the code, as the till would price them.
    page.locator(".sidebar [data-page=preview]").click()
    cart = page.locator("form[data-form=preview]")
    cart.locator("input[name=sku]").first.fill(SHIRT)
    cart.locator("input[name=qty]").first.fill("2")
    cart.locator("input[name=coupons]").fill("SUMMER100")
    cart.locator("button[type=submit]").click()
    line = page.locator("[data-table=lines] tr[data-line='1']")
    expect(line).to_contain_text("第二件半價")
    expect(line).to_contain_text("−NT$640")
    expect(line.locator("[data-line-total]")).to_have_text("NT$1,820")  # 2,560 − 640 − 100
    expect(page.locator("[data-coupon-used]")).to_have_text("SUMMER100")
    expect(page.locator("[data-total=total]")).to_have_text("NT$1,820")

    half, summer = every_promotion(hub)
    assert (half.kind, half.target.skus) == ("buy_x_get_y", [SHIRT])
    assert half.params == {"buy": 1, "get": 1, "bp": 5000}
    assert (summer.kind, summer.coupon) == ("amount_off", True)
    assert [a for a, *_ in audit_lines(hub, "promotion.")] == ["promotion.create"] * 2
    assert [d["mode"] for *_, d in audit_lines(hub, "coupon.issue")] == ["code", "member"]

    # The member card shows the coupon put into her wallet.
    page.goto(f"/console/members/{shop.member_id}")
    expect(page.locator(f"[data-table=wallet] tr[data-coupon='{wallet_code[1]}']")).to_contain_text("可使用")
    with page.context.expect_page() as opened:
        page.locator("[data-card-link]").click()
    card = opened.value
    card.wait_for_load_state()
    coupon = card.locator(f"[data-coupons] li[data-coupon='{wallet_code[1]}']")
    expect(coupon).to_contain_text("夏季折100")
    expect(coupon).to_contain_text(wallet_code[1])
