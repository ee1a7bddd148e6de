"""A promotion's reason in the viewer's language.

The engine explains each line with a ``Why`` — the promotion kind as a code and the figures
its sentence names (see ``promotions.engine.result.Why``); the API carries it as ``why`` next
to its English ``reason``. Here the figures are formatted (money in the brand's currency, a
percentage as 打8折 in zh-TW) and put into the locale's sentence ``why_line.<code>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from omohub.console.i18n import Translator
from omohub.console.render import Formatter
from omohub.console.rules import percent_text
from omohub.promotions.engine.explain import MONEY


def say(t: Translator, fmt: Formatter, code: str, args: Mapping[str, int]) -> str:
    words: dict[str, str] = {}
    for name, value in args.items():
        if name in MONEY:
            words[name] = fmt.money(value)
        elif name == "bp":
            words[name] = _off(t, value)
        elif name == "units":
            words[name] = t("why_line.unit" if value == 1 else "why_line.units", n=fmt.number(value))
        elif name == "times":
            words[name] = t("why_line.times", n=fmt.number(value)) if value else ""
        else:
            words[name] = fmt.number(value)
    return t(f"why_line.{code}", **words) if words else t.label("promotion_kind", code)


def _off(t: Translator, bp: int) -> str:
    """``2000`` → 打8折 / 20% off; ``10000`` → 免費 / free; ``1250`` → 折扣 12.5% / 12.5% off."""
    if bp >= 10000:
        return t("why_line.free")
    pays, left = divmod(10000 - bp, 100)
    if not left:
        return t(
            "why_line.pays", zhe=str(pays).rstrip("0") if pays % 10 == 0 else str(pays), pct=percent_text(bp)
        )
    return t("why_line.pct_off", pct=percent_text(bp))
