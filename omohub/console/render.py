"""Templates: one Jinja environment for the package, and display formats for one request."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from omohub.console.i18n import Translator
from omohub.console.rules import group_card, multiplier_text, percent_text
from omohub.core.config import Settings

#: Headers on every console page: no framing, no inline script or style, nothing cached.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("omohub.console", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["card"] = group_card
    env.filters["multiplier"] = multiplier_text
    env.filters["percent"] = percent_text
    env.globals["say_why"] = _say_why
    return env


def _say_why(t: Translator, fmt: Formatter, why: Any) -> str:
    from omohub.console.why import say  # why imports this module's Formatter

    return say(t, fmt, why.code, why.args)


class Formatter:
    """Money in whole units of the brand's currency; times in the brand's timezone."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def money(self, amount: int | None) -> str:
        if amount is None:
            return ""
        sign = "-" if amount < 0 else ""
        symbol = "NT$" if self.settings.currency == "TWD" else self.settings.currency + " "
        return f"{sign}{symbol}{abs(amount):,}"

    def number(self, n: int) -> str:
        return f"{n:,}"

    def signed(self, n: int) -> str:
        """Points with their sign: ``+500``, ``-50``."""
        return f"{n:+,}"

    def when(self, at: dt.datetime | None) -> str:
        return at.astimezone(self.settings.tz).strftime("%Y-%m-%d %H:%M") if at else ""

    def date(self, at: dt.datetime | dt.date | None) -> str:
        if isinstance(at, dt.datetime):
            at = at.astimezone(self.settings.tz).date()
        return at.isoformat() if at else ""

    def through(self, ends: dt.datetime | None) -> str:
        """The last day something that ends at ``ends`` (exclusive) can be used, in the brand's days.

        A lot earned in 2026 ends at 1 January 2028 00:00 Taipei: usable through 2027-12-31.
        """
        return self.date(ends - dt.timedelta(microseconds=1)) if ends else ""


def page(
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` (which carries ``t`` and ``fmt``)."""
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def base_context(settings: Settings, locale: str) -> dict[str, Any]:
    t = Translator(locale)
    return {"t": t, "fmt": Formatter(settings), "locale": t.locale}
