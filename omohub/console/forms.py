"""Console forms: what staff typed, read into the domains' own models, with problems per field.

Browsers send text; the domains validate with Pydantic. A ``ValidationError`` becomes one
message per field as a text key (shown in the viewer's language), and the form is shown
again with each problem next to its field and everything typed still in place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from omohub.core.errors import DomainError

#: A posted form: name → every value sent under it (check boxes send several).
Fields = dict[str, list[str]]

#: Pydantic error type → (text key, the context value that fills ``{n}``).
_BOUNDS = {
    "greater_than_equal": ("form.at_least", "ge"),
    "greater_than": ("form.above", "gt"),
    "less_than_equal": ("form.at_most", "le"),
    "less_than": ("form.below", "lt"),
    "string_too_long": ("form.too_long", "max_length"),
}
_PLAIN = {
    "missing": "form.required",
    "string_too_short": "form.required",
    "literal_error": "form.choice",
    "bool_parsing": "form.choice",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a text key and its placeholders."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


class Rejected(Exception):
    """A form with problems; nothing was changed."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems


@dataclass
class FormState:
    """A form as shown: the values to fill in and the problems to point at."""

    values: Fields = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)

    @classmethod
    def of(cls, values: Mapping[str, object]) -> FormState:
        return cls({k: _texts(v) for k, v in values.items()})

    def value(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def chosen(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def nth(self, name: str, i: int) -> str:
        """The ``i``-th value of a field repeated on rows (threshold steps, cart lines)."""
        found = self.values.get(name, [])
        return found[i] if i < len(found) else ""

    def checked(self, name: str) -> bool:
        return self.value(name) not in ("", "false")

    def others(self, shown: tuple[str, ...]) -> list[Problem]:
        """Problems of fields the form does not show (a hidden key, the form as a whole)."""
        return [p for name, p in sorted(self.problems.items()) if name not in shown]


async def fields(request: Request) -> Fields:
    """A dependency: the posted form, name → values (parsed once per request by Starlette)."""
    form = await request.form()
    found: Fields = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            found.setdefault(key, []).append(value)
    return found


def first(given: Fields, name: str) -> str:
    values = given.get(name)
    return values[0] if values else ""


def number(raw: str) -> str:
    """A number as typed on any keyboard: full-width ``－５００``, ``1,000`` and ``−5`` read plainly."""
    return unicodedata.normalize("NFKC", raw).replace(",", "").replace("−", "-").strip()


def problems(exc: ValidationError, rename: Mapping[str, str] | None = None) -> dict[str, Problem]:
    """One problem per field (the first); errors about the whole model go under ``""``."""
    found: dict[str, Problem] = {}
    for err in exc.errors():
        names = [part for part in err["loc"] if isinstance(part, str)]
        name = names[-1] if names else ""
        found.setdefault((rename or {}).get(name, name), problem(err))
    return found


def problem(err: ErrorDetails) -> Problem:
    kind = err["type"]
    if kind.startswith("int_"):
        return Problem("form.integer")
    if kind in _PLAIN:
        return Problem(_PLAIN[kind])
    if kind in _BOUNDS:
        key, limit = _BOUNDS[kind]
        return Problem(key, {"n": (err.get("ctx") or {}).get(limit, "")})
    return Problem("form.invalid", {"detail": err["msg"]})


def refused(exc: DomainError) -> dict[str, Problem]:
    """A domain's refusal, on the field it names (or on the form as a whole)."""
    return {str(exc.extra.get("field", "")): Problem("form.refused", {"detail": exc.detail})}


def _texts(value: object) -> list[str]:
    if value is None or value is False:
        return []
    if value is True:
        return ["true"]
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]
