"""``python -m bench lookup --quick`` builds a small demo brand and times the 360 against its baseline."""

from __future__ import annotations

import re

import pytest

from bench.__main__ import main


def test_the_lookup_benchmark_reports_every_series_against_the_baseline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMOHUB_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMOHUB_TEST_DATABASE_URL", raising=False)  # SQLite only: a smoke test
    assert main(["lookup", "--quick"]) == 0
    out = capsys.readouterr().out
    rows = re.findall(
        r"^\| (360 [^|]+|baseline[^|]+) \| ([\d.]+) \| ([\d.]+) \| (\d+)× \| (\d+)× \|$", out, re.M
    )
    assert [r[0].strip() for r in rows] == [
        "baseline: phone identifier by primary key (driver)",
        "360 in-process, HQ user",
        "360 in-process, clerk (masked, audited)",
        "360 over HTTP, admin key",
        "360 over HTTP, POS key (masked, audited)",
    ]
    assert rows[0][3:] == ("1", "1")  # the baseline against itself
    assert re.search(r"^Aim: p99 under 50 ms — (met|NOT met) \(slowest 360 series: [\d.]+ ms\)\.$", out, re.M)
