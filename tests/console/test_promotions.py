"""行銷活動: HQ admins and marketers create, change, pause and end promotions and issue coupons;
the domain's refusals are shown on the form and nothing is kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.core.config import Settings
from omohub.promotions.models import Coupon, Promotion
from omohub.promotions.service import wallet
from tests.console.conftest import post_form
from tests.console.loyalty_support import audit_lines, frozen_hub, put_tier
from tests.console.promo_support import DRESS, SHIRT, every_promotion, issue, promote, promotion, rows_of
from tests.console.seed import PHONE, Shop

PAGE = "/console/promotions"
TAIPEI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def form(kind: str, **fields: Any) -> dict[str, Any]:
    """The promotion form as a browser sends it (only the chosen kind's parameters matter)."""
    base = {
        "name": "測試活動",
        "kind": kind,
        "target_all": "true",
        "stacking": "stackable",
        "audience": "all",
        "priority": "0",
    }
    return {**base, **fields}


def _create(client: TestClient, data: dict[str, Any]) -> httpx.Response:
    return post_form(client, PAGE, data, page=f"{PAGE}/new")


def _error(html: str, field: str) -> str:
    found = re.search(rf'data-error="{re.escape(field)}">([^<]*)<', html)
    assert found, f"no problem shown on {field}"
    return unescape(found.group(1))


@pytest.mark.parametrize(
    ("kind", "fields", "params", "summary"),
    [
        ("percent_off", {"percent_off.pct": "10"}, {"bp": 1000}, "折 10%"),
        ("amount_off", {"amount_off.amount": "1,000"}, {"amount": 1000}, "折 NT$1,000"),
        (
            "threshold",
            {
                "threshold.min_spend": ["1000", "2000", ""],
                "threshold.amount_off": ["100", "", ""],
                "threshold.pct": ["", "15", ""],
            },
            {
                "steps": [
                    {"min_spend": 1000, "amount_off": 100, "bp": 0},
                    {"min_spend": 2000, "amount_off": 0, "bp": 1500},
                ],
                "repeat": False,
            },
            "滿 NT$1,000 折 NT$100；滿 NT$2,000 折 15%",
        ),
        (
            "buy_x_get_y",
            {"buy_x_get_y.buy": "1", "buy_x_get_y.get": "1", "buy_x_get_y.pct": "50"},
            {"buy": 1, "get": 1, "bp": 5000},
            "買 1 件，另 1 件折 50%",
        ),
        (
            "bundle_price",
            {"bundle_price.size": "3", "bundle_price.price": "999"},
            {"size": 3, "price": 999},
            "任選 3 件 NT$999",
        ),
        (
            "price_override",
            {"price_override.prices": f"{DRESS} 1,680\n\n{SHIRT}=990"},
            {"prices": {DRESS: 1680, SHIRT: 990}, "price": None},
            "2 個商品特價",
        ),
        (
            "gift",
            {"gift.min_spend": "3000", "gift.gift_sku": SHIRT, "gift.quantity": "1"},
            {"min_spend": 3000, "gift_sku": SHIRT, "quantity": 1},
            f"滿 NT$3,000 送 {SHIRT} × 1",
        ),
    ],
)
def test_a_marketer_creates_every_kind_from_the_form(
    as_role: Callable[[str], TestClient],
    hub: Hub,
    shop: Shop,
    kind: str,
    fields: dict[str, Any],
    params: dict[str, Any],
    summary: str,
) -> None:
    client = as_role("marketer")
    r = _create(client, form(kind, name=f"{kind} 活動", **fields))
    assert r.status_code == 303, r.text
    [saved] = every_promotion(hub)
    assert r.headers["location"] == f"{PAGE}/{saved.id}"
    assert (saved.kind, saved.params, saved.status) == (kind, params, "active")
    assert saved.target.all and saved.channels == [] and saved.stores == []
    [(action, actor, subject, detail)] = audit_lines(hub, "promotion.")
    assert (action, actor, subject) == ("promotion.create", "user:marketer", f"promotion:{saved.id}")
    assert detail["promotion"]["params"] == params
    row = re.search(rf'<tr data-promotion="{saved.id}".*?</tr>', client.get(PAGE).text, re.S)
    assert row is not None and "全通路" in row.group(0) and "全門市" in row.group(0)
    assert 'data-phase="running"' in row.group(0)
    said = re.search(r"data-summary>(.*?)</div>", row.group(0), re.S)
    assert said is not None and " ".join(unescape(said.group(1)).split()) == summary


def test_every_setting_is_kept_and_the_form_shows_it_back_in_the_brands_time(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    put_tier(hub, "GOLD", "金卡", 20000)
    client = as_role("hq_admin")
    data = form(
        "buy_x_get_y",
        name="金卡門市第二件半價",
        description="夏季",
        target_all="",
        target_skus=f"{SHIRT}, {SHIRT}",
        target_categories="tops",
        **{"buy_x_get_y.buy": "1", "buy_x_get_y.get": "1", "buy_x_get_y.pct": "50"},
        starts_at="2026-07-01T10:00",
        ends_at="2026-07-31T22:00",
        channels=["pos", "web"],
        stores=["TPE-XINYI"],
        audience="tiers",
        tiers=["GOLD"],
        coupon="true",
        max_uses="1,000",
        max_uses_per_member="2",
        budget="50000",
        priority="５",
        stacking="exclusive",
    )
    assert _create(client, data).status_code == 303
    [p] = every_promotion(hub)
    assert p.target.skus == [SHIRT] and p.target.categories == ["tops"] and not p.target.all
    # Typed in Taipei time, kept in UTC.
    assert p.starts_at == dt.datetime(2026, 7, 1, 10, 0, tzinfo=TAIPEI)
    assert p.ends_at == dt.datetime(2026, 7, 31, 22, 0, tzinfo=TAIPEI)
    assert (p.channels, p.stores, p.audience, p.tiers) == (["pos", "web"], ["TPE-XINYI"], "tiers", ["GOLD"])
    assert (p.coupon, p.max_uses, p.max_uses_per_member, p.budget) == (True, 1000, 2, 50000)
    assert (p.priority, p.stacking, p.description) == (5, "exclusive", "夏季")
    html = client.get(f"{PAGE}/{p.id}").text
    assert 'name="starts_at" value="2026-07-01T10:00"' in html
    assert 'name="buy_x_get_y.pct" value="50"' in html
    assert 'value="GOLD" checked' in html and 'value="exclusive" checked' in html
    assert 'data-phase="scheduled"' in html
    row = re.search(rf'<tr data-promotion="{p.id}".*?</tr>', client.get(PAGE).text, re.S)
    assert row is not None and "2026-07-01 10:00 – 2026-07-31 22:00" in row.group(0)
    assert "全通路" not in row.group(0) and "門市" in row.group(0) and "官網" in row.group(0)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "必填"),
        ({"percent_off.pct": "150"}, "percent_off.pct", "請輸入 0.01 到 100 之間的百分比"),
        ({"percent_off.pct": ""}, "percent_off.pct", "必填"),
        ({"target_all": ""}, "target", "請勾選整筆訂單，或填入至少一個商品、規格或分類"),
        (
            {"starts_at": "2026-07-10T00:00", "ends_at": "2026-07-01T00:00"},
            "ends_at",
            "結束時間必須晚於開始時間",
        ),
        ({"starts_at": "七月"}, "starts_at", "請輸入日期與時間"),
        ({"audience": "tiers"}, "tiers", "請至少勾選一個等級"),
        ({"stores": ["TPE-NOWHERE"]}, "stores", "不在選項中：TPE-NOWHERE"),
        ({"max_uses": "0"}, "max_uses", "不可小於 1"),
        (
            {"kind": "threshold", "threshold.min_spend": ["1000"]},
            "threshold.0",
            "每一階請填折抵金額或折扣%，擇一",
        ),
        ({"kind": "threshold"}, "threshold.steps", "請至少填一階：滿額與折抵金額或折扣%"),
        ({"kind": "buy_x_get_y", "buy_x_get_y.buy": "二"}, "buy_x_get_y.buy", "請輸入整數"),
        (
            {"kind": "price_override", "price_override.prices": "ONLY-A-CODE"},
            "price_override.prices",
            "第 1 行",
        ),
        # Refused by the domain: codes it does not know, and its own rules.
        (
            {"target_all": "", "target_skus": "NOPE-1\nNOPE-2"},
            "target_skus",
            "查無這些代碼：'NOPE-1', 'NOPE-2'",
        ),
        (
            {"kind": "gift", "gift.min_spend": "100", "gift.gift_sku": "NOPE"},
            "gift.gift_sku",
            "查無這些代碼：'NOPE'",
        ),
        ({"auto_issue": "welcome"}, "auto_issue", "無法儲存：auto_issue needs a coupon promotion"),
    ],
)
def test_problems_are_shown_on_their_fields_and_nothing_is_saved(
    as_role: Callable[[str], TestClient],
    hub: Hub,
    shop: Shop,
    fields: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client = as_role("marketer")
    sent = {**form("percent_off", **{"percent_off.pct": "10"}), **fields}
    r = _create(client, sent)
    assert r.status_code == 422 and "data-form-error" in r.text
    assert _error(r.text, field).startswith(message)
    assert f'value="{sent["name"]}"' in r.text  # what was typed is still there
    assert rows_of(hub, Promotion) == 0 and audit_lines(hub, "promotion.") == []


def test_a_clash_with_another_exclusive_promotion_names_it_and_nothing_is_saved(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    first = promote(hub, "週年慶全館8折", "percent_off", {"bp": 2000}, stacking="exclusive")
    client = as_role("hq_admin")
    clash = form("amount_off", name="滿額現折", stacking="exclusive", **{"amount_off.amount": "300"})
    r = _create(client, clash)
    assert r.status_code == 409
    assert _error(r.text, "stacking").startswith(f"與活動 #{first} 週年慶全館8折 衝突")
    assert [p.id for p in every_promotion(hub)] == [first] and audit_lines(hub, "promotion.") == []
    assert _create(client, {**clash, "priority": "10"}).status_code == 303  # a higher priority orders them


def test_changes_are_audited_field_by_field_and_a_refused_change_keeps_the_promotion(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    pid = promote(hub, "全館9折", "percent_off", {"bp": 1000})
    client = as_role("marketer")
    page = f"{PAGE}/{pid}"
    edit = form("percent_off", name="全館85折", **{"percent_off.pct": "15"})
    r = post_form(client, page, edit)
    assert r.status_code == 303 and "已儲存活動「全館85折」" in client.get(page).text
    assert promotion(hub, pid).params == {"bp": 1500}
    [(action, actor, _, detail)] = audit_lines(hub, "promotion.update")
    assert (action, actor) == ("promotion.update", "user:marketer")
    assert detail["changes"] == {"name": ["全館9折", "全館85折"], "params": [{"bp": 1000}, {"bp": 1500}]}
    assert "沒有變更" in client.get(post_form(client, page, edit).headers["location"]).text
    assert len(audit_lines(hub, "promotion.update")) == 1

    r = post_form(client, page, {**edit, "target_all": "", "target_skus": "NOPE"})
    assert r.status_code == 422 and _error(r.text, "target_skus") == "查無這些代碼：'NOPE'"
    kept = promotion(hub, pid)
    assert kept.target.all and kept.target.skus == [] and len(audit_lines(hub, "promotion.update")) == 1
    assert post_form(client, f"{PAGE}/999999", edit, page=page).status_code == 404


def test_pause_resume_and_end_and_a_resume_that_would_clash_is_refused(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    pid = promote(hub, "會員獨享9折", "percent_off", {"bp": 1000}, stacking="exclusive")
    client = as_role("marketer")
    page = f"{PAGE}/{pid}"
    assert 'data-status-to="paused"' in client.get(page).text
    r = post_form(client, f"{page}/status", {"status": "paused", "next": PAGE}, page=page)
    assert r.status_code == 303 and r.headers["location"] == PAGE
    assert promotion(hub, pid).status == "paused"
    assert 'data-phase="paused"' in client.get(PAGE).text

    other = promote(hub, "店慶獨享折200", "amount_off", {"amount": 200}, stacking="exclusive")
    r = post_form(client, f"{page}/status", {"status": "active"}, page=page)
    assert f"與活動 #{other} 店慶獨享折200 衝突" in client.get(r.headers["location"]).text
    assert promotion(hub, pid).status == "paused"

    post_form(client, f"{PAGE}/{other}/status", {"status": "ended"}, page=page)
    for status in ("active", "ended"):
        assert post_form(client, f"{page}/status", {"status": status}, page=page).status_code == 303
        assert promotion(hub, pid).status == status
    assert 'data-status-to="' not in client.get(page).text  # an ended promotion stays ended
    assert [(a, s) for a, _, s, _ in audit_lines(hub, "promotion.")] == [
        ("promotion.pause", f"promotion:{pid}"),
        ("promotion.end", f"promotion:{other}"),
        ("promotion.resume", f"promotion:{pid}"),
        ("promotion.end", f"promotion:{pid}"),
    ]


def test_coupons_as_one_shared_code_as_a_bulk_batch_in_csv_and_into_a_wallet(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    pid = promote(hub, "夏季折100", "amount_off", {"amount": 100}, coupon=True)
    client = as_role("marketer")
    page, issue_at = f"{PAGE}/{pid}", f"{PAGE}/{pid}/coupons"
    r = post_form(client, issue_at, {"mode": "code", "code": "summer100", "max_uses": "500"}, page=page)
    assert r.status_code == 303 and "已發出代碼 SUMMER100" in client.get(r.headers["location"]).text
    r = post_form(client, issue_at, {"mode": "code", "code": "SUMMER100", "max_uses": "1"}, page=page)
    assert r.status_code == 422 and "exists already" in _error(r.text, "code")

    bulk = {"mode": "count", "count": "25", "prefix": "vip", "max_uses": "1"}
    r = post_form(client, issue_at, bulk, page=page)
    assert r.status_code == 303 and "?batch=" in r.headers["location"]
    html = client.get(r.headers["location"]).text
    assert "這批共 25 組代碼" in html and html.count("data-batch-code") == 25
    csv_link = re.search(r'href="(/console/promotions/\d+/coupons\.csv\?batch=\d+)"', html)
    assert csv_link is not None
    download = client.get(csv_link.group(1))
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.text.startswith("\ufeff")
    batch = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert len(batch) == 25 and len({row["code"] for row in batch}) == 25
    assert all(row["code"].startswith("VIP") and row["max_uses"] == "1" for row in batch)

    r = post_form(client, issue_at, {"mode": "member", "member": PHONE, "max_uses": "1"}, page=page)
    assert r.status_code == 303
    with hub.uow() as session:
        [mine] = wallet.wallet(session, shop.member_id)
    assert mine.promotion_name == "夏季折100" and mine.usable
    r = post_form(client, issue_at, {"mode": "member", "member": "0987-000-000"}, page=page)
    assert r.status_code == 422 and _error(r.text, "member") == "查無此會員"

    everything = client.get(f"{PAGE}/{pid}/coupons.csv").text
    assert len(everything.strip().splitlines()) == 1 + 1 + 25 + 1
    assert "已發 27 張" in client.get(page).text
    assert [(d["mode"], d["issued"], d.get("member")) for *_, d in audit_lines(hub, "coupon.issue")] == [
        ("code", 1, None),
        ("count", 25, None),
        ("member", 1, shop.member_id),
    ]


def test_a_promotion_without_coupons_offers_no_issue_form_and_issues_nothing(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    pid = promote(hub, "全館9折", "percent_off", {"bp": 1000})
    client = as_role("hq_admin")
    page = f"{PAGE}/{pid}"
    html = client.get(page).text
    assert "data-no-coupon" in html and 'data-form="coupons"' not in html
    r = post_form(client, f"{page}/coupons", {"mode": "code", "code": "FREE100"}, page=page)
    assert r.status_code == 422 and "does not take coupons" in r.text
    assert rows_of(hub, Coupon) == 0 and audit_lines(hub, "coupon.") == []


@pytest.mark.parametrize("role", ["store_manager", "clerk"])
def test_other_roles_can_neither_open_nor_change_promotions(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop, role: str
) -> None:
    pid = promote(hub, "夏季折100", "amount_off", {"amount": 100}, coupon=True)
    issue(hub, pid, code="SUMMER100")
    client = as_role(role)
    for path in (f"{PAGE}/new", f"{PAGE}/{pid}", f"{PAGE}/{pid}/coupons.csv", "/console/preview"):
        assert client.get(path).status_code == 403, path
    for path, data in (
        (PAGE, form("percent_off", **{"percent_off.pct": "50"})),
        (f"{PAGE}/{pid}", form("amount_off", **{"amount_off.amount": "900"})),
        (f"{PAGE}/{pid}/status", {"status": "ended"}),
        (f"{PAGE}/{pid}/coupons", {"mode": "count", "count": "5"}),
    ):
        r = post_form(client, path, data, page="/console/members")
        assert r.status_code == 403 and "沒有權限" in r.text, path
    [p] = every_promotion(hub)
    assert (p.params, p.status) == ({"amount": 100}, "active")
    with hub.uow() as session:
        assert session.scalars(select(Coupon.code)).all() == ["SUMMER100"]
    assert audit_lines(hub, "promotion.") == audit_lines(hub, "coupon.") == []
