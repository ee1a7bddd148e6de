"""點數與等級: program settings, earn rules and tiers — HQ admins change them, marketers look."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.core.config import Settings
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.rules import ProgramSettings, RuleSpec
from omohub.loyalty.service import program
from tests.console.conftest import post_form
from tests.console.loyalty_support import audit_lines, frozen_hub, put_tier
from tests.console.seed import Shop

PAGE = "/console/loyalty"
#: The settings form as a browser sends it: every field, as text.
FORM = {k: "" if v is None else str(v) for k, v in ProgramSettings().model_dump().items()}


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    yield from frozen_hub(settings)


def _send(client: TestClient, path: str, data: dict[str, Any]) -> httpx.Response:
    return post_form(client, f"{PAGE}{path}", data, page=PAGE)


def _settings(hub: Hub) -> ProgramSettings:
    with hub.uow() as session:
        return program.settings(session)


def _rules(hub: Hub) -> list[tuple[str, bool, RuleSpec]]:
    with hub.uow() as session:
        rows = loyalty_repo.earn_rules(session, active_only=False)
        return [(r.name, r.active, RuleSpec.model_validate(r.spec)) for r in rows]


def _tiers(hub: Hub) -> list[tuple[str, str, int, dict[str, Any]]]:
    with hub.uow() as session:
        return [(t.code, t.name, t.threshold, dict(t.benefits)) for t in loyalty_repo.tiers(session)]


def test_marketer_sees_the_settings_but_cannot_change_them(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    put_tier(hub, "GOLD", "金卡", 20000, 15000)
    client = as_role("marketer")
    html = client.get(PAGE).text
    assert "data-read-only" in html and '<fieldset class="plain" disabled>' in html
    assert 'data-tier="GOLD"' in html and "1.5×" in html
    assert 'data-form="rule"' not in html and 'data-form="tier"' not in html and "data-edit-tier" not in html
    for path, data in (
        ("/program", {**FORM, "spend_unit": "50"}),
        ("/rules", {"name": "偷加", "kind": "bonus", "points": "999"}),
        ("/tiers", {"code": "VIP", "name": "VIP", "threshold": "1"}),
        ("/tiers", {"editing": "GOLD", "code": "GOLD", "name": "金卡", "threshold": "1"}),
    ):
        r = _send(client, path, data)
        assert r.status_code == 403 and "沒有權限" in r.text, path
    assert _settings(hub) == ProgramSettings()
    assert _rules(hub) == [] and [t[:3] for t in _tiers(hub)] == [("GOLD", "金卡", 20000)]
    assert audit_lines(hub, "loyalty_program") == audit_lines(hub, "tier") == []


def test_admin_saves_the_program_settings_and_only_the_changes_are_audited(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    html = client.get(PAGE).text
    assert "目前：每消費 NT$100 累積 1 點；1 點可折抵 NT$1。" in html
    for name in ProgramSettings.model_fields:  # every setting has a field, a label and help
        assert f'data-setting="{name}"' in html and f'name="{name}"' in html
    changed = {
        **FORM,
        "spend_unit": "50",
        "expiry": "months",
        "expiry_months": "６",
        "max_redeem_points": "5,000",
    }
    r = _send(client, "/program", changed)
    assert r.status_code == 303
    assert "已儲存點數設定" in client.get(r.headers["location"]).text
    expected = ProgramSettings(spend_unit=50, expiry="months", expiry_months=6, max_redeem_points=5000)
    assert _settings(hub) == expected
    [(action, actor, subject, detail)] = audit_lines(hub, "loyalty_program")
    assert (action, actor, subject) == ("loyalty_program.update", "user:hq_admin", "loyalty:program")
    assert detail == {
        "changes": {
            "spend_unit": [100, 50],
            "expiry": ["end_of_next_year", "months"],
            "expiry_months": [12, 6],
            "max_redeem_points": [None, 5000],
        }
    }
    r = _send(client, "/program", {**changed, "max_redeem_points": "5000"})  # the same again
    assert "設定沒有變更" in client.get(r.headers["location"]).text
    assert len(audit_lines(hub, "loyalty_program")) == 1


def test_program_problems_are_shown_by_field_and_nothing_is_saved(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    bad = {
        **FORM,
        "spend_unit": "0",
        "pending_days": "七",
        "expiry": "sometimes",
        "max_redeem_percent": "150",
    }
    r = _send(client, "/program", bad)
    assert r.status_code == 422 and "data-form-error" in r.text
    for field, message in (
        ("spend_unit", "不可小於 1"),
        ("pending_days", "請輸入整數"),
        ("expiry", "請從選項中選擇"),
        ("max_redeem_percent", "不可大於 100"),
    ):
        assert f'data-error="{field}">{message}<' in r.text, field
    assert 'name="pending_days" inputmode="numeric" autocomplete="off" value="七"' in r.text
    r = _send(client, "/program", {**FORM, "min_redeem_points": "500", "max_redeem_points": "100"})
    assert r.status_code == 422
    assert 'data-error="max_redeem_points">不可小於「每筆最少折抵點數」<' in r.text
    assert _settings(hub) == ProgramSettings()
    assert audit_lines(hub, "loyalty_program") == []


def test_admin_adds_an_earn_rule_and_switches_it_off_and_on(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    put_tier(hub, "GOLD", "金卡", 20000)
    client = as_role("hq_admin")
    rule = {
        "name": "門市生日月雙倍",
        "kind": "rate",
        "points": "1",
        "per": "100",
        "channels": ["pos"],
        "stores": ["TPE-XINYI"],
        "tiers": ["GOLD"],
        "birthday_month": "true",
    }
    r = _send(client, "/rules", rule)
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#rules"
    spec = RuleSpec(
        kind="rate",
        points=1,
        per=100,
        channels=frozenset({"pos"}),
        stores=frozenset({"TPE-XINYI"}),
        tiers=frozenset({"GOLD"}),
        birthday_month=True,
    )
    assert _rules(hub) == [("門市生日月雙倍", True, spec)]
    html = client.get(PAGE).text
    assert "每消費 NT$100 加 1 點" in html and "生日當月" in html and '<span class="chip">金卡</span>' in html
    with hub.uow() as session:
        rule_id = loyalty_repo.earn_rules(session)[0].id
    for active in ("false", "true"):
        r = _send(client, f"/rules/{rule_id}/active", {"active": active})
        assert r.status_code == 303
        assert _rules(hub)[0][1] is (active == "true")
    assert _send(client, "/rules", {"name": "首購禮", "kind": "bonus", "points": "50"}).status_code == 303
    assert _rules(hub)[1] == ("首購禮", True, RuleSpec(kind="bonus", points=50))
    assert [(a, s) for a, _, s, _ in audit_lines(hub, "earn_rule")] == [
        ("earn_rule.create", f"earn_rule:{rule_id}"),
        ("earn_rule.deactivate", f"earn_rule:{rule_id}"),
        ("earn_rule.activate", f"earn_rule:{rule_id}"),
        ("earn_rule.create", f"earn_rule:{rule_id + 1}"),
    ]
    assert _send(client, "/rules/999999/active", {"active": "false"}).status_code == 404


def test_earn_rule_problems_are_shown_and_no_rule_is_added(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    r = _send(
        client,
        "/rules",
        {
            "name": "",
            "kind": "rate",
            "points": "0",
            "per": "100",
            "stores": ["TPE-NOWHERE"],
            "tiers": ["VIP"],
        },
    )
    assert r.status_code == 422
    for field, message in (
        ("name", "必填"),
        ("points", "不可小於 1"),
        ("stores", "不在選項中：TPE-NOWHERE"),
        ("tiers", "不在選項中：VIP"),
    ):
        assert f'data-error="{field}">{message}<' in r.text, field
    r = _send(client, "/rules", {"name": "x", "kind": "double", "points": "1"})
    assert r.status_code == 422 and 'data-error="kind">請從選項中選擇<' in r.text
    assert _rules(hub) == [] and audit_lines(hub, "earn_rule") == []


def test_admin_creates_a_tier_then_changes_it(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("hq_admin")
    tier = {
        "code": "SILVER",
        "name": "銀卡",
        "threshold": "10,000",
        "multiplier": "1.5",
        "free_shipping": "true",
    }
    r = _send(client, "/tiers", tier)
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#tiers"
    benefits = {"earn_multiplier_bp": 15000, "free_shipping": True, "birthday_coupon_promotion_id": None}
    assert _tiers(hub) == [("SILVER", "銀卡", 10000, benefits)]
    html = client.get(PAGE).text
    assert "已儲存等級「銀卡」" in html and "NT$10,000" in html and "1.5×" in html
    form = client.get(PAGE, params={"tier": "SILVER"}).text  # the edit button fills the form
    assert "編輯等級 SILVER" in form and 'name="editing" value="SILVER"' in form
    assert 'value="SILVER" readonly' in form and 'name="multiplier" inputmode="decimal" value="1.5"' in form
    changed = {
        "editing": "SILVER",
        "code": "SILVER",
        "name": "銀卡會員",
        "threshold": "12000",
        "multiplier": "2×",
    }
    changed["birthday_coupon_promotion_id"] = "7"
    assert _send(client, "/tiers", changed).status_code == 303
    benefits = {"earn_multiplier_bp": 20000, "free_shipping": False, "birthday_coupon_promotion_id": 7}
    assert _tiers(hub) == [("SILVER", "銀卡會員", 12000, benefits)]
    assert [(a, s, d["threshold"]) for a, _, s, d in audit_lines(hub, "tier")] == [
        ("tier.create", "tier:SILVER", 10000),
        ("tier.update", "tier:SILVER", 12000),
    ]


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"code": "金 卡"}, "code", "代碼只能用英文字母、數字"),
        ({"code": "GOLD"}, "code", "已有代碼 GOLD 的等級"),
        ({"threshold": "20000"}, "threshold", "等級 GOLD 已經使用這個門檻"),
        ({"threshold": "-1"}, "threshold", "不可小於 0"),
        ({"multiplier": "abc"}, "multiplier", "請輸入 0 到 10 之間的倍數"),
        ({"multiplier": "12"}, "multiplier", "請輸入 0 到 10 之間的倍數"),
        ({"multiplier": "1.23456"}, "multiplier", "請輸入 0 到 10 之間的倍數"),
        ({"name": ""}, "name", "必填"),
        ({"birthday_coupon_promotion_id": "0"}, "birthday_coupon_promotion_id", "不可小於 1"),
    ],
)
def test_tier_problems_are_shown_and_nothing_changes(
    as_role: Callable[[str], TestClient],
    hub: Hub,
    shop: Shop,
    sent: dict[str, str],
    field: str,
    message: str,
) -> None:
    put_tier(hub, "GOLD", "金卡", 20000, 15000)
    before = _tiers(hub)
    client = as_role("hq_admin")
    r = _send(
        client, "/tiers", {"code": "VIP", "name": "VIP", "threshold": "50000", "multiplier": "2", **sent}
    )
    assert r.status_code == 422 and "data-form-error" in r.text
    assert f'data-error="{field}">{message}' in r.text
    assert _tiers(hub) == before and audit_lines(hub, "tier") == []
