"""The topic catalogue of ``docs/webhooks.md``, generated from the event registry.

Each registered event's docstring, fields and an example envelope become one section, so
the documentation cannot drift from the code (``tests/webhooks/test_docs.py`` checks it).
Regenerate with ``python -m omohub.webhooks.catalog docs/webhooks.md``.

An event class may set ``examples = {"field": value}`` for realistic example values; other
fields get one from their name or type.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import types
import typing
from pathlib import Path
from typing import Any

import orjson

from omohub.core.events import DomainEvent, known_topics

BEGIN = "<!-- BEGIN GENERATED TOPICS: python -m omohub.webhooks.catalog docs/webhooks.md -->"
END = "<!-- END GENERATED TOPICS -->"
OCCURRED_AT = "2025-03-14T06:30:00+00:00"

BY_NAME: dict[str, Any] = {
    "member_id": 1042,
    "survivor_id": 1042,
    "merged_id": 1077,
    "restored_id": 1077,
    "merge_id": 31,
    "order_id": 58211,
    "return_id": 902,
    "channel": "pos",
    "currency": "TWD",
    "business_date": "2025-03-14",
    "source": "pos-xinyi",
    "external_id": "XY01-20250314-0042",
    "store_code": "TPE-XINYI",
    "staff_code": "S0107",
    "reason": "same phone +886912345678",
    "total": 2980,
    "refund_total": 1490,
    "order_status": "partially_refunded",
    "identifier_types": ["line_uid", "phone"],
    "changed": ["email", "name"],
}
BY_TYPE: dict[Any, Any] = {int: 1, str: "text", bool: True, float: 1.5}
#: Untyped (``dict``) structures, until their events carry ``examples`` themselves.
BY_TOPIC: dict[tuple[str, str], Any] = {
    ("order.completed", "lines"): [
        {"line_no": 1, "sku": "LS-LINEN-WHT-M", "quantity": 1, "unit_price": 1490, "line_total": 1490},
        {"line_no": 2, "sku": "DR-MIDI-NAVY-S", "quantity": 1, "unit_price": 1690, "line_total": 1490},
    ],
    ("order.refunded", "lines"): [
        {"line_no": 2, "sku": "DR-MIDI-NAVY-S", "quantity": 1, "refund_amount": 1490},
    ],
}


def example(cls: type[DomainEvent]) -> dict[str, Any]:
    """An example ``data`` object: every field of the event, in declaration order."""
    hints = typing.get_type_hints(cls)
    overrides: dict[str, Any] = getattr(cls, "examples", {})
    return {
        f.name: overrides.get(f.name, _guess(cls.topic, f.name, hints[f.name]))
        for f in dataclasses.fields(cls)
    }


def _guess(topic: str, name: str, tp: Any) -> Any:
    if (topic, name) in BY_TOPIC:
        return BY_TOPIC[topic, name]
    return BY_NAME[name] if name in BY_NAME else _by_type(tp)


def _by_type(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _by_type(args[0])
    if origin is list:
        return [_by_type(args[0])] if args and args[0] is not Any else []
    if origin is dict or tp is dict:
        return {}
    return BY_TYPE.get(tp)


def type_name(tp: Any) -> str:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return f"{type_name(args[0])} or null"
    if origin is list:
        return f"array of {type_name(args[0])}" if args else "array"
    if origin is dict or tp is dict:
        return "object"
    names = {int: "integer", str: "string", bool: "boolean", float: "number"}
    return names.get(tp, "any" if tp is Any else getattr(tp, "__name__", str(tp)))


def section(topic: str, cls: type[DomainEvent]) -> str:
    hints = typing.get_type_hints(cls)
    rows = "\n".join(f"| `{f.name}` | {type_name(hints[f.name])} |" for f in dataclasses.fields(cls))
    envelope = {
        "id": "evt_18231",
        "type": topic,
        "version": cls.version,
        "occurred_at": OCCURRED_AT,
        "data": example(cls),
    }
    body = orjson.dumps(envelope, option=orjson.OPT_INDENT_2).decode()
    doc = inspect.cleandoc(cls.__doc__ or "")
    return (
        f"### `{topic}`\n\nVersion {cls.version}. {doc}\n\n| field | type |\n|---|---|\n{rows}\n\n"
        f"```json\n{body}\n```\n"
    )


def topics_markdown() -> str:
    return "\n".join(section(t, cls) for t, cls in known_topics().items())


def render_into(text: str) -> str:
    """``text`` with the part between the markers replaced by the current catalogue."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{topics_markdown()}\n{END}{tail}"


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    path.write_text(render_into(path.read_text()))


if __name__ == "__main__":
    main(sys.argv[1:])
