"""Message catalogs: one flat JSON file per locale in ``locales/``; zh-TW is the reference."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from omohub.console.rules import DEFAULT_LOCALE, LOCALES


@cache
def catalog(locale: str) -> dict[str, str]:
    text = resources.files("omohub.console").joinpath("locales", f"{locale}.json").read_text("utf-8")
    found: dict[str, str] = json.loads(text)
    return found


class Translator:
    """``t("nav.members")`` → the text in this locale; ``{name}`` placeholders are filled."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self._messages = catalog(self.locale)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._messages.get(key)
        if text is None:  # a missing key shows itself rather than breaking the page
            text = catalog(DEFAULT_LOCALE).get(key, key)
        return text.format(**params) if params else text

    def label(self, group: str, value: str | None) -> str:
        """An enum value's label (``channel.pos`` → 門市), or the raw value if it has none."""
        if value is None:
            return ""
        key = f"{group}.{value}"
        return self(key) if key in self._messages else value

    @property
    def html_lang(self) -> str:
        return "zh-Hant-TW" if self.locale == "zh-TW" else self.locale
