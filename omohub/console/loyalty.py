"""Loyalty in the console: the points panel (360 and member card) and the settings forms.

Everything is read through the loyalty domain's services; the forms are read into its own
models (``ProgramSettings``, ``EarnRuleIn``, ``TierIn``, ``AdjustIn``), so the console accepts
exactly what the API accepts, and says what is wrong field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from omohub.console import queries
from omohub.console.forms import Fields, FormState, Problem, Rejected, first, number, problems
from omohub.console.rules import BP, multiplier_text, parse_multiplier, progress_percent
from omohub.core.checks import check_code
from omohub.core.errors import DomainError
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.errors import KeyReused, NotEnoughPoints
from omohub.loyalty.models import EarnRule, Tier
from omohub.loyalty.rules import ProgramSettings, RuleSpec
from omohub.loyalty.schemas import AdjustIn, EarnRuleIn, PointsOut, TierBenefits, TierIn
from omohub.loyalty.service import account, program
from omohub.orders.models import ORDER_CHANNELS

#: The settings form, in sections (every ``ProgramSettings`` field once; a test keeps it so).
PROGRAM_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("earn", ("spend_unit", "points_per_unit", "pending_days")),
    ("expiry", ("expiry", "expiry_months")),
    (
        "redeem",
        ("redeem_points", "redeem_amount", "min_redeem_points", "max_redeem_points", "max_redeem_percent"),
    ),
    ("checkout", ("hold_minutes",)),
    ("tier", ("tier_basis", "tier_window_months", "tier_review_months")),
)
PROGRAM_FIELDS = tuple(name for _, names in PROGRAM_SECTIONS for name in names)
#: Settings chosen from a list; the others are whole numbers.
SETTING_CHOICES = {"expiry": ("end_of_next_year", "months", "never"), "tier_basis": ("spend", "points")}
#: Settings that may be left empty (no limit).
OPTIONAL_SETTINGS = frozenset({"max_redeem_points"})
RULE_KINDS = ("rate", "bonus")
#: An earn rule's conditions: each is a set of values the form offers as check boxes.
RULE_SETS = ("channels", "stores", "categories", "tiers")
TIER_BENEFITS = {"earn_multiplier_bp": "multiplier"}


@dataclass(frozen=True)
class PointsPanel:
    """A member's points and tier as the 360 shows them."""

    points: PointsOut
    #: What tier thresholds count: ``spend`` (NT$) or ``points``, over ``window_months``.
    basis: str
    window_months: int
    #: Percent of the way to the next tier (None at the top, or with no tiers).
    progress: int | None


def points_panel(session: Session, member_id: int, entries: int = 10) -> PointsPanel:
    found = account.points(session, member_id, entries=entries)
    settings = program.settings(session)
    nxt = found.tier.next_tier
    progress = progress_percent(found.tier.basis, nxt.threshold) if nxt else None
    return PointsPanel(found, settings.tier_basis, settings.tier_window_months, progress)


@dataclass(frozen=True)
class RuleChoices:
    """What an earn rule's conditions may name."""

    channels: tuple[str, ...]
    stores: tuple[str, ...]
    categories: tuple[str, ...]
    tiers: tuple[str, ...]


def rule_choices(session: Session) -> RuleChoices:
    return RuleChoices(
        channels=ORDER_CHANNELS,
        stores=tuple(s.code for s in queries.stores(session)),
        categories=tuple(queries.categories(session)),
        tiers=tuple(t.code for t in loyalty_repo.tiers(session)),
    )


def tier_names(session: Session) -> dict[str, str]:
    """Tier code → name, to show a tier by its name wherever a code is kept."""
    return {t.code: t.name for t in loyalty_repo.tiers(session)}


def earn_rules(session: Session) -> list[tuple[EarnRule, RuleSpec]]:
    """Every earn rule, switched off ones too, oldest first."""
    return [(r, RuleSpec.model_validate(r.spec)) for r in loyalty_repo.earn_rules(session, active_only=False)]


# Reading the forms ------------------------------------------------------------------------


def program_state(settings: ProgramSettings, sent: FormState | None = None) -> FormState:
    """The settings form: what was sent (with its problems) over the settings kept now."""
    kept = FormState.of(settings.model_dump())
    if sent is None:
        return kept
    return FormState({**kept.values, **sent.values}, sent.problems)


def read_program(given: Fields, current: ProgramSettings) -> ProgramSettings:
    """The settings form over ``current`` (a field not sent keeps its value)."""
    raw: dict[str, Any] = current.model_dump()
    for name in ProgramSettings.model_fields:
        if name in given:
            text = first(given, name).strip() if name in SETTING_CHOICES else number(first(given, name))
            raw[name] = None if name in OPTIONAL_SETTINGS and not text else text
    try:
        return ProgramSettings.model_validate(raw)
    except ValidationError as exc:
        found = problems(exc)
        if "" in found:  # the one rule across fields: the largest redemption is not below the smallest
            found["max_redeem_points"] = Problem("loyalty.err_max_below_min")
            del found[""]
        raise Rejected(found) from None


