"""Pure checks as Pydantic validators, with their own words and no "Value error," prefix."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

T = TypeVar("T")

#: Codes are keys shared with the brand's ERP and POS, and appear in URLs: no "/" or spaces.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_code(value: str, max_length: int = 40) -> str:
    """A store, staff, product or SKU code: letters, digits, ``.``, ``_``, ``-``."""
    code = value.strip()
    if not CODE.fullmatch(code):
        raise ValueError(
            f"{code!r} is not a valid code: letters, digits, '.', '_' and '-', starting with a"
            " letter or digit"
        )
    if len(code) > max_length:
        raise ValueError(f"is {len(code)} characters long; at most {max_length}")
    return code


def _wrap(check: Callable[[Any], T]) -> Callable[[Any], T]:
    def run(value: Any) -> T:
        try:
            return check(value)
        except ValueError as exc:
            raise PydanticCustomError("invalid", str(exc)) from None

    return run


def rule(check: Callable[[Any], T]) -> AfterValidator:
    """Run ``check`` after type validation; its ``ValueError`` message becomes the error."""
    return AfterValidator(_wrap(check))


def before(check: Callable[[Any], Any]) -> BeforeValidator:
    """Run ``check`` on the raw input (e.g. a spreadsheet's "是"/"否" before bool parsing)."""
    return BeforeValidator(_wrap(check))
