"""The benchmark runner finds every ``bench/<name>.py`` and runs it (tiny sizes here)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench._harness as harness
from bench.__main__ import available, main


def test_every_benchmark_module_is_found() -> None:
    modules = available()
    assert "collect" in modules
    assert all(hasattr(m, "TITLE") and callable(m.run) for m in modules.values())


def test_collect_runs_end_to_end_and_records_its_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMOHUB_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMOHUB_TEST_DATABASE_URL", raising=False)  # SQLite only: a smoke test
    assert main(["collect", "--quick", "--collect-clients", "2"]) == 0
    out = capsys.readouterr().out
    assert "| sqlite | 1 |" in out and "hub / direct" in out
    record = tmp_path / "BENCHMARKS.md"
    monkeypatch.setattr(harness, "RECORD", record)
    harness.write_section("collect", "Title", "python -m bench collect", "here", ["| a |", "old"])
    harness.write_section("collect", "Title", "python -m bench collect", "here", ["| a |", "new"])
    text = record.read_text()
    assert text.count("<!-- bench:collect -->") == 1 and "new" in text and "old" not in text
