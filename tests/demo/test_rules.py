"""The small generators the demo is made of produce values the hub's own rules accept."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import phonenumbers

from omohub.catalog.rules import check_barcode
from omohub.core import einvoice
from omohub.demo import rules
from omohub.members.rules import card_checks_out, normalize


def test_phones_are_taiwan_mobiles_stored_as_the_hub_normalises_them() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        phone = rules.phone(rng)
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert normalize("phone", "0" + phone[4:]) == phone


def test_cards_barcodes_tax_ids_and_carriers_pass_their_checks() -> None:
    rng = random.Random(2)
    for n in range(1, 500):
        assert card_checks_out(rules.card_number(rng))
        assert check_barcode(rules.ean13(n)) == rules.ean13(n)
        assert einvoice.valid_tax_id(rules.tax_id(rng))
        assert einvoice.validate("mobile_carrier", rules.mobile_carrier(rng))
        assert normalize("line_uid", rules.line_uid(rng))


def test_uuids_and_timestamps_have_the_shapes_clients_send() -> None:
    rng = random.Random(3)
    for _ in range(200):
        value = rules.uuid4(rng)
        assert str(uuid.UUID(value)) == value and uuid.UUID(value).version == 4
    at = dt.datetime(2025, 3, 1, 2, 3, 4, 567000, tzinfo=dt.UTC)
    assert rules.iso(at.timestamp()) == "2025-03-01T02:03:04.567Z"


def test_prices_end_in_90_within_the_range() -> None:
    rng = random.Random(4)
    prices = {rules.list_price(rng, 390, 890) for _ in range(500)}
    assert prices == {390, 490, 590, 690, 790, 890}


def test_sale_days_and_weekends_are_busier() -> None:
    singles_day = dt.date(2025, 11, 11)
    assert rules.sale_discount(singles_day, "web", [((11, 11), (11, 11), 25, "web,app")]) == 25
    assert rules.sale_discount(singles_day, "pos", [((11, 11), (11, 11), 25, "web,app")]) == 0
    saturday, tuesday = dt.date(2025, 3, 1), dt.date(2025, 3, 4)
    assert rules.day_weight(saturday, False, 0) > rules.day_weight(tuesday, False, 0)
    assert rules.day_weight(singles_day, True, 25) > rules.day_weight(tuesday, True, 0)


def test_poisson_has_the_asked_mean() -> None:
    rng = random.Random(5)
    draws = [rules.poisson(rng, 3.0) for _ in range(20000)]
    assert abs(sum(draws) / len(draws) - 3.0) < 0.1
    assert rules.poisson(rng, 0) == 0
