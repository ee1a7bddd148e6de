"""試算: a cart priced by the real engine as the till would, every line explained, every related
promotion's verdict — and nothing reserved, held or kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.checkout.models import Quote
from omohub.core.config import Settings
from omohub.loyalty.models import PointHold
from omohub.promotions.models import CouponUse
from omohub.promotions.service import promotions
from tests.console.conftest import post_form
from tests.console.loyalty_support import frozen_hub
from tests.console.promo_support import DRESS, SHIRT, issue, promote, rows_of
from tests.console.seed import PHONE, Shop

PAGE = "/console/preview"
JULY = dt.datetime(2026, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def _cart(*lines: tuple[str, int], **over: Any) -> dict[str, Any]:
    """The preview form: a till sale at 信義店 to 小美 (by phone) unless told otherwise."""
    skus = [sku for sku, _ in lines] + [""] * 2  # empty rows, as the form sends them
    qty = [str(q) for _, q in lines] + [""] * 2
    return {"channel": "pos", "store": "TPE-XINYI", "member": PHONE, "sku": skus, "qty": qty, **over}


def _price(client: TestClient, data: dict[str, Any]) -> httpx.Response:
    return post_form(client, PAGE, data)


def _cell(html: str, marker: str) -> str:
    found = re.search(rf"<(\w+)[^>]*{re.escape(marker)}[^>]*>(.*?)</\1>", html, re.S)
    assert found, f"nothing marked {marker}"
    return unescape(re.sub(r"<[^>]+>", " ", found.group(2)))


def _row(html: str, marker: str) -> str:
    found = re.search(rf"<tr {re.escape(marker)}.*?</tr>", html, re.S)
    assert found, f"no row {marker}"
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def test_a_marketer_sees_why_each_line_costs_what_it_costs_and_nothing_is_kept(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    half = promote(hub, "第二件半價", "buy_x_get_y", {"buy": 1, "get": 1, "bp": 5000}, {"skus": [SHIRT]})
    summer = promote(hub, "夏季折100", "amount_off", {"amount": 100}, coupon=True)
    issue(hub, summer, code="SUMMER100")
    small = promote(hub, "擇優折200", "amount_off", {"amount": 200}, stacking="best")
    big = promote(hub, "擇優折300", "amount_off", {"amount": 300}, stacking="best")
    july = promote(hub, "七月全館8折", "percent_off", {"bp": 2000}, starts_at=JULY.isoformat())
    web = promote(hub, "官網限定折50", "amount_off", {"amount": 50}, channels=["web"])
    paused = promote(hub, "暫停中的折80", "amount_off", {"amount": 80})
    with hub.uow() as session:
        promotions.set_status(session, paused, "paused")

    r = _price(as_role("marketer"), _cart((SHIRT, 2), (DRESS, 1), coupons="summer100"))
    assert r.status_code == 200, r.text
    html = r.text
    shirt = _row(html, 'data-line="1"')
    assert "第二件半價" in shirt and "−NT$640" in shirt and "1 件打5折" in shirt  # in the viewer's language
    assert "折抵 NT$100，依各品項金額分攤" in shirt
    # 2,560 − 640, less its shares (by amount, against the dress) of the coupon's 100 and the 300.
    assert _cell(html, "data-line-total").strip() == "NT$1,723"
    # 2 × 1,280 + 1,980; the half-price unit, the coupon and the better of the two "best" ones.
    assert _cell(html, 'data-total="subtotal"').strip() == "NT$4,540"
    assert _cell(html, 'data-total="total"').strip() == "NT$3,500"
    assert "這筆可累積 35 點" in html
    assert "SUMMER100" in _row(html, f'data-applied="{summer}"')
    assert {int(i) for i in re.findall(r'data-applied="(\d+)"', html)} == {half, summer, big}

    verdicts = {p: _row(html, f'data-verdict="{p}"') for p in (half, summer, small, big, july, web, paused)}
    assert "已套用" in verdicts[half] and "已套用" in verdicts[big]
    assert "其他組合對顧客更划算" in verdicts[small]
    assert "尚未開始（2026-07-01 00:00 開始）" in verdicts[july] and "−NT$908" in verdicts[july]
    assert "不適用於門市" in verdicts[web]
    assert "活動已暫停" in verdicts[paused] and "−NT$80" in verdicts[paused]
    assert (rows_of(hub, Quote), rows_of(hub, CouponUse), rows_of(hub, PointHold)) == (0, 0, 0)


def test_a_walk_in_does_not_get_members_only_promotions_and_the_preview_says_so(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    members = promote(hub, "會員折30", "amount_off", {"amount": 30}, audience="members")
    client = as_role("hq_admin")
    walk_in = _price(client, _cart((SHIRT, 1), member="")).text
    assert _cell(walk_in, 'data-total="total"').strip() == "NT$1,280"
    assert "限會員" in _row(walk_in, f'data-verdict="{members}"') and "非會員" in walk_in
    member = _price(client, _cart((SHIRT, 1))).text
    assert _cell(member, 'data-total="total"').strip() == "NT$1,250"


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"sku": ["", "NOPE-1", ""], "qty": ["", "1", ""]}, "line.1", "查無此商品編號"),
        ({"qty": ["0", ""]}, "line.0", "必須大於 0"),
        ({"sku": ["", ""], "qty": ["", ""]}, "lines", "請至少填一項商品"),
        ({"coupons": "NOSUCH"}, "coupons", "優惠券 NOSUCH：查無此代碼"),
        ({"member": "0987-000-000"}, "member", "查無此會員"),
        ({"member": "", "points": "100"}, "points", "折抵點數需要會員"),
        ({"channel": "pos", "store": ""}, "store", "門市的購物車請選擇門市"),
    ],
)
def test_a_cart_the_engine_would_refuse_is_shown_with_the_problem_and_nothing_is_kept(
    as_role: Callable[[str], TestClient],
    hub: Hub,
    shop: Shop,
    over: dict[str, Any],
    field: str,
    message: str,
) -> None:
    summer = promote(hub, "夏季折100", "amount_off", {"amount": 100}, coupon=True)
    issue(hub, summer, code="SUMMER100")
    r = _price(as_role("marketer"), {**_cart((SHIRT, 1), coupons="SUMMER100"), **over})
    assert r.status_code == 422 and "data-result" not in r.text
    found = re.search(rf'data-error="{field or "form"}">([^<]*)<', r.text)
    assert found is not None and message in unescape(found.group(1))
    assert (rows_of(hub, Quote), rows_of(hub, CouponUse), rows_of(hub, PointHold)) == (0, 0, 0)


def test_a_promotions_page_opens_the_preview_with_its_skus(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    half = promote(hub, "第二件半價", "buy_x_get_y", {"buy": 1, "get": 1, "bp": 5000}, {"skus": [SHIRT]})
    client = as_role("marketer")
    link = re.search(r'href="([^"]+)" data-preview-link', client.get(f"/console/promotions/{half}").text)
    assert link is not None and unescape(link.group(1)) == f"{PAGE}?sku={SHIRT}"
    form = client.get(unescape(link.group(1))).text
    first_row = re.search(r'<tr data-row="0">.*?</tr>', form, re.S)
    assert first_row is not None and f'value="{SHIRT}"' in first_row.group(0)
    assert '<option value="TPE-XINYI" selected>' in form  # the marketer's own store
