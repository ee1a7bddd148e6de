"""The identity benchmark loads, looks up, EXPLAINs and reports (tiny sizes, PostgreSQL only)."""

from __future__ import annotations

import pytest

from bench.__main__ import main
from bench.identity import card, e164, local_phone
from omohub.members.rules import card_checks_out, normalize
from tests.conftest import PG_URL


def test_synthetic_identifiers_are_valid_and_distinct() -> None:
    ids = range(1, 5001)
    assert len({e164(i) for i in ids}) == 5000
    assert all(normalize("phone", local_phone(i)) == e164(i) for i in range(1, 200))
    assert all(card_checks_out(card(i)) for i in range(1, 200))


@pytest.mark.skipif(not PG_URL, reason="the identity benchmark runs on PostgreSQL")
def test_identity_benchmark_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identity", "--quick", "--pg", str(PG_URL)]) == 0
    out = capsys.readouterr().out
    assert "| 360 in-process, HQ user |" in out and "| 360 over HTTP, admin key |" in out
    assert out.count("no sequential scan of a table over 10,000 rows") == 2
