"""What staff do in the console: each action calls one domain service and leaves an audit entry."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from omohub.access import service as access
from omohub.access.models import ApiKey, ConsoleUser
from omohub.access.rules import Principal
from omohub.collect.models import Source
from omohub.collect.sources import create_source
from omohub.console.rules import search_candidates
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.models import EarnRule, PointEntry, Tier
from omohub.loyalty.rules import ProgramSettings
from omohub.loyalty.schemas import AdjustIn, EarnRuleIn, TierIn
from omohub.loyalty.service import adjust, program
from omohub.members import service as members
from omohub.members.errors import BadIdentifier, MemberNotFound
from omohub.members.models import Member, MergeRecord
from omohub.promotions import convert
from omohub.promotions.models import Promotion
from omohub.promotions.schemas import CouponsIn, IssuedOut, PromotionIn, PromotionOut
from omohub.promotions.service import promotions, wallet
from omohub.webhooks import service as webhooks
from omohub.webhooks.models import Subscription

_COMPACT = {"member_card", "member_id"}
#: A promotion's new status → what the audit log calls the change.
STATUS_ACTIONS = {"active": "promotion.resume", "paused": "promotion.pause", "ended": "promotion.end"}


def find_member(session: Session, entry: str, by: str = "auto") -> Member | None:
    """The member a search box entry names, trying each identifier type it may be."""
    for type_ in search_candidates(entry, by):
        value = re.sub(r"[\s#-]", "", entry) if type_ in _COMPACT else entry.strip()
        try:
            return members.find(session, type_, value)
        except (BadIdentifier, MemberNotFound):
            continue
    return None


def unmerge(session: Session, who: Principal, merged_id: int) -> MergeRecord:
    record = members.unmerge_by_hand(session, merged_id, who.actor)
    access.audit(
        session, who, "member.unmerge", f"member:{merged_id}", survivor=record.survivor_id, merge=record.id
    )
    return record


def create_api_key(session: Session, who: Principal, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    key, secret = access.create_api_key(session, name.strip(), scopes)
    access.audit(session, who, "apikey.create", f"apikey:{key.id}", name=key.name, scopes=key.scopes)
    return key, secret


def revoke_api_key(session: Session, who: Principal, key_id: int) -> ApiKey:
    key = access.revoke_api_key(session, key_id)
    access.audit(session, who, "apikey.revoke", f"apikey:{key.id}", name=key.name)
    return key


def create_webhook(
    session: Session, who: Principal, url: str, topics: list[str], description: str
) -> Subscription:
    sub = webhooks.subscribe(session, url.strip(), topics, description.strip())
    access.audit(session, who, "webhook.create", f"webhook:{sub.id}", url=sub.url, topics=sub.topics)
    return sub


def set_webhook_active(session: Session, who: Principal, sub_id: int, active: bool) -> Subscription:
    sub = webhooks.update(session, sub_id, active=active)
    access.audit(session, who, "webhook.activate" if active else "webhook.deactivate", f"webhook:{sub.id}")
    return sub


def create_collect_source(
    session: Session, who: Principal, name: str, channel: str, user_id_kind: str | None
) -> tuple[Source, str]:
    source, key = create_source(session, name.strip(), channel, user_id_kind or None)
    access.audit(session, who, "source.create", f"source:{source.id}", name=source.name)
    return source, key


def create_console_user(
    session: Session,
    who: Principal,
    *,
    username: str,
    password: str,
    role: str,
    name: str,
    store_id: int | None,
) -> ConsoleUser:
    user = access.create_user(session, username.strip(), password, role, name=name.strip(), store_id=store_id)
    access.audit(session, who, "user.create", f"user:{user.username}", role=user.role)
    return user


def adjust_points(session: Session, who: Principal, member_id: int, data: AdjustIn) -> PointEntry:
    """Add or remove points by hand. A form sent twice (same key) is one adjustment, audited once."""
    row, created = adjust.adjust(
        session, member_id, data.points, reason=data.reason, key=data.key, actor=who.actor
    )
    if created:
        access.audit(
            session,
            who,
            "member.adjust_points",
            f"member:{row.member_id}",
            points=row.points,
            reason=row.reason,
            entry=row.id,
        )
    return row


def update_program(session: Session, who: Principal, new: ProgramSettings) -> dict[str, list[Any]]:
    """Keep the settings; returns (and audits) what changed, field → [before, after]."""
    old = program.settings(session).model_dump(mode="json")
    changed = {k: [old.get(k), v] for k, v in new.model_dump(mode="json").items() if old.get(k) != v}
    if changed:
        program.update_settings(session, {k: after for k, (_, after) in changed.items()})
        access.audit(session, who, "loyalty_program.update", "loyalty:program", changes=changed)
    return changed


def add_earn_rule(session: Session, who: Principal, data: EarnRuleIn) -> EarnRule:
    row = program.add_rule(session, data.name, data.spec)
    access.audit(session, who, "earn_rule.create", f"earn_rule:{row.id}", name=row.name, spec=row.spec)
    return row


def set_earn_rule_active(session: Session, who: Principal, rule_id: int, active: bool) -> EarnRule:
    row = program.set_rule_active(session, rule_id, active)
    action = "earn_rule.activate" if active else "earn_rule.deactivate"
    access.audit(session, who, action, f"earn_rule:{row.id}", name=row.name)
    return row


def save_tier(session: Session, who: Principal, code: str, data: TierIn) -> Tier:
    """Create or change a tier; benefits the form does not show are kept as they were."""
    old = next((t for t in loyalty_repo.tiers(session) if t.code == code), None)
    benefits = {**(old.benefits if old else {}), **data.benefits.model_dump(mode="json")}
    created = old is None
    tier = program.put_tier(session, code, data.name, data.threshold, benefits)
    access.audit(
        session,
        who,
        "tier.create" if created else "tier.update",
        f"tier:{tier.code}",
        name=tier.name,
        threshold=tier.threshold,
        benefits=tier.benefits,
    )
    return tier


def checkout_view(session: Session, who: Principal, member: Member) -> None:
    """A clerk's look at a member's coupons and points at the till is a look-up, audited like the 360's."""
    if who.masked:
        access.audit(session, who, "member.lookup", f"member:{member.id}", page="checkout")


