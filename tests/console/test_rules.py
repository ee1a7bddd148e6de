"""Pure console rules: reading the search box, safe redirects, the role matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omohub.access.models import ROLES
from omohub.console import rules
from omohub.members.rules import new_card_number
from omohub.promotions.models import Coupon, Promotion
from omohub.promotions.service.coupons import why_not


@pytest.mark.parametrize(
    ("entry", "first"),
    [
        ("0912-345-678", "phone"),
        ("0912345678", "phone"),
        ("+886 912 345 678", "phone"),
        ("amy@example.com", "email"),
        ("U" + "ab" * 16, "line_uid"),
        ("42", "member_id"),
        ("shopify:1001", "external"),
        ("3f2b8c1e-7d4a-4c55-9a0e-2b7f1c9d8e6a", "anonymous_id"),
        ("LEGACY0042", "member_card"),
    ],
)
def test_search_entry_is_read_as_the_likeliest_identifier(entry: str, first: str) -> None:
    assert rules.search_candidates(entry)[0] == first


def test_a_scanned_card_number_is_tried_as_a_card_first() -> None:
    card = new_card_number()
    assert rules.search_candidates(card) == ["member_card", "phone"]
    assert rules.search_candidates(" ".join([card[:4], card[4:8], card[8:]]))[0] == "member_card"


def test_an_explicit_search_type_is_the_only_candidate() -> None:
    assert rules.search_candidates("0912345678", "card") == ["member_card"]
    assert rules.search_candidates("x", "bogus") == []
    assert rules.search_candidates("   ") == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/members/1", "/console/members/1"),
        ("/console/orders?channel=pos", "/console/orders?channel=pos"),
        ("https://evil.example/", "/console/"),
        ("//evil.example/", "/console/"),
        ("/console\\..\\evil", "/console/"),
        ("/api/v1/members", "/console/"),
        ("", "/console/"),
        (None, "/console/"),
    ],
)
def test_safe_next_stays_on_the_console(target: str | None, expected: str) -> None:
    assert rules.safe_next(target, "/console", "/console/") == expected


def test_role_matrix() -> None:
    assert set(ROLES) == rules.ALL_ROLES
    assert rules.nav_for("clerk") == ["home", "members", "checkout"]
    assert rules.nav_for("hq_admin") == list(rules.NAV)
    assert not rules.can_do("clerk", "member.card")
    assert rules.can_do("store_manager", "member.card")
    assert [r for r in ROLES if rules.can_do(r, "member.unmerge")] == ["hq_admin"]
    assert not rules.can_open("clerk", "no-such-page")


def test_locale_choice_and_card_grouping() -> None:
    assert rules.pick_locale("fr", None, "en") == "en"
    assert rules.pick_locale(None) == "zh-TW"
    assert rules.group_card("812345678903") == "8123 4567 8903"


@pytest.mark.parametrize(
    ("bp", "text"),
    [(10_000, "1×"), (15_000, "1.5×"), (12_500, "1.25×"), (0, "0×"), (100_000, "10×"), (10_001, "1.0001×")],
)
def test_tier_multiplier_is_written_and_read_back(bp: int, text: str) -> None:
    assert rules.multiplier_text(bp) == text
    assert rules.parse_multiplier(text) == bp
    assert rules.parse_multiplier(text.rstrip("×")) == bp


@pytest.mark.parametrize("text", ["", "abc", "1.23456", "-1", "1,5", "1e2", "１.５"])
def test_a_multiplier_that_is_not_plain_is_refused(text: str) -> None:
    assert rules.parse_multiplier(text) is None


@pytest.mark.parametrize(
    ("basis", "threshold", "percent"),
    [
        (0, 5000, 0),
        (1200, 5000, 24),
        (4999, 5000, 99),
        (5000, 5000, 100),
        (9000, 5000, 100),
        (-300, 5000, 0),
        (7, 0, 100),
    ],
)
def test_progress_to_the_next_tier(basis: int, threshold: int, percent: int) -> None:
    assert rules.progress_percent(basis, threshold) == percent


def test_loyalty_actions_are_hq_admins_and_marketers_may_look() -> None:
    assert [r for r in ROLES if rules.can_open(r, "loyalty")] == ["hq_admin", "marketer"]
    assert [r for r in ROLES if rules.can_do(r, "loyalty_settings.change")] == ["hq_admin"]
    assert [r for r in ROLES if rules.can_do(r, "member.adjust_points")] == ["hq_admin"]


@pytest.mark.parametrize(
    ("text", "bp"), [("50", 5000), ("12.5", 1250), ("12.5%", 1250), ("0.01", 1), ("100", 10_000)]
)
def test_a_percentage_is_typed_as_staff_say_it_and_kept_in_basis_points(text: str, bp: int) -> None:
    assert rules.parse_percent(text) == bp
    assert rules.percent_text(bp) == text.rstrip("%")


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-5", "1,5", "1e2", "1000"])
def test_a_percentage_that_is_not_plain_is_refused(text: str) -> None:
    assert rules.parse_percent(text) is None


def test_where_a_promotion_stands() -> None:
    now = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    assert rules.promotion_phase("active", None, None, now, capped=False) == "running"
    assert rules.promotion_phase("active", now + day, None, now, capped=False) == "scheduled"
    assert rules.promotion_phase("active", None, now, now, capped=False) == "finished"  # the end is exclusive
    assert rules.promotion_phase("active", now - day, now + day, now, capped=True) == "capped"
    assert rules.promotion_phase("paused", now + day, None, now, capped=True) == "paused"
    assert rules.promotion_phase("ended", None, None, now, capped=False) == "ended"


def test_every_reason_the_domain_gives_for_a_coupon_has_its_own_text() -> None:
    """The console reads ``why_not``'s sentences: a new or reworded one must not go unnoticed."""
    now = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)

    def why(coupon: dict[str, Any] | None = None, channels: list[str] | None = None) -> str | None:
        c = Coupon(status="active", member_id=None, uses=0, max_uses=1, valid_from=None, valid_until=None)
        for name, value in (coupon or {}).items():
            setattr(c, name, value)
        p = Promotion(status="active", starts_at=None, ends_at=None, channels=channels or [])
        return why_not(c, p, member_id=7, channel="pos", now=now, reserved={})

    reasons = [
        why({"status": "void"}),
        why({"member_id": 8}),
        why({"valid_from": now + day}),
        why({"valid_until": now}),
        why({"uses": 1}),
        why(channels=["web"]),
        why_not(None, None, member_id=None, channel=None, now=now, reserved={}),
    ]
    keys = [found.key for found in map(rules.coupon_reason, reasons) if found]
    assert len(keys) == len(set(keys)) == len(reasons) and "coupon_why.other" not in keys
    assert rules.coupon_reason(why()) is None
    assert rules.coupon_reason(why(channels=["web"])) == rules.Reason("coupon_why.channel", channel="pos")
    assert rules.coupon_reason("is haunted") == rules.Reason("coupon_why.other", detail="is haunted")


def test_promotions_are_hq_admins_and_marketers_and_every_role_has_the_till() -> None:
    assert [r for r in ROLES if rules.can_open(r, "promotions")] == ["hq_admin", "marketer"]
    assert [r for r in ROLES if rules.can_open(r, "preview")] == ["hq_admin", "marketer"]
    assert all(rules.can_open(r, "checkout") for r in ROLES)
