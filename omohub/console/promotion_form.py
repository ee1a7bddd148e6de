"""The promotion form (行銷活動): every kind's parameters, the target, schedule, scope, caps and
stacking, read into the promotions domain's own ``PromotionIn`` and filled back from its
``PromotionOut``.

Percentages are typed as percent (``50`` is half price) and kept as basis points; times are
typed in the brand's timezone and kept in UTC. What only the domain knows (codes that do not
exist, the engine's checks, a clash with another exclusive promotion) it says when asked to
save, and the form shows it on the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from omohub.console.forms import Fields, FormState, Problem, Rejected, first, number, problem, problems
from omohub.console.loyalty import RuleChoices
from omohub.console.rules import parse_percent, percent_text
from omohub.core.errors import DomainError
from omohub.promotions.errors import PromotionConflict
from omohub.promotions.schemas import PARAMS, Audience, Kind, PromotionIn, PromotionOut

KINDS: tuple[str, ...] = get_args(Kind)
#: In the order the form explains them: the usual choice first.
STACKINGS = ("stackable", "best", "exclusive")
AUDIENCES: tuple[str, ...] = get_args(Audience)
AUTO_ISSUE = ("welcome", "birthday")
TARGET_LISTS = ("skus", "products", "categories")
#: Caps: empty means no limit.
CAPS = ("max_uses", "max_uses_per_member", "budget")
#: Threshold steps shown at least (more when a promotion has more; the domain takes 10).
STEP_ROWS = 3
MAX_STEPS = 10


@dataclass(frozen=True)
class ParamInput:
    """One input of a kind's parameters: ``{kind}.{name}`` in the form, ``param`` in the domain."""

    name: str
    param: str
    #: ``money`` (whole NT$), ``count``, ``percent`` (typed 50, kept 5000 bp) or ``code`` (a SKU).
    unit: str


#: Each kind's single inputs. Threshold steps (rows) and per-SKU prices (lines) come on top.
PARAM_INPUTS: dict[str, tuple[ParamInput, ...]] = {
    "percent_off": (ParamInput("pct", "bp", "percent"),),
    "amount_off": (ParamInput("amount", "amount", "money"),),
    "threshold": (),
    "buy_x_get_y": (
        ParamInput("buy", "buy", "count"),
        ParamInput("get", "get", "count"),
        ParamInput("pct", "bp", "percent"),
    ),
    "bundle_price": (ParamInput("size", "size", "count"), ParamInput("price", "price", "money")),
    "price_override": (ParamInput("price", "price", "money"),),
    "gift": (
        ParamInput("min_spend", "min_spend", "money"),
        ParamInput("gift_sku", "gift_sku", "code"),
        ParamInput("quantity", "quantity", "count"),
    ),
}
assert set(PARAM_INPUTS) == set(KINDS) == set(PARAMS)
STEP_FIELDS = ("min_spend", "amount_off", "pct")
#: Every form input of the kinds' parameters (a problem elsewhere is shown at the top).
PARAM_FIELDS = (
    *(f"{kind}.{i.name}" for kind, inputs in PARAM_INPUTS.items() for i in inputs),
    "threshold.steps",
    "threshold.repeat",
    *(f"threshold.{row}" for row in range(MAX_STEPS)),
    "price_override.prices",
)
FIELDS = (
    "name",
    "description",
    "kind",
    *PARAM_FIELDS,
    "target",
    *(f"target_{n}" for n in TARGET_LISTS),
    "starts_at",
    "ends_at",
    "channels",
    "stores",
    "audience",
    "tiers",
    "coupon",
    "auto_issue",
    *CAPS,
    "priority",
    "stacking",
)
#: A domain field (``PromotionIn``, or the ``field`` of its errors) → the form input.
_INPUT_OF = {
    "skus": "target_skus",
    "products": "target_products",
    "categories": "target_categories",
    "target.skus": "target_skus",
    "target.products": "target_products",
    "target.categories": "target_categories",
}
_UNKNOWN = "unknown code(s) "
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_PRICE_LINE = re.compile(r"[\s=:,，：]+")

#: A new promotion's form: the usual choices, and 第二件半價 ready for buy X get Y.
_NEW = {
    "kind": "percent_off",
    "target_all": True,
    "stacking": "stackable",
    "audience": "all",
    "priority": 0,
    "buy_x_get_y.buy": 1,
    "buy_x_get_y.get": 1,
    "buy_x_get_y.pct": 50,
    "bundle_price.size": 3,
    "gift.quantity": 1,
}


def blank() -> FormState:
    return FormState.of(_NEW)


def step_rows(form: FormState) -> int:
    """How many threshold rows the form shows: what was sent or kept, and one more to add."""
    sent = max(len(form.chosen(f"threshold.{n}")) for n in STEP_FIELDS)
    return min(MAX_STEPS, max(STEP_ROWS, sent + 1))


# Reading the form -------------------------------------------------------------------------


