"""Barcode and price rules, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omohub.catalog.rules import check_barcode, clean_price, ean13_check_digit

twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


@pytest.mark.parametrize("barcode", ["4902430735063", "0012345678905", "9789573317241"])
def test_real_ean13_barcodes_pass(barcode: str) -> None:
    assert check_barcode(f" {barcode} ") == barcode


@given(twelve_digits)
def test_the_computed_check_digit_is_the_only_valid_one(first12: str) -> None:
    digit = ean13_check_digit(first12)
    assert check_barcode(first12 + str(digit)) == first12 + str(digit)
    for wrong in set(range(10)) - {digit}:
        with pytest.raises(ValueError, match=f"check digit should be {digit}"):
            check_barcode(first12 + str(wrong))


@given(st.text(alphabet="ABCXYZabc0123456789", min_size=4, max_size=40).filter(lambda s: len(s) != 13))
def test_other_codes_are_4_to_40_letters_and_digits(code: str) -> None:
    assert check_barcode(code) == code


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("123", "4 to 40"),
        ("A" * 41, "4 to 40"),
        ("4710-0884", "4 to 40"),
        ("條碼1234", "4 to 40"),
        ("4.71009E+12", "Excel"),
        ("4710088431207", "check digit should be 2"),
    ],
)
def test_bad_barcodes_say_why(value: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_barcode(value)


@pytest.mark.parametrize(
    ("value", "clean"),
    [("1290", "1290"), ("1,290", "1290"), ("NT$1,290", "1290"), ("$990.00", "990"), ("0", "0"), (1290, 1290)],
)
def test_spreadsheet_prices(value: object, clean: object) -> None:
    assert clean_price(value) == clean


def test_prices_with_cents_are_refused() -> None:
    with pytest.raises(ValueError, match="has cents"):
        clean_price("99.50")
