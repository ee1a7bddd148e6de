"""Org rules and the shared code rule, without a database."""

from __future__ import annotations

import pytest

from omohub.core.checks import check_code
from omohub.org.rules import (
    STANDARD_CHANNELS,
    check_coordinates,
    check_latitude,
    check_longitude,
    check_role,
    check_timezone,
    parse_flag,
)


@pytest.mark.parametrize("code", ["S1", "TPE-XINYI", "e_0001", "A.1", "x" * 40])
def test_good_codes(code: str) -> None:
    assert check_code(f" {code} ") == code


@pytest.mark.parametrize("code", ["", "-S1", "TPE XINYI", "TPE/XINYI", "門市1", "x" * 41, "a?b"])
def test_bad_codes(code: str) -> None:
    with pytest.raises(ValueError):
        check_code(code)


def test_coordinates() -> None:
    assert check_latitude(-90) == -90 and check_longitude(180) == 180
    for bad in (90.0001, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="outside"):
            check_latitude(bad)
    with pytest.raises(ValueError, match="outside -180 to 180"):
        check_longitude(-180.5)
    check_coordinates(None, None)
    check_coordinates(25.0, 121.5)
    with pytest.raises(ValueError, match="together"):
        check_coordinates(25.0, None)


def test_timezones_are_iana_names() -> None:
    assert check_timezone("Asia/Taipei") == "Asia/Taipei"
    assert check_timezone("UTC") == "UTC"
    for bad in ("asia/taipei", "CST+8", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="IANA"):
            check_timezone(bad)


def test_roles_in_english_and_as_a_taiwanese_erp_writes_them() -> None:
    assert [check_role(r) for r in ("manager", "Clerk", "店長", "造型師", "收銀員", "店員")] == [
        "manager",
        "clerk",
        "manager",
        "stylist",
        "cashier",
        "clerk",
    ]
    with pytest.raises(ValueError, match="one of manager, clerk, stylist, cashier"):
        check_role("老闆")


def test_flags() -> None:
    assert [parse_flag(v) for v in ("TRUE", "1", "Y", "是", "啟用", "在職")] == [True] * 6
    assert [parse_flag(v) for v in ("false", "0", "n", "否", "停用", "離職")] == [False] * 6
    with pytest.raises(ValueError, match="not yes or no"):
        parse_flag("maybe")


def test_standard_channels_are_the_six_kinds() -> None:
    from omohub.org.models import CHANNEL_KINDS

    assert tuple(c.code for c in STANDARD_CHANNELS) == CHANNEL_KINDS
    assert [c.code for c in STANDARD_CHANNELS if not c.online] == ["pos"]