def read(given: Fields, choices: RuleChoices, tz: dt.tzinfo) -> PromotionIn:
    """The form as the domain's ``PromotionIn``, or ``Rejected`` with every problem by field."""
    found: dict[str, Problem] = {}
    kind = first(given, "kind")
    params = _params(given, kind, found) if kind in PARAM_INPUTS else {}
    target = _target(given, found)
    starts, ends = (_when(given, name, tz, found) for name in ("starts_at", "ends_at"))
    if starts and ends and ends <= starts:
        found["ends_at"] = Problem("promotions.err_ends")
    audience = first(given, "audience") or "all"
    tiers = given.get("tiers", []) if audience == "tiers" else []
    if audience == "tiers" and not tiers:
        found["tiers"] = Problem("promotions.err_tiers")
    found.update(_unknown(given, choices))
    raw = {
        "name": first(given, "name").strip(),
        "description": first(given, "description").strip(),
        "kind": kind,
        "params": params,
        "target": target,
        "priority": number(first(given, "priority")) or 0,
        "stacking": first(given, "stacking") or "stackable",
        "channels": given.get("channels", []),
        "stores": given.get("stores", []),
        "audience": audience,
        "tiers": tiers,
        "starts_at": starts,
        "ends_at": ends,
        "coupon": bool(first(given, "coupon")),
        "auto_issue": first(given, "auto_issue") or None,
        **{name: number(first(given, name)) or None for name in CAPS},
    }
    try:
        data = PromotionIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected({**problems(exc, _INPUT_OF), **found}) from None
    if found:
        raise Rejected(found)
    return data


def _params(given: Fields, kind: str, found: dict[str, Problem]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for i in PARAM_INPUTS[kind]:
        text = first(given, f"{kind}.{i.name}")
        if i.unit == "code":
            raw[i.param] = text.strip()
        elif i.unit == "percent":
            if text.strip():
                _percent_into(raw, i.param, text, f"{kind}.{i.name}", found)
        elif number(text):
            raw[i.param] = number(text)
    rows: list[int] = []
    if kind == "threshold":
        raw["steps"], rows = _steps(given, found)
        raw["repeat"] = bool(first(given, "threshold.repeat"))
    if kind == "price_override":
        raw["prices"] = _prices(first(given, "price_override.prices"), found)
    try:
        PARAMS[kind].model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            found.setdefault(*_param_problem(kind, err, rows))
    return raw


def _percent_into(raw: dict[str, Any], param: str, text: str, field: str, found: dict[str, Problem]) -> None:
    bp = parse_percent(number(text))
    if bp is None or not 0 < bp <= 10_000:
        found[field] = Problem("promotions.err_percent")
    else:
        raw[param] = bp


def _steps(given: Fields, found: dict[str, Problem]) -> tuple[list[dict[str, Any]], list[int]]:
    """The threshold rows that were filled in, and which row each came from."""
    columns = [given.get(f"threshold.{n}", []) for n in STEP_FIELDS]
    steps, rows = [], []
    for row in range(max(len(c) for c in columns)):
        spend, amount, pct = (number(c[row]) if row < len(c) else "" for c in columns)
        if not (spend or amount or pct):
            continue
        step: dict[str, Any] = {"min_spend": spend}
        if amount:
            step["amount_off"] = amount
        if pct:
            _percent_into(step, "bp", pct, f"threshold.{row}", found)
        steps.append(step)
        rows.append(row)
    if not steps:
        found["threshold.steps"] = Problem("promotions.err_steps")
    return steps, rows


def _prices(text: str, found: dict[str, Problem]) -> dict[str, str]:
    """``SKU price`` per line (``DRESS-BLK-M 1680``, ``DRESS-BLK-M=1,680``)."""
    prices: dict[str, str] = {}
    for n, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), 1):
        parts = [p for p in _PRICE_LINE.split(line.strip().replace(",", "")) if p]
        if not parts:
            continue
        if len(parts) != 2:
            found.setdefault("price_override.prices", Problem("promotions.err_price_line", {"line": n}))
            continue
        prices[parts[0]] = parts[1]
    return prices


def _param_problem(kind: str, err: ErrorDetails, rows: list[int]) -> tuple[str, Problem]:
    loc = err["loc"]
    if kind == "threshold" and loc and loc[0] == "steps":
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        if index is None:
            return "threshold.steps", Problem("promotions.err_steps")
        found = Problem("promotions.err_step_one") if len(loc) == 2 else problem(err)
        return f"threshold.{rows[index]}", found
    name = str(loc[0]) if loc else ""
    if kind == "price_override" and not name:  # neither prices per SKU nor one price
        return "price_override.prices", Problem("promotions.err_override")
    return _param_field(kind, name), problem(err)


