"""Taiwan e-invoice choices against the Ministry of Finance rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omohub.core import einvoice
from omohub.core.einvoice import InvalidEinvoice, valid_mobile_carrier, valid_tax_id, validate


def _mof_tax_id(value: str) -> bool:
    """The MoF algorithm written out independently: Z1 (and Z2 when the 7th digit is 7)."""
    products = [int(d) * w for d, w in zip(value, (1, 2, 1, 2, 1, 2, 4, 1), strict=True)]
    z1 = sum(p // 10 + p % 10 for p in products)
    candidates = [z1]
    if value[6] == "7":  # 7 * 4 = 28 -> 2 + 8 = 10 -> may also be taken as 1 + 0 = 1
        candidates.append(z1 - 10 + 1)
    return any(z % 5 == 0 for z in candidates)


@pytest.mark.parametrize(
    "tax_id",
    [
        "22099131",  # TSMC
        "96979933",  # Chunghwa Telecom
        "04595257",
        "10458575",  # 7th digit 7, Z1 is a multiple of 10
        "10458574",  # 7th digit 7, only Z2 (= Z1 - 9) works
        "04595252",  # valid only under the 2023 multiple-of-5 rule
    ],
)
def test_valid_tax_ids(tax_id: str) -> None:
    assert valid_tax_id(tax_id)
    assert validate("company", tax_id) == tax_id


@pytest.mark.parametrize(
    "tax_id", ["12345678", "22099132", "2209913", "220991310", "2209913a", "", "22099131\n"]
)
def test_invalid_tax_ids(tax_id: str) -> None:
    assert not valid_tax_id(tax_id)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_tax_id_checksum_matches_the_mof_algorithm(tax_id: str) -> None:
    assert valid_tax_id(tax_id) == _mof_tax_id(tax_id)


@pytest.mark.parametrize("carrier", ["/ABC+123", "/1234567", "/A.B-C+D", "/abc.def"])
def test_mobile_carriers(carrier: str) -> None:
    assert validate("mobile_carrier", carrier) == carrier.upper()


@pytest.mark.parametrize(
    "carrier", ["ABC+1234", "/ABC123", "/ABC12345", "/ABC 123", "/ABC_123", "/ABC+123\n/"]
)
def test_bad_mobile_carriers(carrier: str) -> None:
    with pytest.raises(InvalidEinvoice, match="'/' followed by 7") as exc:
        validate("mobile_carrier", carrier)
    assert exc.value.field == "value"


def test_full_match_not_prefix_match() -> None:
    # re.match with "$" accepts a trailing newline; the validators must not
    assert not valid_mobile_carrier("/ABC+123\n")
    assert valid_mobile_carrier("/ABC+123")


def test_citizen_certificate_and_donation_codes() -> None:
    assert validate("citizen_carrier", "ab12345678901234") == "AB12345678901234"
    for bad in ("A123456789012345", "AB1234567890123", "AB123456789012345", "1212345678901234"):
        with pytest.raises(InvalidEinvoice, match="2 capital letters and 14 digits"):
            validate("citizen_carrier", bad)
    for good in ("123", "8585", "1234567"):
        assert validate("donation", good) == good
    for bad in ("12", "12345678", "12a4", ""):
        with pytest.raises(InvalidEinvoice, match="3 to 7 digits"):
            validate("donation", bad)


def test_types() -> None:
    assert validate("paper", None) is None and validate("member_carrier", None) is None
    with pytest.raises(InvalidEinvoice, match="unknown e-invoice type") as exc:
        validate("fax", "1")
    assert exc.value.field == "type"
    assert "company" in einvoice.EINVOICE_TYPES
