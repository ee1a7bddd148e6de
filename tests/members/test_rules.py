import pytest

from omohub.members.rules import (
    InvalidIdentifier,
    blocked_values,
    card_checks_out,
    is_junk,
    mask,
    new_card_number,
    normalize,
)


@pytest.mark.parametrize(
    "raw", ["0912-345-678", "+886912345678", "0912 345 678", "+886 912 345 678", "886912345678"]
)
def test_taiwan_mobile_spellings_are_one_number(raw: str) -> None:
    assert normalize("phone", raw) == "+886912345678"


@pytest.mark.parametrize("raw", ["12345", "0912-345", "not a phone", "+886 0000"])
def test_invalid_phone_is_refused_with_reason(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="phone"):
        normalize("phone", raw)


def test_email_is_lowercased_and_checked() -> None:
    assert normalize("email", " Amy@Example.COM ") == "amy@example.com"
    with pytest.raises(InvalidIdentifier):
        normalize("email", "amy@")


def test_line_uid_format() -> None:
    uid = "U" + "a" * 32
    assert normalize("line_uid", uid) == uid
    with pytest.raises(InvalidIdentifier, match="LINE"):
        normalize("line_uid", "U123")


def test_external_ids_are_namespaced() -> None:
    assert normalize("external", "Shopify:123") == "shopify:123"
    with pytest.raises(InvalidIdentifier, match="source:id"):
        normalize("external", "123")


def test_junk_values_are_blocked_in_every_spelling() -> None:
    blocked = blocked_values(("0900000000", "test@test.com", "undefined", ""))
    assert is_junk("phone", normalize("phone", "0900-000-000"), blocked)
    assert is_junk("email", "TEST@test.com", blocked)
    assert not is_junk("phone", normalize("phone", "0912-345-679"), blocked)


def test_junk_user_ids_of_other_systems_are_blocked_whatever_the_source() -> None:
    blocked = blocked_values(("undefined", "null"))
    assert is_junk("external", normalize("external", "webshop:undefined"), blocked)
    assert is_junk("external", "app:NULL", blocked)
    assert not is_junk("external", "webshop:c-1001", blocked)


def test_card_numbers_carry_a_luhn_check_digit() -> None:
    cards = {new_card_number() for _ in range(200)}
    assert len(cards) == 200
    assert all(card_checks_out(c) for c in cards)
    good = next(iter(cards))
    typo = good[:-2] + str((int(good[-2]) + 1) % 10) + good[-1]
    assert not card_checks_out(typo)


def test_masking_hides_enough() -> None:
    assert mask("phone", "+886912345678") == "0912-***-678"
    assert mask("email", "amy@example.com") == "a***@example.com"
    assert "345" not in mask("line_uid", "U" + "3" * 32)
