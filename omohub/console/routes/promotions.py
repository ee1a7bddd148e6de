"""Promotions (行銷活動): the list, one promotion's form and status, and its coupons.

HQ admins and marketers create and change them; nobody else opens these pages. A form the
domain refuses (a bad parameter or code, 422; a clash with another exclusive promotion, 409)
is shown again as it was sent, the problem on its field, and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, coupons, forms, loyalty, promotion_form, queries, rules
from omohub.console.deps import CSRF, PREFIX, Viewer, context, flash, hub, page
from omohub.console.forms import FormState, Problem
from omohub.console.render import SECURITY_HEADERS
from omohub.console.render import page as render
from omohub.core.context import ctx
from omohub.core.db import MAX_ID
from omohub.core.errors import DomainError, NotFound
from omohub.promotions import convert
from omohub.promotions import repository as promotions_repo
from omohub.promotions.errors import PromotionConflict
from omohub.promotions.models import STATUSES, Promotion
from omohub.promotions.schemas import PromotionOut
from omohub.promotions.service import promotions

router = APIRouter()
HERE = f"{PREFIX}/promotions"
PROMOTERS = Depends(page("promotions"))
#: Promotions on the list, newest first (a brand runs tens at a time, hundreds in a year).
LISTED = 300


@router.get("/promotions")
def promotion_list(
    request: Request,
    status: str = Query("", max_length=10),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    rows = promotions_repo.listing(session, status if status in STATUSES else None, LISTED)
    listed = [convert.to_out(session, row) for row in rows]
    now = ctx(session).now()
    ctx_ = context(
        request,
        viewer,
        "promotions",
        promos=listed,
        phases={p.id: _phase(p, now) for p in listed},
        status=status,
        statuses=STATUSES,
    )
    return render("promotions/list.html", ctx_)


@router.get("/promotions/new")
def promotion_new(request: Request, viewer: Viewer = PROMOTERS, session: Session = uow) -> Response:
    return _page(request, viewer, session, None)


@router.post("/promotions", dependencies=[CSRF])
def promotion_create(
    request: Request,
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    try:
        data = promotion_form.read(given, loyalty.rule_choices(session), _tz(request))
        row = actions.create_promotion(session, viewer.who, data)
    except forms.Rejected as exc:
        return _refused(request, viewer, session, None, given, exc.problems, 422)
    except DomainError as exc:
        problems = promotion_form.refused(exc, forms.first(given, "kind"))
        return _refused(request, viewer, session, None, given, problems, exc.status)
    flash(request, "promotions.created", name=row.name)
    return RedirectResponse(f"{HERE}/{row.id}", status_code=303)


@router.get("/promotions/{promotion_id}")
def promotion_page(
    request: Request,
    promotion_id: int = Path(le=MAX_ID),
    batch: int | None = Query(None, ge=0, le=MAX_ID),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    """One promotion's form, status and coupons; ``?batch=`` shows a bulk batch just issued."""
    return _page(request, viewer, session, promotions.get(session, promotion_id), batch=batch)


