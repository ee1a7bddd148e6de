"""The message catalogs: zh-TW and English hold the same keys, and every key the console uses."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

from omohub.access.models import ROLES, SCOPES
from omohub.collect.models import SOURCE_CHANNELS, USER_ID_KINDS
from omohub.console import coupons, loyalty, promotion_form, rules
from omohub.console.i18n import Translator, catalog
from omohub.loyalty.models import ENTRY_KINDS
from omohub.loyalty.rules import ProgramSettings
from omohub.members.rules import ID_TYPES
from omohub.orders.models import ORDER_CHANNELS
from omohub.orders.rules import TENDERS
from omohub.org.models import STAFF_ROLES
from omohub.promotions.models import STATUSES as PROMOTION_STATUSES

PACKAGE = Path(str(resources.files("omohub.console")))
#: ``t('key')`` and ``t('prefix.' ~ value)`` in templates; ``"area.key"`` literals in Python.
STATIC_KEY = re.compile(r"""\bt\(\s*'([a-z_]+\.[a-z_.]+)'\s*[,)]""")
PY_KEY = re.compile(
    r"""["']((?:auth|error|members|apikeys|webhooks|users|search|card|loyalty|points|form"""
    r"""|promotions|preview|coupons|coupon_why|why|till)\.[a-z_]+)["']"""
)


def test_both_locales_have_exactly_the_same_keys() -> None:
    zh, en = catalog("zh-TW"), catalog("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


#: Messages whose languages say a figure their own way, each given both forms by the code:
#: a discount is 打8折 (the share paid, in tenths) in Taiwan and "20% off" in English.
OWN_CONVENTIONS = {"why_line.pays": ({"zhe"}, {"pct"})}


def test_both_locales_use_the_same_placeholders() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    zh, en = catalog("zh-TW"), catalog("en")
    own = set(OWN_CONVENTIONS)
    assert {k: fields(v) for k, v in zh.items() if k not in own} == {
        k: fields(en[k]) for k in zh if k not in own
    }
    assert {k: (fields(zh[k]), fields(en[k])) for k in own} == OWN_CONVENTIONS


def test_every_key_used_in_templates_and_routes_exists() -> None:
    used: set[str] = set()
    for path in (PACKAGE / "templates").rglob("*.html"):
        used |= set(STATIC_KEY.findall(path.read_text("utf-8")))
    for path in [*PACKAGE.glob("*.py"), *(PACKAGE / "routes").glob("*.py")]:
        used |= {k for k in PY_KEY.findall(path.read_text("utf-8")) if not k.endswith(".html")}
    assert len(used) > 150
    missing = sorted(k for k in used if k not in catalog("zh-TW"))
    assert missing == []


def test_every_value_the_console_labels_has_a_label() -> None:
    groups = {
        "nav": rules.NAV,
        "role": ROLES,
        "scope": SCOPES,
        "channel": (*ORDER_CHANNELS, *SOURCE_CHANNELS),
        "identifier": ID_TYPES,
        "tender": TENDERS,
        "staff_role": STAFF_ROLES,
        "user_id_kind": USER_ID_KINDS,
        "search": [f"by_{s}" for s in rules.SEARCH_TYPES],
        "order_status": ("completed", "partially_refunded", "refunded"),
        "entry_kind": ENTRY_KINDS,
        "setting": ProgramSettings.model_fields,
        "setting_help": ProgramSettings.model_fields,
        **loyalty.SETTING_CHOICES,
        "rule_kind": loyalty.RULE_KINDS,
        "loyalty": [
            *(f"section_{s}" for s, _ in loyalty.PROGRAM_SECTIONS),
            *(f"rule_{name}" for name in loyalty.RULE_SETS),
            *(f"no_{name}" for name in loyalty.RULE_SETS),
            *(f"threshold_{b}" for b in loyalty.SETTING_CHOICES["tier_basis"]),
        ],
        "points": [f"basis_{b}" for b in loyalty.SETTING_CHOICES["tier_basis"]],
        "promo_kind": promotion_form.KINDS,
        "promo_kind_help": promotion_form.KINDS,
        "promo_param": [
            *(f"{k}_{i.name}" for k, inputs in promotion_form.PARAM_INPUTS.items() for i in inputs),
            *(f"threshold_{n}" for n in (*promotion_form.STEP_FIELDS, "repeat")),
            "price_override_prices",
        ],
        "promo_param_help": [
            *(f"{k}_{i.name}" for k, inputs in promotion_form.PARAM_INPUTS.items() for i in inputs),
            "threshold_steps",
            "threshold_repeat",
            "price_override_prices",
        ],
        "promo_status": PROMOTION_STATUSES,
        "promo_phase": ("running", "scheduled", "finished", "capped", "paused", "ended"),
        "stacking": promotion_form.STACKINGS,
        "stacking_help": promotion_form.STACKINGS,
        "audience": promotion_form.AUDIENCES,
        "auto_issue": ("none", *promotion_form.AUTO_ISSUE),
        "promotions": [
            *(f"to_{s}" for s in PROMOTION_STATUSES),
            *(f"now_{s}" for s in PROMOTION_STATUSES),
            *(f"target_{n}" for n in promotion_form.TARGET_LISTS),
            *promotion_form.CAPS,
            "channels",
            "stores",
            "tiers",
        ],
        "coupon_mode": coupons.MODES,
        "coupon_source": ("single", "bulk", "wallet"),
        "coupon_status": ("active",),
        "coupon_why": (*rules.COUPON_WHY.values(), "channel", "store", "other"),
        "why": [
            *("paused", "not_yet", "over", "coupon", "channel", "store", "capped", "condition", "outdone"),
            *(f"audience_{a}" for a in promotion_form.AUDIENCES if a != "all"),
        ],
    }
    zh = catalog("zh-TW")
    missing = [f"{g}.{v}" for g, values in groups.items() for v in values if f"{g}.{v}" not in zh]
    assert missing == []
    for error in (
        "error.not_found",
        "error.forbidden",
        "error.csrf",
        "error.bad_request",
        "error.action_failed",
    ):
        assert f"{error}_hint" in zh


def test_translator_fills_placeholders_and_falls_back() -> None:
    zh, en = Translator("zh-TW"), Translator("en")
    assert zh("members.orders_n", n=3) == "3 筆訂單"
    assert en("members.orders_n", n=3) == "3 orders"
    assert Translator("fr").locale == "zh-TW"
    assert en.label("channel", "pos") == "Store" and en.label("channel", "kiosk") == "kiosk"
    assert zh("no.such.key") == "no.such.key"