def read_rule(given: Fields, choices: RuleChoices) -> EarnRuleIn:
    unknown = {
        name: Problem("form.unknown", {"values": ", ".join(bad)})
        for name in RULE_SETS
        if (bad := sorted(set(given.get(name, [])) - set(getattr(choices, name))))
    }
    spec: dict[str, Any] = {
        "kind": first(given, "kind"),
        "points": number(first(given, "points")),
        **{name: given.get(name, []) for name in RULE_SETS},
        "birthday_month": bool(first(given, "birthday_month")),
        "first_order": bool(first(given, "first_order")),
    }
    if spec["kind"] != "bonus":  # a bonus is a fixed number of points: the spend unit is not asked
        spec["per"] = number(first(given, "per"))
    try:
        rule = EarnRuleIn.model_validate({"name": first(given, "name").strip(), "spec": spec})
    except ValidationError as exc:
        raise Rejected({**problems(exc), **unknown}) from None
    if unknown:
        raise Rejected(unknown)
    return rule


def tier_state(tier: Tier | None) -> FormState:
    if tier is None:
        return FormState.of({"multiplier": "1"})
    benefits = TierBenefits.model_validate(
        {k: v for k, v in tier.benefits.items() if k in TierBenefits.model_fields}
    )
    return FormState.of(
        {
            "editing": tier.code,
            "code": tier.code,
            "name": tier.name,
            "threshold": tier.threshold,
            "multiplier": multiplier_text(benefits.earn_multiplier_bp).rstrip("×"),
            "free_shipping": benefits.free_shipping,
            "birthday_coupon_promotion_id": benefits.birthday_coupon_promotion_id,
        }
    )


def read_tier(given: Fields) -> tuple[str, TierIn]:
    """The tier form: its code (the one being changed, if any) and the tier."""
    found: dict[str, Problem] = {}
    try:
        code = check_code(first(given, "editing") or first(given, "code"))
    except ValueError:
        code = ""
        found["code"] = Problem("loyalty.err_code")
    bp = parse_multiplier(number(first(given, "multiplier")) or "1")
    if bp is None or bp > 10 * BP:
        found["multiplier"] = Problem("loyalty.err_multiplier")
    raw = {
        "name": first(given, "name").strip(),
        "threshold": number(first(given, "threshold")),
        "benefits": {
            "earn_multiplier_bp": BP if bp is None else bp,
            "free_shipping": bool(first(given, "free_shipping")),
            "birthday_coupon_promotion_id": number(first(given, "birthday_coupon_promotion_id")) or None,
        },
    }
    try:
        tier = TierIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected({**problems(exc, TIER_BENEFITS), **found}) from None
    if found:
        raise Rejected(found)
    return code, tier


def check_tier(session: Session, code: str, threshold: int, *, editing: str) -> None:
    """Refuse a new tier with a code already in use (it would change that tier without a word)
    and a threshold another tier starts at, naming that tier (the domain refuses it too)."""
    tiers = loyalty_repo.tiers(session)
    if code != editing and any(t.code == code for t in tiers):
        raise Rejected({"code": Problem("loyalty.err_code_taken", {"code": code})})
    taken = next((t.code for t in tiers if t.threshold == threshold and t.code != code), None)
    if taken is not None:
        raise Rejected({"threshold": Problem("loyalty.err_threshold_taken", {"code": taken})})


def read_adjustment(given: Fields) -> AdjustIn:
    found: dict[str, Problem] = {}
    if not first(given, "reason").strip():
        found["reason"] = Problem("points.err_reason")
    try:
        data = AdjustIn.model_validate(
            {
                "points": number(first(given, "points")),
                "reason": first(given, "reason").strip(),
                "key": first(given, "key"),
            }
        )
    except ValidationError as exc:
        found = {**problems(exc), **found}
        if "key" in found:  # the hidden key is missing or mangled: the page is stale
            found["key"] = Problem("error.csrf")
        raise Rejected(found) from None
    if data.points == 0:
        found["points"] = Problem("points.err_zero")
    if found:
        raise Rejected(found)
    return data


def adjustment_refused(exc: DomainError, points: int) -> dict[str, Problem]:
    """Why the ledger refused an adjustment, on the field to correct."""
    if isinstance(exc, NotEnoughPoints):
        return {"points": Problem("points.err_not_enough", {"points": f"{-points:,}"})}
    if isinstance(exc, KeyReused):
        return {"": Problem("points.err_replayed")}
    return {str(exc.extra.get("field", "")): Problem("form.refused", {"detail": exc.detail})}
