"""The engine's reasons in the viewer's language: every kind, in zh-TW and in English."""

from __future__ import annotations

import pytest

from omohub.console.i18n import Translator
from omohub.console.render import Formatter
from omohub.console.why import say
from omohub.core.config import Settings
from omohub.promotions.engine.explain import ENGLISH

CASES = [
    ("price_override", {"was": 1000, "price": 890}, "單價 NT$1,000 → NT$890", "unit price NT$1,000 → NT$890"),
    ("percent_off", {"bp": 2000}, "打8折", "20% off"),
    ("percent_off", {"bp": 1500}, "打85折", "15% off"),
    ("percent_off", {"bp": 1250}, "折扣 12.5%", "12.5% off"),
    ("amount_off", {"off": 300}, "折抵 NT$300，依各品項金額分攤", "NT$300 off, shared by the lines' amounts"),
    (
        "threshold",
        {"spend": 3500, "min_spend": 1000, "times": 3, "off": 300},
        "消費 NT$3,500，達 3 × NT$1,000，折 NT$300",
        "spent NT$3,500, reached 3 × NT$1,000: NT$300 off",
    ),
    (
        "threshold",
        {"spend": 2360, "min_spend": 2000, "times": 0, "off": 200},
        "消費 NT$2,360，達 NT$2,000，折 NT$200",
        "spent NT$2,360, reached NT$2,000: NT$200 off",
    ),
    ("buy_x_get_y", {"units": 1, "bp": 5000}, "1 件打5折", "1 unit 50% off"),
    ("buy_x_get_y", {"units": 2, "bp": 10000}, "2 件免費", "2 units free"),
    (
        "bundle_price",
        {"units": 3, "size": 3, "price": 999},
        "3 件以 3 件 NT$999 組合計價",
        "3 units in bundles of 3 for NT$999",
    ),
    (
        "gift",
        {"spend": 2100, "min_spend": 2000, "quantity": 1, "sku_id": 7},
        "消費 NT$2,100，達 NT$2,000，贈 1 件",
        "spent NT$2,100, reached NT$2,000: 1 free",
    ),
]


@pytest.mark.parametrize(("code", "args", "zh", "en"), CASES)
def test_each_reason_reads_in_both_languages(code: str, args: dict[str, int], zh: str, en: str) -> None:
    fmt = Formatter(Settings(secret_key="x"))
    assert say(Translator("zh-TW"), fmt, code, args) == zh
    assert say(Translator("en"), fmt, code, args) == en


def test_every_code_the_engine_explains_has_a_sentence_in_each_language() -> None:
    for locale in ("zh-TW", "en"):
        t = Translator(locale)
        assert all(f"why_line.{code}" in t._messages for code in ENGLISH), locale
