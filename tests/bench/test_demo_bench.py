"""``python -m bench demo --quick`` builds a small demo in its own process and reports its figures."""

from __future__ import annotations

import re

import pytest

from bench.__main__ import main


def test_the_demo_benchmark_runs_and_reports_build_memory_and_baseline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMOHUB_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMOHUB_TEST_DATABASE_URL", raising=False)  # SQLite only: a smoke test
    assert main(["demo", "--quick"]) == 0
    out = capsys.readouterr().out
    row = re.search(
        r"^\| sqlite \| ([\d,]+) \(([\d,]+)\) \| \d+ s \| \d+ s \| ([\d,]+) MB \| \d+ s \| [\d.]+× \|$",
        out,
        re.M,
    )
    assert row, out
    rows, events, peak = (int(g.replace(",", "")) for g in row.groups())
    assert rows > events > 40_000 and peak > 50
