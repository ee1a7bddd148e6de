"""Pure console rules: reading the search box, safe redirects, the role matrix."""

from __future__ import annotations

import pytest

from omohub.access.models import ROLES
from omohub.console import rules
from omohub.members.rules import new_card_number


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
    assert rules.nav_for("clerk") == ["home", "members"]
    assert rules.nav_for("hq_admin") == list(rules.NAV)
    assert not rules.can_do("clerk", "member.card")
    assert rules.can_do("store_manager", "member.card")
    assert [r for r in ROLES if rules.can_do(r, "member.unmerge")] == ["hq_admin"]
    assert not rules.can_open("clerk", "no-such-page")


def test_locale_choice_and_card_grouping() -> None:
    assert rules.pick_locale("fr", None, "en") == "en"
    assert rules.pick_locale(None) == "zh-TW"
    assert rules.group_card("812345678903") == "8123 4567 8903"
