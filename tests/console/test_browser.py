"""The console's main flows in a real headless Chromium, against a real uvicorn server."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from omohub.access.models import AuditEntry, ConsoleUser
from omohub.bootstrap import Hub
from omohub.members.models import Member
from omohub.webhooks.models import Subscription
from tests.console.conftest import browser_sign_in
from tests.console.seed import LINE_UID, Shop
from tests.console.symbols import decode_code128, decode_qr, svg_bars, svg_qr_matrix

pytestmark = pytest.mark.browser


def test_sign_in_speaks_zh_tw_and_switches_to_english(page: Page, hub: Hub) -> None:
    page.goto("/")
    assert page.url.endswith("/console/login?next=/console/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.locator("form.stack button[type=submit]")).to_have_text("登入")
    browser_sign_in(page, "hq_admin")
    expect(page.locator("h1")).to_have_text("今日總覽")
    page.locator(".sidebar .lang button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Today")
    expect(page.locator(".sidebar [data-page=members]")).to_have_text("Members")
    page.reload()  # the choice sticks, and is kept on the user's profile
    expect(page.locator("h1")).to_have_text("Today")
    with hub.uow() as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == "hq_admin"))
        assert user is not None and user.locale == "en"


def test_clerk_finds_a_member_by_phone_and_by_scanned_card_sees_masked_360_and_is_audited(
    page: Page, shop: Shop, hub: Hub
) -> None:
    browser_sign_in(page, "clerk")
    search = page.locator("input[name=q][data-scan]")
    expect(search).to_be_focused()  # a clerk's home is the search box, ready for the scanner
    search.fill("0912-345-678")
    search.press("Enter")
    page.wait_for_url(f"**/console/members/{shop.member_id}")
    expect(page.locator("[data-member-name]")).to_contain_text("林小美")
    expect(page.locator("[data-masked]")).to_be_visible()
    expect(page.locator("[data-identifier=phone]")).to_have_text("0912-***-678")
    expect(page.locator("[data-identifier=email]")).to_have_text("a***@example.com")
    assert shop.card_no not in page.content() and "+886912345678" not in page.content()
    expect(page.locator("[data-unmerge]")).to_have_count(0)  # clerks cannot unmerge
    expect(page.locator("[data-card-link]")).to_have_count(0)
    expect(page.locator("[data-table=purchases] tbody tr")).to_have_count(2)  # POS and web

    # A barcode scanner types the card number and Enter into the search box.
    page.goto("/console/members")
    page.locator("input[name=q][data-scan]").focus()
    page.keyboard.type(shop.card_no + "\n")
    page.wait_for_url(f"**/console/members/{shop.member_id}")
    expect(page.locator("[data-member-name]")).to_contain_text("林小美")

    with hub.uow() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.lookup")).all()
    assert [(e.actor, e.subject) for e in entries] == [("user:clerk", f"member:{shop.member_id}")] * 2


def test_member_card_shows_a_code_128_barcode_and_a_qr_code_that_decode_to_the_card_number(
    page: Page, browser: Browser, shop: Shop
) -> None:
    browser_sign_in(page, "marketer")
    page.goto(f"/console/members/{shop.member_id}")
    with page.context.expect_page() as opened:
        page.locator("[data-card-link]").click()
    card = opened.value
    card.wait_for_load_state()
    assert "/card/" in card.url
    expect(card.locator("[data-name]")).to_have_text("林小美")
    expect(card.locator("[data-card-no]")).to_have_attribute("data-card-no", shop.card_no)
    barcode = card.locator("svg[data-symbology=code128]")
    qr = card.locator("svg[data-symbology=qr]")
    for symbol in (barcode, qr):
        box = symbol.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    assert decode_code128(svg_bars(barcode.evaluate("e => e.outerHTML"))) == shop.card_no
    assert decode_qr(svg_qr_matrix(qr.evaluate("e => e.outerHTML"))) == shop.card_no

    # The member opens the same link on a phone, signed out: no console session is needed.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-US")
    mobile = phone.new_page()
    mobile.goto(card.url)
    expect(mobile.locator(".mc-kind")).to_have_text("Member card")
    expect(mobile.locator("svg[data-symbology=code128]")).to_be_visible()
    mobile.goto(card.url[:-3] + "xyz")  # a forged link shows nothing
    expect(mobile.locator("h1")).to_have_text("This member card link no longer works")
    phone.close()


def test_admin_creates_an_api_key_sees_its_secret_once_and_revokes_it(page: Page, server: str) -> None:
    browser_sign_in(page, "hq_admin")
    page.goto("/console/apikeys")
    page.fill("input[name=name]", "pos-xinyi")
    page.check("input[name=scopes][value=pos]")
    page.click("form.form-row button[type=submit]")
    secret = page.locator("[data-secret]").inner_text().strip()
    assert secret.startswith("omk_")
    r = httpx.get(f"{server}/api/v1/members/lookup", params={"phone": "0912345678"}, headers=_bearer(secret))
    assert r.status_code == 200 and r.json()["masked"] is True
    page.goto("/console/apikeys")  # shown once: never again
    assert secret not in page.content()
    row = page.locator("[data-table=apikeys] tr", has_text="pos-xinyi")
    expect(row).to_contain_text(secret[:10])
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.danger").click()
    expect(page.locator("[data-flash]")).to_contain_text("pos-xinyi")
    r = httpx.get(f"{server}/api/v1/members/lookup", params={"phone": "0912345678"}, headers=_bearer(secret))
    assert r.status_code == 401


def test_admin_creates_a_webhook_subscription_and_sees_its_secret_once(page: Page, hub: Hub) -> None:
    browser_sign_in(page, "hq_admin")
    page.locator(".sidebar [data-page=webhooks]").click()
    page.fill("input[name=url]", "https://erp.example.com/hooks/omohub")
    page.fill("input[name=description]", "ERP 會員同步")
    page.check("input[name=topics][value='member.created']")
    page.check("input[name=topics][value='order.completed']")
    page.click("form.form-row button[type=submit]")
    secret = page.locator("[data-secret]").inner_text().strip()
    assert secret.startswith("whsec_")
    expect(page.locator("[data-table=webhooks]")).to_contain_text("https://erp.example.com/hooks/omohub")
    with hub.uow() as session:
        sub = session.scalar(select(Subscription))
        assert sub is not None
        assert (sub.url, sub.topics, sub.secret) == (
            "https://erp.example.com/hooks/omohub",
            ["member.created", "order.completed"],
            secret,
        )
    page.reload()
    assert secret not in page.content()


def test_admin_unmerges_from_the_360(page: Page, shop: Shop, hub: Hub) -> None:
    browser_sign_in(page, "hq_admin")
    page.goto(f"/console/members/{shop.member_id}")
    expect(page.locator("[data-identifier=line_uid]")).to_have_text(LINE_UID)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"[data-unmerge='{shop.line_member_id}']").click()
    expect(page.locator("[data-flash]")).to_contain_text(f"#{shop.line_member_id}")
    expect(page.locator("[data-identifier=line_uid]")).to_have_count(0)
    expect(page.locator("[data-merges]")).to_contain_text("已於")  # the merge is marked undone
    with hub.uow() as session:
        line = session.get(Member, shop.line_member_id)
        assert line is not None and line.status == "active"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.unmerge"))
        assert entry is not None and entry.actor == "user:hq_admin"


def test_clerk_is_refused_the_api_keys_page(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a clerk's phone
    browser_sign_in(page, "clerk")
    page.locator(".topbar summary").click()
    expect(page.locator(".topbar [data-page=members]")).to_be_visible()
    expect(page.locator("[data-page=apikeys]")).to_have_count(0)
    response = page.goto("/console/apikeys")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("沒有權限")


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
