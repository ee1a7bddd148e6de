"""docs/webhooks.md is checked: every topic documented, the catalogue current, the receiver
snippet correct."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from omohub.core.events import known_topics
from omohub.core.outbox import jsonable
from omohub.webhooks.catalog import example, render_into
from omohub.webhooks.rules import sign

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
TOPICS = [
    "member.created",
    "member.updated",
    "member.merged",
    "member.unmerged",
    "order.completed",
    "order.refunded",
]


def test_the_issue_topics_are_registered() -> None:
    assert set(TOPICS) <= set(known_topics())


def test_every_registered_topic_is_documented() -> None:
    text = DOC.read_text()
    missing = [t for t in known_topics() if f"### `{t}`" not in text]
    assert not missing, f"run `python -m omohub.webhooks.catalog docs/webhooks.md`; missing: {missing}"


def test_the_topic_catalogue_is_current() -> None:
    text = DOC.read_text()
    assert render_into(text) == text, "run `python -m omohub.webhooks.catalog docs/webhooks.md`"


@pytest.mark.parametrize("topic", sorted(known_topics()))
def test_each_example_is_a_real_payload_of_its_event(topic: str) -> None:
    cls = known_topics()[topic]
    data = example(cls)
    assert cls.__doc__, f"{cls.__name__} needs a docstring: it is the webhook documentation"
    assert jsonable(cls(**data).payload()) == data


def test_the_documented_receiver_snippet_verifies_our_signatures() -> None:
    snippet = next(b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S) if "def verify" in b)
    scope: dict[str, object] = {}
    exec(snippet, scope)
    verify = scope["verify"]
    body, now = b'{"id":"evt_1"}', int(time.time())
    assert verify("whsec_x", sign("whsec_x", now, body), body)  # type: ignore[operator]
    assert not verify("whsec_x", sign("whsec_x", now, body), body + b" ")  # type: ignore[operator]
    assert not verify("whsec_x", sign("whsec_x", now - 3600, body), body)  # type: ignore[operator]