@router.post("/promotions/{promotion_id}", dependencies=[CSRF])
def promotion_save(
    request: Request,
    promotion_id: int = Path(le=MAX_ID),
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    promotions.get(session, promotion_id)  # an unknown promotion is a 404, not a form
    try:
        data = promotion_form.read(given, loyalty.rule_choices(session), _tz(request))
        row, changed = actions.replace_promotion(session, viewer.who, promotion_id, data)
    except forms.Rejected as exc:
        return _refused(request, viewer, session, promotion_id, given, exc.problems, 422)
    except DomainError as exc:
        problems = promotion_form.refused(exc, forms.first(given, "kind"))
        return _refused(request, viewer, session, promotion_id, given, problems, exc.status)
    flash(request, "promotions.saved" if changed else "promotions.unchanged", name=row.name)
    return RedirectResponse(f"{HERE}/{row.id}", status_code=303)


@router.post("/promotions/{promotion_id}/status", dependencies=[CSRF])
def promotion_status(
    request: Request,
    promotion_id: int = Path(le=MAX_ID),
    status: Literal["active", "paused", "ended"] = Form(...),
    next: str = Form(""),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    """Pause, resume or end. Resuming is refused (and said so) if it now clashes with another."""
    try:
        row = actions.set_promotion_status(session, viewer.who, promotion_id, status)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        found = (
            promotion_form.conflict(exc)
            if isinstance(exc, PromotionConflict)
            else Problem("error.action_failed", {"detail": exc.detail})
        )
        flash(request, found.key, kind="error", **found.params)
    else:
        flash(request, f"promotions.now_{status}", name=row.name)
    return RedirectResponse(rules.safe_next(next, PREFIX, f"{HERE}/{promotion_id}"), status_code=303)


@router.post("/promotions/{promotion_id}/coupons", dependencies=[CSRF])
def coupons_issue(
    request: Request,
    promotion_id: int = Path(le=MAX_ID),
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    """Issue a shared code, N unique codes (then offered as CSV), or one into a member's wallet."""
    promotions.get(session, promotion_id)
    try:
        data, entry = coupons.read_issue(given, _tz(request))
        member = actions.find_member(session, entry) if entry else None
        if entry and member is None:
            raise forms.Rejected({"member": Problem("preview.err_member")})
        issued = actions.issue_coupons(session, viewer.who, promotion_id, data, member)
    except forms.Rejected as exc:
        return _refused_coupons(request, viewer, session, promotion_id, given, exc.problems, 422)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused_coupons(request, viewer, session, promotion_id, given, forms.refused(exc), exc.status)
    target = f"{HERE}/{promotion_id}"
    if data.count:
        first = promotions_repo.coupons_by_code(session, issued.codes[:1])[issued.codes[0]]
        target += f"?batch={coupons.batch_of(first.issued_at)}"
        flash(request, "promotions.issued_bulk", n=f"{issued.issued:,}")
    elif member is not None:
        flash(request, "promotions.issued_member", code=issued.codes[0], member=member.id)
    else:
        flash(request, "promotions.issued_code", code=issued.codes[0])
    return RedirectResponse(f"{target}#coupons", status_code=303)


@router.get("/promotions/{promotion_id}/coupons.csv")
def coupons_csv(
    request: Request,
    promotion_id: int = Path(le=MAX_ID),
    batch: int | None = Query(None, ge=0, le=MAX_ID),
    viewer: Viewer = PROMOTERS,
    session: Session = uow,
) -> Response:
    """A bulk batch's codes (``?batch=``), or all of the promotion's, as a spreadsheet."""
    row = promotions.get(session, promotion_id)
    at = coupons.batch_time(batch) if batch is not None else None
    found = [] if batch is not None and at is None else queries.coupon_batch(session, row.id, at)
    name = f"promotion-{row.id}-coupons" + (f"-{batch}" if batch is not None else "") + ".csv"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    text = coupons.csv_text(found, _tz(request))
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


# Pages ------------------------------------------------------------------------------------


def _refused(
    request: Request,
    viewer: Viewer,
    session: Session,
    promotion_id: int | None,
    given: forms.Fields,
    problems: dict[str, Problem],
    status: int,
) -> Response:
    """The form again as it was sent, with its problems; whatever the domain began is undone."""
    session.rollback()
    row = promotions.get(session, promotion_id) if promotion_id else None
    return _page(request, viewer, session, row, FormState(given, problems), status=status)


def _refused_coupons(
    request: Request,
    viewer: Viewer,
    session: Session,
    promotion_id: int,
    given: forms.Fields,
    problems: dict[str, Problem],
    status: int,
) -> Response:
    session.rollback()
    row = promotions.get(session, promotion_id)
    return _page(request, viewer, session, row, coupon_form=FormState(given, problems), status=status)


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    row: Promotion | None,
    form: FormState | None = None,
    *,
    coupon_form: FormState | None = None,
    batch: int | None = None,
    status: int = 200,
) -> Response:
    tz = _tz(request)
    out = convert.to_out(session, row) if row else None
    f = form or (promotion_form.state(out, tz) if out else promotion_form.blank())
    choices = loyalty.rule_choices(session)
    ctx_ = context(
        request,
        viewer,
        "promotions",
        promo=out,
        phase=_phase(out, ctx(session).now()) if out else None,
        f=f,
        fields=promotion_form.FIELDS,
        kinds=promotion_form.KINDS,
        param_inputs=promotion_form.PARAM_INPUTS,
        step_rows=promotion_form.step_rows(f),
        stackings=promotion_form.STACKINGS,
        audiences=promotion_form.AUDIENCES,
        auto_issue=promotion_form.AUTO_ISSUE,
        caps=promotion_form.CAPS,
        choices=choices,
        tier_names=loyalty.tier_names(session),
        timezone=hub(request).settings.timezone,
        **(_coupons(session, row, coupon_form, batch) if row else {}),
    )
    return render("promotions/edit.html", ctx_, status=status)


def _coupons(session: Session, row: Promotion, form: FormState | None, batch: int | None) -> dict[str, Any]:
    at = coupons.batch_time(batch) if batch is not None else None
    size = queries.batch_size(session, row.id, at) if at is not None else 0
    shown = queries.coupon_batch(session, row.id, at, coupons.SHOWN) if size else []
    return {
        "coupon_form": form or FormState.of({"mode": "code", "max_uses": 1}),
        "coupon_fields": coupons.FIELDS,
        "modes": coupons.MODES,
        "issued": queries.promotion_coupons(session, row.id),
        "totals": queries.coupon_totals(session, row.id),
        "batch": batch if size else None,
        "batch_size": size,
        "batch_codes": [c.code for c in shown],
    }


def _phase(p: PromotionOut, now: dt.datetime) -> str:
    used_up = p.max_uses is not None and p.uses >= p.max_uses
    capped = used_up or (p.budget is not None and p.spent >= p.budget)
    return rules.promotion_phase(p.status, p.starts_at, p.ends_at, now, capped)


def _tz(request: Request) -> dt.tzinfo:
    return hub(request).settings.tz
