"""The mobile member card (行動會員卡): signed links, a Code 128 barcode and a QR code as SVG,
and under them the member's points, tier and next expiry, and the coupons they can use now.

The link carries the member id and the card number, signed with the hub's secret key: it
never expires (members save it to their home screen), and issuing a new card number makes
old links stop working.
"""

from __future__ import annotations

from dataclasses import dataclass

import barcode
import segno
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from omohub.loyalty.schemas import PointsOut
from omohub.loyalty.service import account
from omohub.members import repository as members_repo
from omohub.members.models import Member
from omohub.org.service import brand_name
from omohub.promotions.schemas import CouponOut
from omohub.promotions.service import wallet

SALT = "omohub.member-card"
#: Blank modules either side of a Code 128 symbol, so scanners find where it starts.
QUIET_ZONE = 10
BAR_HEIGHT = 40


@dataclass(frozen=True)
class CardView:
    brand: str
    name: str | None
    card_no: str
    #: The points and tier of the member who holds the card now (the survivor after a merge).
    points: PointsOut
    #: Their coupons usable now, soonest expiry first.
    coupons: list[CouponOut]


def card_token(secret: str, member_id: int, card_no: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps([member_id, card_no])


def read_token(secret: str, token: str) -> tuple[int, str] | None:
    try:
        member_id, card_no = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int) or not isinstance(card_no, str):
        return None
    return member_id, card_no


def card_path(secret: str, member: Member) -> str | None:
    """The member's card link (path only), or None for a profile without a card yet."""
    if not member.card_no:
        return None
    return "/card/" + card_token(secret, member.id, member.card_no)


def card_for(session: Session, secret: str, token: str) -> CardView | None:
    """What the card page shows for a token, or None if the link is forged or outdated."""
    found = read_token(secret, token)
    if found is None:
        return None
    member = session.get(Member, found[0])
    if member is None or member.card_no != found[1]:
        return None
    # After a merge the old card still finds the survivor at the till: show the survivor's name.
    live = members_repo.live_member(session, member.id) or member
    points = account.points(session, live.id, entries=0)
    usable = wallet.wallet(session, live.id, usable_only=True)
    return CardView(
        brand=brand_name(session), name=live.name, card_no=found[1], points=points, coupons=usable
    )


def code128_modules(content: str) -> str:
    """The bar pattern (``1`` = bar) of ``content`` in Code 128, with its check symbol."""
    built: list[str] = barcode.get_barcode_class("code128")(content).build()
    return built[0]


def barcode_svg(content: str) -> Markup:
    """A Code 128 barcode as one inline SVG path, one unit per module, quiet zones included."""
    modules = code128_modules(content)
    runs, x = [], QUIET_ZONE
    for width, bar in _runs(modules):
        if bar:
            runs.append(f"M{x} 0h{width}v{BAR_HEIGHT}h-{width}z")
        x += width
    width = len(modules) + 2 * QUIET_ZONE
    return Markup(
        f'<svg class="barcode" viewBox="0 0 {width} {BAR_HEIGHT}" preserveAspectRatio="none"'
        f' shape-rendering="crispEdges" role="img" aria-label="Code 128 {content}"'
        f' data-symbology="code128"><rect width="{width}" height="{BAR_HEIGHT}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def qr_svg(content: str, *, label: str = "QR") -> Markup:
    """A full-size QR code (never Micro QR, which many phones and scanners cannot read)."""
    qr = segno.make(content, micro=False, error="m")
    svg: str = qr.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff", svgclass="qr")
    return Markup(
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" data-symbology="qr" ', 1)
    )


def _runs(modules: str) -> list[tuple[int, bool]]:
    runs: list[tuple[int, bool]] = []
    for ch in modules:
        bar = ch == "1"
        if runs and runs[-1][1] == bar:
            runs[-1] = (runs[-1][0] + 1, bar)
        else:
            runs.append((1, bar))
    return runs
