"""Loyalty settings (點數與等級): the program, earn rules and tiers.

HQ admins change them; marketers may look. A form with a problem is shown again with the
problem next to its field, and nothing is kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, forms, loyalty, queries, rules
from omohub.console.deps import CSRF, PREFIX, Viewer, action, context, flash, page
from omohub.console.forms import FormState
from omohub.console.render import page as render
from omohub.core.db import MAX_ID
from omohub.core.errors import DomainError
from omohub.loyalty import repository as loyalty_repo
from omohub.loyalty.service import program

router = APIRouter()
HERE = f"{PREFIX}/loyalty"


@router.get("/loyalty")
def settings_page(
    request: Request,
    tier: str = Query("", max_length=40),
    viewer: Viewer = Depends(page("loyalty")),
    session: Session = uow,
) -> Response:
    """The settings; ``?tier=CODE`` fills the tier form with that tier, to change it."""
    editing = next((t for t in loyalty_repo.tiers(session) if t.code == tier), None)
    return _page(request, viewer, session, tier_form=loyalty.tier_state(editing))


@router.post("/loyalty/program", dependencies=[CSRF])
def program_save(
    request: Request,
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = Depends(action("loyalty_settings.change")),
    session: Session = uow,
) -> Response:
    try:
        new = loyalty.read_program(given, program.settings(session))
        changed = actions.update_program(session, viewer.who, new)
    except forms.Rejected as exc:
        return _refused(request, viewer, session, exc.problems, 422, program_form=given)
    except DomainError as exc:
        return _refused(request, viewer, session, forms.refused(exc), exc.status, program_form=given)
    flash(request, "loyalty.program_saved" if changed else "loyalty.program_unchanged")
    return RedirectResponse(HERE, status_code=303)


@router.post("/loyalty/rules", dependencies=[CSRF])
def rule_add(
    request: Request,
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = Depends(action("loyalty_settings.change")),
    session: Session = uow,
) -> Response:
    try:
        data = loyalty.read_rule(given, loyalty.rule_choices(session))
        row = actions.add_earn_rule(session, viewer.who, data)
    except forms.Rejected as exc:
        return _refused(request, viewer, session, exc.problems, 422, rule_form=given)
    flash(request, "loyalty.rule_added", name=row.name)
    return RedirectResponse(f"{HERE}#rules", status_code=303)


@router.post("/loyalty/rules/{rule_id}/active", dependencies=[CSRF])
def rule_active(
    request: Request,
    rule_id: int = Path(le=MAX_ID),
    active: bool = Form(...),
    viewer: Viewer = Depends(action("loyalty_settings.change")),
    session: Session = uow,
) -> Response:
    """Switch an earn rule on or off (rules are never deleted: past earnings name them)."""
    actions.set_earn_rule_active(session, viewer.who, rule_id, active)
    flash(request, "loyalty.rule_on" if active else "loyalty.rule_off", id=rule_id)
    return RedirectResponse(f"{HERE}#rules", status_code=303)


@router.post("/loyalty/tiers", dependencies=[CSRF])
def tier_save(
    request: Request,
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = Depends(action("loyalty_settings.change")),
    session: Session = uow,
) -> Response:
    """Create a tier, or change the one with this code."""
    try:
        code, data = loyalty.read_tier(given)
        loyalty.check_tier(session, code, data.threshold, editing=forms.first(given, "editing"))
        tier = actions.save_tier(session, viewer.who, code, data)
    except forms.Rejected as exc:
        return _refused(request, viewer, session, exc.problems, 422, tier_form=given)
    except DomainError as exc:
        return _refused(request, viewer, session, forms.refused(exc), exc.status, tier_form=given)
    flash(request, "loyalty.tier_saved", name=tier.name)
    return RedirectResponse(f"{HERE}#tiers", status_code=303)


def _refused(
    request: Request,
    viewer: Viewer,
    session: Session,
    problems: dict[str, forms.Problem],
    status: int,
    **sent: forms.Fields,
) -> Response:
    """The page again, the form that was sent filled in as it was, with its problems."""
    session.rollback()
    states = {name: FormState(given, problems) for name, given in sent.items()}
    return _page(request, viewer, session, status=status, **states)


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    status: int = 200,
    program_form: FormState | None = None,
    rule_form: FormState | None = None,
    tier_form: FormState | None = None,
) -> Response:
    settings = program.settings(session)
    tiers = loyalty_repo.tiers(session)
    ctx = context(
        request,
        viewer,
        "loyalty",
        settings=settings,
        sections=loyalty.PROGRAM_SECTIONS,
        program_fields=loyalty.PROGRAM_FIELDS,
        setting_choices=loyalty.SETTING_CHOICES,
        optional_settings=loyalty.OPTIONAL_SETTINGS,
        program_form=loyalty.program_state(settings, program_form),
        rules=loyalty.earn_rules(session),
        rule_kinds=loyalty.RULE_KINDS,
        rule_form=rule_form or FormState.of({"kind": "rate", "per": 100}),
        choices=loyalty.rule_choices(session),
        tiers=tiers,
        tier_names={t.code: t.name for t in tiers},
        tier_members=queries.tier_members(session),
        tier_form=tier_form or loyalty.tier_state(None),
        can_edit=rules.can_do(viewer.role, "loyalty_settings.change"),
    )
    return render("loyalty/settings.html", ctx, status=status)
