"""The program's settings, earn rules and tiers (head office configures them; data, not code).

Every checkout reads them, so they are kept per process as one frozen :class:`Program` and
loaded again when the ``loyalty`` token of ``core.versions`` changes: each change here bumps it
in the same transaction (ADR 0094).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from omohub.core import versions
from omohub.core.context import ctx
from omohub.loyalty import repository as repo
from omohub.loyalty.errors import InvalidProgram, RuleNotFound, TierNotFound
from omohub.loyalty.models import EarnRule, Program, Tier
from omohub.loyalty.rules import ProgramSettings, RuleSpec, TierDef


@dataclass(frozen=True)
class TierInfo:
    code: str
    name: str
    threshold: int
    benefits: Mapping[str, Any]


@dataclass(frozen=True)
class ProgramNow:
    """The settings, the tiers (lowest first) and the active earn rules, as read together."""

    settings: ProgramSettings
    tiers: tuple[TierInfo, ...]
    rules: tuple[tuple[str, RuleSpec], ...]


def _load(session: Session) -> ProgramNow:
    doc = repo.program_settings(session)
    return ProgramNow(
        ProgramSettings.model_validate(doc) if doc is not None else ProgramSettings(),
        tuple(TierInfo(*row) for row in repo.tier_rows(session)),
        tuple((name, RuleSpec.model_validate(spec)) for name, spec in repo.active_rule_specs(session)),
    )


_program = versions.Versioned(versions.LOYALTY, _load)


def current(session: Session) -> ProgramNow:
    return _program.get(session)


def _changed(session: Session) -> None:
    versions.bump(session, versions.LOYALTY)


def settings(session: Session) -> ProgramSettings:
    return current(session).settings


def held_settings(session: Session) -> tuple[str, ProgramSettings] | None:
    """The settings this process last read and their version token, without a statement (None
    before the first read); only for a statement that checks the token itself."""
    held = _program.held(session)
    return (held[0], held[1].settings) if held is not None else None


def settings_and_token(session: Session) -> tuple[str, ProgramSettings]:
    """The settings now, and the version token they are current for."""
    found = current(session)
    return versions.current(session)[versions.LOYALTY], found.settings


def tiers(session: Session) -> tuple[TierInfo, ...]:
    return current(session).tiers


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


def rules(session: Session) -> tuple[tuple[str, RuleSpec], ...]:
    return current(session).rules


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
    row.active = active
    _changed(session)
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
