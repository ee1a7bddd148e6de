"""``python -m bench redeem --quick``: redemptions against pgbench, figures of the right shape."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import create_engine, text

from bench.__main__ import main
from bench._pgbench import pg_args
from tests.conftest import PG_URL


def test_the_redemption_benchmark_needs_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMOHUB_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMOHUB_TEST_DATABASE_URL", raising=False)
    assert main(["redeem", "--quick"]) == 0
    assert "Skipped: this benchmark needs PostgreSQL" in capsys.readouterr().out


def test_pgbench_gets_the_connection_of_the_admin_url() -> None:
    args, env = pg_args("postgresql+psycopg://bench:s3cret@db.example:6543/admin")
    assert args == ["-h", "db.example", "-p", "6543", "-U", "bench"] and env["PGPASSWORD"] == "s3cret"


def _pgbench_databases() -> set[str]:
    engine = create_engine(str(PG_URL))
    with engine.connect() as conn:
        names = set(
            conn.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE 'omohub_pgbench_%'"))
        )
    engine.dispose()
    return names


@pytest.mark.skipif(not PG_URL, reason="the redemption benchmark runs on PostgreSQL")
@pytest.mark.skipif(not shutil.which("pgbench"), reason="pgbench (postgresql-client) is not installed")
def test_redemptions_are_reported_against_pgbench_and_leave_nothing_behind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _pgbench_databases()
    assert main(["redeem", "--quick", "--pg", str(PG_URL)]) == 0
    out = capsys.readouterr().out
    row = re.search(r"^\| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| \*\*(\d+)%\*\* \| (\d+)% \|$", out, re.M)
    assert row, out
    rate, commits, tps = (int(g.replace(",", "")) for g in row.groups()[:3])
    assert rate > 0 and commits == pytest.approx(2 * rate, abs=1) and tps > 0
    assert re.search(r"^- Aim \(issue #3: at least 30% of pgbench\): \*\*(met|NOT met)\*\*", out, re.M)
    alone = re.search(r"^- The functions alone \(.*\): ([\d,]+) redemptions/s, \*\*(\d+)%\*\*", out, re.M)
    assert alone and int(alone.group(1).replace(",", "")) > 0, out
    assert re.search(r"holds, all captured; the ledger check over [\d,]+ members found nothing", out)
    assert re.search(
        r"^One client alone, \d+ redemptions: hold p50 [\d.]+ ms, capture p50 [\d.]+ ms", out, re.M
    )
    assert re.search(
        r"^- `hold` \d+: .*SELECT omohub_points_hold ← loyalty\.repository\.hold_in_database", out, re.M
    )
    assert _pgbench_databases() <= before  # pgbench's database is dropped
