"""The cart preview (試算): price a cart as the till and the web shop would, now, and see why.

Sent by POST (a member's phone number stays out of URLs). It reserves nothing: the cart is
priced with ``quote: false`` and the transaction is rolled back whatever happened.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console import actions, forms, preview, queries
from omohub.console.deps import CSRF, Viewer, context, locale_of, page
from omohub.console.forms import FormState
from omohub.console.i18n import Translator
from omohub.console.render import page as render
from omohub.core.errors import DomainError
from omohub.loyalty.service import account
from omohub.orders.models import ORDER_CHANNELS
from omohub.org.models import Store

router = APIRouter()
PREVIEWERS = Depends(page("preview"))


@router.get("/preview")
def preview_form(
    request: Request,
    sku: list[str] = Query([], max_length=preview.LINE_ROWS),
    viewer: Viewer = PREVIEWERS,
    session: Session = uow,
) -> Response:
    """An empty cart at the viewer's store; ``?sku=`` puts those SKUs in it (from a promotion)."""
    own = session.get(Store, viewer.user.store_id) if viewer.user.store_id else None
    values = {"channel": "pos", "store": own.code if own else "", "sku": sku, "qty": ["1"] * len(sku)}
    return _page(request, viewer, session, FormState.of(values))


@router.post("/preview", dependencies=[CSRF])
def preview_run(
    request: Request,
    given: forms.Fields = Depends(forms.fields),
    viewer: Viewer = PREVIEWERS,
    session: Session = uow,
) -> Response:
    form = FormState(given)
    entry = forms.first(given, "member").strip()
    member = actions.find_member(session, entry) if entry else None
    try:
        sent = preview.read_cart(given, member, bool(entry) and member is None)
    except forms.Rejected as exc:
        form.problems = exc.problems
        return _page(request, viewer, session, form, status=422)
    try:
        out = preview.priced(session, sent, viewer.who.actor)
        verdicts = preview.verdicts(session, sent, out)
        points = account.points(session, member.id, entries=0) if member else None
    except DomainError as exc:
        session.rollback()
        form.problems = preview.refused(exc, sent, Translator(locale_of(request, viewer.user)))
        return _page(request, viewer, session, form, status=exc.status)
    session.rollback()  # a preview keeps nothing, whatever pricing touched
    names = queries.product_names(session, [line.sku for line in out.lines] + [g.sku for g in out.gifts])
    result = {"out": out, "verdicts": verdicts, "points": points, "member": member, "names": names}
    return _page(request, viewer, session, form, result=result)


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    form: FormState,
    *,
    result: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    rows = preview.line_rows(len(form.chosen("sku")))
    ctx = context(
        request,
        viewer,
        "preview",
        f=form,
        shown=(*preview.FIELDS, *(f"line.{row}" for row in range(rows))),
        rows=rows,
        channels=ORDER_CHANNELS,
        stores=queries.stores(session),
        result=result,
    )
    return render("preview.html", ctx, status=status)