def create_promotion(session: Session, who: Principal, data: PromotionIn) -> Promotion:
    row = promotions.create(session, data)
    access.audit(
        session, who, "promotion.create", f"promotion:{row.id}", name=row.name, promotion=_kept(session, row)
    )
    return row


def replace_promotion(
    session: Session, who: Principal, promotion_id: int, data: PromotionIn
) -> tuple[Promotion, dict[str, list[Any]]]:
    """Change a promotion; returns (and audits) what changed, field → [before, after]."""
    before = _kept(session, promotions.get(session, promotion_id))
    row = promotions.replace(session, promotion_id, data)
    after = _kept(session, row)
    changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changed:
        access.audit(session, who, "promotion.update", f"promotion:{row.id}", name=row.name, changes=changed)
    return row, changed


def set_promotion_status(session: Session, who: Principal, promotion_id: int, status: str) -> Promotion:
    """Pause, resume or end a promotion (resuming checks it against the others again)."""
    row = promotions.set_status(session, promotion_id, status)
    access.audit(session, who, STATUS_ACTIONS[status], f"promotion:{row.id}", name=row.name)
    return row


def issue_coupons(
    session: Session, who: Principal, promotion_id: int, data: CouponsIn, member: Member | None
) -> IssuedOut:
    """One shared code, N unique codes or one coupon into a member's wallet; audited without the
    bulk codes themselves (the promotion's page lists them)."""
    issued = wallet.issue(session, promotions.get(session, promotion_id), data, member)
    mode = "code" if data.code else "count" if data.count else "member"
    detail: dict[str, Any] = {"mode": mode, "issued": issued.issued, "max_uses": data.max_uses}
    if mode != "count":
        detail["code"] = issued.codes[0]
    if member is not None:
        detail["member"] = member.id
    access.audit(session, who, "coupon.issue", f"promotion:{promotion_id}", **detail)
    return issued


def _kept(session: Session, row: Promotion) -> dict[str, Any]:
    """What the form edits of a promotion, as the API shows it (codes, not ids)."""
    out: PromotionOut = convert.to_out(session, row)
    return out.model_dump(mode="json", include=set(PromotionIn.model_fields))