def _param_field(kind: str, param: str) -> str:
    inputs = {i.param: i.name for i in PARAM_INPUTS.get(kind, ())}
    if kind == "threshold":
        return "threshold.steps"
    if kind == "price_override" and param == "prices":
        return "price_override.prices"
    return f"{kind}.{inputs[param]}" if param in inputs else ""


def _target(given: Fields, found: dict[str, Problem]) -> dict[str, Any]:
    target: dict[str, Any] = {"all": bool(first(given, "target_all"))}
    for name in TARGET_LISTS:
        target[name] = codes(first(given, f"target_{name}"))
    if not (target["all"] or any(target[n] for n in TARGET_LISTS)):
        found["target"] = Problem("promotions.err_target")
    return target


def codes(text: str) -> list[str]:
    """Codes typed or pasted one per line, or separated by commas or spaces; repeats dropped."""
    return list(dict.fromkeys(c for c in _SEPARATORS.split(text.strip()) if c))


def _when(given: Fields, name: str, tz: dt.tzinfo, found: dict[str, Problem]) -> dt.datetime | None:
    return read_time(first(given, name), tz, name, found)


def read_time(text: str, tz: dt.tzinfo, name: str, found: dict[str, Problem]) -> dt.datetime | None:
    """A date and time typed in the brand's timezone (``2026-07-01T10:00``, or a day), in UTC."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    try:
        at = dt.datetime.fromisoformat(text)
        return (at if at.tzinfo else at.replace(tzinfo=tz)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        found[name] = Problem("promotions.err_when")
        return None


def _unknown(given: Fields, choices: RuleChoices) -> dict[str, Problem]:
    """Channels, stores and tiers are ticked from lists: anything else is a tampered form."""
    return {
        name: Problem("form.unknown", {"values": ", ".join(bad)})
        for name in ("channels", "stores", "tiers")
        if (bad := sorted(set(given.get(name, [])) - set(getattr(choices, name))))
    }


def refused(exc: DomainError, kind: str) -> dict[str, Problem]:
    """The domain's refusal on the input it names: a bad parameter or code (422), a clash with
    another exclusive promotion (409, on the stacking choice, naming the other promotion)."""
    if isinstance(exc, PromotionConflict):
        return {"stacking": conflict(exc)}
    field = str(exc.extra.get("field", ""))
    if field.startswith("params."):
        name = _param_field(kind, field.split(".")[1])
    else:
        name = _INPUT_OF.get(field, field if field in FIELDS else "")
    if _UNKNOWN in exc.detail:
        return {name: Problem("promotions.err_unknown_codes", {"codes": exc.detail.split(_UNKNOWN, 1)[1]})}
    return {name: Problem("form.refused", {"detail": exc.detail})}


def conflict(exc: PromotionConflict) -> Problem:
    """The promotions this one clashes with, by number and name."""
    named = exc.extra.get("conflicts_with") or []
    if not named:
        return Problem("form.refused", {"detail": exc.detail})
    return Problem("promotions.err_conflict", {"others": ", ".join(f"#{o['id']} {o['name']}" for o in named)})


# Filling the form -------------------------------------------------------------------------


def state(out: PromotionOut, tz: dt.tzinfo) -> FormState:
    """The form filled with a promotion as it is kept, to change it."""
    values: dict[str, object] = {
        "name": out.name,
        "description": out.description,
        "kind": out.kind,
        "target_all": out.target.all,
        **{f"target_{n}": "\n".join(getattr(out.target, n)) for n in TARGET_LISTS},
        "starts_at": local_input(out.starts_at, tz),
        "ends_at": local_input(out.ends_at, tz),
        "channels": out.channels,
        "stores": out.stores,
        "audience": out.audience,
        "tiers": out.tiers,
        "coupon": out.coupon,
        "auto_issue": out.auto_issue,
        **{name: getattr(out, name) for name in CAPS},
        "priority": out.priority,
        "stacking": out.stacking,
    }
    return FormState.of({**blank().values, **FormState.of(values).values, **_param_values(out)})


def _param_values(out: PromotionOut) -> dict[str, list[str]]:
    kind, p = out.kind, out.params
    values: dict[str, object] = {}
    for i in PARAM_INPUTS[kind]:
        value = p.get(i.param)
        values[f"{kind}.{i.name}"] = percent_text(value) if i.unit == "percent" and value else value
    if kind == "threshold":
        steps = p.get("steps", [])
        values["threshold.min_spend"] = [s["min_spend"] for s in steps]
        values["threshold.amount_off"] = [s.get("amount_off") or "" for s in steps]
        values["threshold.pct"] = [percent_text(s["bp"]) if s.get("bp") else "" for s in steps]
        values["threshold.repeat"] = bool(p.get("repeat"))
    if kind == "price_override":
        values["price_override.prices"] = "\n".join(f"{sku} {price}" for sku, price in p["prices"].items())
    return FormState.of(values).values


def local_input(at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """A UTC time as a ``datetime-local`` input shows it, in the brand's timezone."""
    return at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if at else ""
