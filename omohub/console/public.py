"""Routes on the main application: ``/`` (to the console) and the member's card ``/card/{token}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from omohub.api.deps import uow
from omohub.console.card import barcode_svg, card_for, qr_svg
from omohub.console.deps import PREFIX, hub
from omohub.console.render import base_context, page
from omohub.console.rules import pick_locale

router = APIRouter(include_in_schema=False)

#: The card link is a bearer secret: never sent on as a Referer, never cached by a proxy.
CARD_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}


@router.get("/")
def root() -> Response:
    return RedirectResponse(PREFIX + "/", status_code=307)


@router.get("/card/{token}")
def member_card(request: Request, token: str, lang: str = "", session: Session = uow) -> Response:
    """The mobile member card (行動會員卡): name, card number, Code 128 barcode and QR code."""
    settings = hub(request).settings
    ctx = {**base_context(settings, pick_locale(lang, _accepts(request))), "P": PREFIX, "token": token}
    card = card_for(session, settings.resolved_secret_key(), token)
    if card is None:
        return page("card_invalid.html", ctx, status=404, headers=CARD_HEADERS)
    ctx.update(card=card, barcode=barcode_svg(card.card_no), qr=qr_svg(card.card_no, label=card.card_no))
    return page("card.html", ctx, headers=CARD_HEADERS)


def _accepts(request: Request) -> str | None:
    """English for a phone set to English; everyone else gets zh-TW."""
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else None
