"""Pure rules of the catalog: barcodes (EAN-13 check digit) and list prices.

Each check returns the clean value or raises ``ValueError`` with a message meant for the
person who typed the value.
"""

from __future__ import annotations

import re

_ALNUM = re.compile(r"[A-Za-z0-9]{4,40}")
#: What Excel makes of a long number in a column not formatted as text: 4.71012E+12.
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")
_PRICE_DECORATION = re.compile(r"^(NT\$|\$|NTD\s*)|,", re.IGNORECASE)


def ean13_check_digit(first12: str) -> int:
    """The GS1 check digit of the first twelve digits of an EAN-13."""
    total = sum(map(int, first12[0::2])) + 3 * sum(map(int, first12[1::2]))
    return (10 - total % 10) % 10


def check_barcode(value: str) -> str:
    """EAN-13 (13 digits, check digit verified) or another code of 4–40 letters and digits."""
    code = value.strip()
    if _SCIENTIFIC.fullmatch(code):
        raise ValueError(f"{code!r} looks like a number Excel shortened; format the barcode column as text")
    if code.isascii() and code.isdigit() and len(code) == 13:
        expected = ean13_check_digit(code[:12])
        if int(code[12]) != expected:
            raise ValueError(f"{code!r} is not a valid EAN-13: the check digit should be {expected}")
        return code
    if not _ALNUM.fullmatch(code):
        raise ValueError(f"{code!r} is not a barcode: an EAN-13, or 4 to 40 letters and digits")
    return code


def clean_price(value: object) -> object:
    """A spreadsheet price ("NT$1,290", "1290.00") as an integer string; other input unchanged."""
    if not isinstance(value, str):
        return value
    text = _PRICE_DECORATION.sub("", value.strip())
    whole, dot, cents = text.partition(".")
    if dot and cents.strip("0") == "" and whole:
        return whole
    if dot:
        raise ValueError(f"{value.strip()!r} has cents; list prices are whole dollars")
    return text


def check_text(value: str) -> str:
    """Free text the database can store: PostgreSQL text holds no NUL character."""
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value
