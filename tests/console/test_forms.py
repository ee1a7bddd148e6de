"""Reading console forms: numbers as typed, Pydantic's complaints as messages by field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from omohub.console import coupons, loyalty, promotion_form
from omohub.console.forms import FormState, Problem, Rejected, number, problems
from omohub.console.loyalty import RuleChoices
from omohub.console.render import Formatter
from omohub.core.config import Settings
from omohub.loyalty.rules import ProgramSettings
from omohub.loyalty.schemas import TierIn
from omohub.orders.models import ORDER_CHANNELS
from omohub.promotions.models import Coupon
from omohub.promotions.schemas import PARAMS, PromotionIn, PromotionOut, TargetIn


@pytest.mark.parametrize(
    ("typed", "read"),
    [(" 1,000 ", "1000"), ("－５００", "-500"), ("＋５０", "+50"), ("−20", "-20"), ("12", "12")],
)
def test_numbers_typed_on_any_keyboard_are_read_plainly(typed: str, read: str) -> None:
    assert number(typed) == read


def test_validation_errors_become_one_message_per_field() -> None:
    with pytest.raises(ValidationError) as caught:
        TierIn.model_validate(
            {
                "name": "",
                "threshold": "x",
                "benefits": {"earn_multiplier_bp": 200_000, "free_shipping": "maybe"},
            }
        )
    found = problems(caught.value, {"earn_multiplier_bp": "multiplier"})
    assert found == {
        "name": Problem("form.required"),
        "threshold": Problem("form.integer"),
        "multiplier": Problem("form.at_most", {"n": 100_000}),
        "free_shipping": Problem("form.choice"),
    }


def test_program_form_keeps_what_was_not_sent_and_names_the_field_of_a_cross_field_problem() -> None:
    current = ProgramSettings(pending_days=14)
    assert loyalty.read_program({"spend_unit": ["２００"]}, current) == ProgramSettings(
        spend_unit=200, pending_days=14
    )
    assert loyalty.read_program({"max_redeem_points": [""]}, current).max_redeem_points is None
    with pytest.raises(Rejected) as caught:
        loyalty.read_program({"min_redeem_points": ["10"], "max_redeem_points": ["5"]}, current)
    assert caught.value.problems == {"max_redeem_points": Problem("loyalty.err_max_below_min")}


def test_the_settings_form_shows_every_program_setting_once() -> None:
    assert sorted(loyalty.PROGRAM_FIELDS) == sorted(ProgramSettings.model_fields)
    assert set(loyalty.SETTING_CHOICES) | {"max_redeem_points"} <= set(loyalty.PROGRAM_FIELDS)


def test_form_state_reads_values_choices_and_check_boxes() -> None:
    state = FormState.of({"name": "金卡", "channels": frozenset({"web", "pos"}), "free": True, "none": None})
    assert state.value("name") == "金卡" and state.value("missing", "x") == "x"
    assert state.chosen("channels") == ["pos", "web"]
    assert state.checked("free") and not state.checked("none")
    state.problems = {"key": Problem("points.err_replayed"), "name": Problem("form.required")}
    assert state.others(("name",)) == [Problem("points.err_replayed")]


def test_the_last_usable_day_is_in_the_brands_calendar() -> None:
    fmt = Formatter(Settings(database_url="sqlite://", secret_key="x", timezone="Asia/Taipei"))
    taipei_new_year = dt.datetime(2028, 1, 1, tzinfo=ZoneInfo("Asia/Taipei")).astimezone(dt.UTC)
    assert fmt.through(taipei_new_year) == "2027-12-31"
    assert fmt.date(taipei_new_year) == "2028-01-01"
    assert fmt.through(dt.datetime(2027, 3, 2, 4, 0, tzinfo=dt.UTC)) == "2027-03-02"
    assert fmt.through(None) == ""
    assert (fmt.signed(500), fmt.signed(-1200), fmt.number(12345)) == ("+500", "-1,200", "12,345")


KEPT = {
    "percent_off": {"bp": 1250},
    "amount_off": {"amount": 300},
    "threshold": {"steps": [{"min_spend": 1000, "amount_off": 100}, {"min_spend": 3000, "bp": 1500}]},
    "buy_x_get_y": {"buy": 2, "get": 1, "bp": 10_000},
    "bundle_price": {"size": 3, "price": 999},
    "price_override": {"prices": {"DRESS-BLK-M": 1680}, "price": 990},
    "gift": {"min_spend": 3000, "gift_sku": "SHIRT-LIN-L", "quantity": 2},
}


@pytest.mark.parametrize("kind", promotion_form.KINDS)
def test_the_promotion_form_reads_back_exactly_what_it_shows(kind: str) -> None:
    """Every kind, every setting: a promotion put in the form and sent unchanged is the same promotion."""
    tz = ZoneInfo("Asia/Taipei")
    kept = PromotionIn(
        name="週年慶",
        description="全台門市與官網",
        kind=kind,  # type: ignore[arg-type]
        params=KEPT[kind],
        target=TargetIn(skus=["DRESS-BLK-M"], categories=["tops", "dresses"]),
        priority=-5,
        stacking="best",
        channels=["pos", "line"],
        stores=["TPE-XINYI"],
        audience="tiers",
        tiers=["GOLD"],
        starts_at=dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 7, 31, 16, 0, tzinfo=dt.UTC),
        coupon=True,
        auto_issue="birthday",
        max_uses=100,
        max_uses_per_member=1,
        budget=20_000,
    )
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    kept_since = {"created_at": now, "updated_at": now}
    out = PromotionOut(**kept.model_dump(), id=1, status="active", uses=0, spent=0, **kept_since)
    choices = RuleChoices(channels=ORDER_CHANNELS, stores=("TPE-XINYI",), categories=(), tiers=("GOLD",))
    shown = promotion_form.state(out, tz)
    assert shown.value("starts_at") == "2026-07-01T10:00"  # the brand's time
    read = promotion_form.read(shown.values, choices, tz)
    assert read.model_dump(exclude={"params"}) == kept.model_dump(exclude={"params"})
    assert PARAMS[kind].model_validate(read.params) == PARAMS[kind].model_validate(kept.params)


def test_codes_may_be_typed_one_per_line_or_separated_and_repeats_are_dropped() -> None:
    assert promotion_form.codes(" A-1, B-2 ，C-3\nA-1\r\n\tD-4、E-5 ") == ["A-1", "B-2", "C-3", "D-4", "E-5"]
    assert promotion_form.codes("  ") == []


def test_a_bulk_batch_is_named_by_its_exact_instant_and_its_csv_runs_no_formula() -> None:
    at = dt.datetime(2026, 6, 15, 4, 0, 0, 123456, tzinfo=dt.UTC)
    assert coupons.batch_time(coupons.batch_of(at)) == at
    assert coupons.batch_time(2**63 - 1) is None  # far beyond any calendar: no batch, not a 500
    rows = [Coupon(code=c, max_uses=1, uses=0, status="active", issued_at=at) for c in ("=1+2", "VIP2345")]
    text = coupons.csv_text(rows, ZoneInfo("Asia/Taipei"))
    assert text.startswith("\ufeffcode,max_uses,uses,valid_from,valid_until,status,member_id,issued_at\r\n")
    assert "\r\n'=1+2,1,0,,,active,,2026-06-15T12:00:00+08:00\r\n" in text
    assert "\r\nVIP2345,1,0," in text
