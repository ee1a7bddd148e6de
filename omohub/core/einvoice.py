"""Taiwan e-invoice (電子發票) choices, validated exactly as the Ministry of Finance defines them.

- mobile barcode carrier (手機條碼): "/" then 7 of 0-9 A-Z . + -
- citizen digital certificate carrier (自然人憑證): 2 capital letters then 14 digits
- donation code (捐贈碼 / 愛心碼): 3 to 7 digits
- company tax ID (統一編號): 8 digits; weights 1,2,1,2,1,2,4,1; the digit sums of the
  products add up to a multiple of 5 (the 2023 rule, which also accepts every old-style
  multiple of 10); when the 7th digit is 7 its product 28 has the digit sum 10, which may
  also be read as 1 (1 + 0), so the total plus one (mod 5) may be the multiple instead.

Patterns are matched in full (``fullmatch``): ``re.match`` with ``$`` would accept a trailing
newline, and a 9-character "tax ID" would then crash the checksum instead of failing it.
Letters are upper-cased first: the barcodes only encode capitals, so a typed lower-case
carrier can only mean the upper-case one.
"""

from __future__ import annotations

import re

EINVOICE_TYPES = ("mobile_carrier", "citizen_carrier", "donation", "company", "member_carrier", "paper")

_MOBILE = re.compile(r"/[0-9A-Z.+\-]{7}")
_CITIZEN = re.compile(r"[A-Z]{2}[0-9]{14}")
_DONATION = re.compile(r"[0-9]{3,7}")
_TAX_ID = re.compile(r"[0-9]{8}")
_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


class InvalidEinvoice(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def valid_mobile_carrier(value: str) -> bool:
    return bool(_MOBILE.fullmatch(value))


def valid_tax_id(value: str) -> bool:
    if not _TAX_ID.fullmatch(value):
        return False
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(value, _WEIGHTS, strict=True))
    return total % 5 == 0 or (value[6] == "7" and (total + 1) % 5 == 0)


def validate(kind: str, value: str | None) -> str | None:
    """The normalised value for an e-invoice choice, or ``InvalidEinvoice`` saying why."""
    if kind not in EINVOICE_TYPES:
        raise InvalidEinvoice("type", f"unknown e-invoice type {kind!r}; known: {', '.join(EINVOICE_TYPES)}")
    if kind in ("paper", "member_carrier"):
        return None
    value = (value or "").strip().upper()
    if kind == "mobile_carrier" and not _MOBILE.fullmatch(value):
        raise InvalidEinvoice(
            "value", f"mobile barcode carrier {value!r} must be '/' followed by 7 of 0-9 A-Z . + -"
        )
    if kind == "citizen_carrier" and not _CITIZEN.fullmatch(value):
        raise InvalidEinvoice(
            "value", f"citizen certificate carrier {value!r} must be 2 capital letters and 14 digits"
        )
    if kind == "donation" and not _DONATION.fullmatch(value):
        raise InvalidEinvoice("value", f"donation code {value!r} must be 3 to 7 digits")
    if kind == "company" and not valid_tax_id(value):
        raise InvalidEinvoice("value", f"company tax ID {value!r} must be 8 digits with a valid checksum")
    return value
