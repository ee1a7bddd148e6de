"""The program's settings, earn rules and tiers (head office configures them; data, not code)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy.orm import Session

from omohub.core.context import ctx
from omohub.loyalty import repository as repo
from omohub.loyalty.errors import InvalidProgram, RuleNotFound, TierNotFound
from omohub.loyalty.models import EarnRule, Program, Tier
from omohub.loyalty.rules import ProgramSettings, RuleSpec, TierDef

T = TypeVar("T")


MEMO = "loyalty.program"


def _memo(session: Session, key: str, load: Callable[[], T]) -> T:
    """Read once per session: a checkout asks for the settings, rules and tiers several times."""
    cache = session.info.setdefault(MEMO, {})
    if key not in cache:
        cache[key] = load()
    return cast(T, cache[key])


def _changed(session: Session) -> None:
    session.info.pop(MEMO, None)


def settings(session: Session) -> ProgramSettings:
    def load() -> ProgramSettings:
        row = repo.program(session)
        return ProgramSettings.model_validate(row.settings) if row else ProgramSettings()

    return _memo(session, "settings", load)


def tiers(session: Session) -> list[Tier]:
    return _memo(session, "tiers", lambda: repo.tiers(session))


def update_settings(session: Session, changes: dict[str, Any]) -> ProgramSettings:
    """Apply ``changes`` over the current settings; the whole result is validated first."""
    merged = {**settings(session).model_dump(), **changes}
    try:
        new = ProgramSettings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        raise InvalidProgram(f"{field}: {err['msg']}", field=field) from None
    row = repo.program(session)
    now = ctx(session).now()
    _changed(session)
    if row is None:
        session.add(Program(id=1, settings=new.model_dump(mode="json"), updated_at=now))
    else:
        row.settings, row.updated_at = new.model_dump(mode="json"), now
    session.flush()
    return new


def rules(session: Session) -> list[tuple[str, RuleSpec]]:
    return _memo(
        session,
        "rules",
        lambda: [(r.name, RuleSpec.model_validate(r.spec)) for r in repo.earn_rules(session)],
    )


def add_rule(session: Session, name: str, spec: RuleSpec) -> EarnRule:
    _changed(session)
    row = EarnRule(name=name, spec=spec.model_dump(mode="json"), active=True, created_at=ctx(session).now())
    session.add(row)
    session.flush()
    return row


def set_rule_active(session: Session, rule_id: int, active: bool) -> EarnRule:
    row = session.get(EarnRule, rule_id)
    if row is None:
        raise RuleNotFound(f"no earn rule {rule_id}")
    _changed(session)
    row.active = active
    return row


def tier_defs(session: Session) -> list[TierDef]:
    return [TierDef(t.code, t.threshold) for t in tiers(session)]


def put_tier(session: Session, code: str, name: str, threshold: int, benefits: dict[str, Any]) -> Tier:
    """Create or change a tier. Members move to it on their next purchase or review."""
    _changed(session)
    tier = next((t for t in repo.tiers(session) if t.code == code), None)
    clash = [t for t in repo.tiers(session) if t.threshold == threshold and t.code != code]
    if clash:
        raise InvalidProgram(f"tier {clash[0].code!r} already starts at {threshold}", field="threshold")
    if tier is None:
        tier = Tier(code=code, name=name, threshold=threshold, benefits=benefits)
        session.add(tier)
    else:
        tier.name, tier.threshold, tier.benefits = name, threshold, benefits
    session.flush()
    return tier


def tier(session: Session, code: str) -> Tier:
    found = next((t for t in repo.tiers(session) if t.code == code), None)
    if found is None:
        raise TierNotFound(f"no tier {code!r}")
    return found


def multiplier_bp(session: Session, tier_code: str | None) -> int:
    if tier_code is None:
        return 10_000
    found = next((t for t in tiers(session) if t.code == tier_code), None)
    return int((found.benefits if found else {}).get("earn_multiplier_bp", 10_000))
