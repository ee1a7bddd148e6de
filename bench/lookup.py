"""The customer 360 by phone on the demo brand (issue #2's latency aim: p99 under 50 ms).

Per backend: ``omohub demo --no-serve`` builds the default demo brand (50,000 members, 12
months of orders, a million events) into a fresh database; then, for a random sample of
members, interleaved member by member after a warm-up:

* **baseline** — the member's phone identifier row by primary key through the bare driver
  (sqlite3 / psycopg): what one indexed read costs on this machine right now;
* the 360 in-process (``customer360.service.lookup``) as an HQ user and as a clerk (masked,
  audited), and over HTTP against ``omohub serve`` with an admin and a POS key.

Each series is reported as p50 / p99 and as a ratio to the baseline of the same run.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from bench._harness import Env, fresh_database, server
from bench.demo import build
from bench.identity import _pct, _timed

TITLE = "Customer 360 by phone on the demo brand: p50/p99 latency"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("lookup")
    g.add_argument("--lookup-members", type=int, default=50_000, help="members of the demo brand")
    g.add_argument("--lookup-sample", type=int, default=2_000, help="members looked up")


def local(e164: str) -> str:
    """+886912345678 → 0912-345-678, the way a clerk types it."""
    digits = "0" + e164[4:]
    return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"


class Driver:
    """The bare driver on the demo database, for the sample and the baseline."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            self.conn: Any = sqlite3.connect(parsed.database or "")
            self.mark = "?"
        else:
            self.conn = psycopg.connect(
                parsed.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
            )
            self.mark = "%s"

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql.replace("?", self.mark), params).fetchall())

    def close(self) -> None:
        self.conn.close()


def sample_members(db: Driver, n: int, seed: int = 7) -> list[tuple[int, int, str]]:
    """(member id, phone identifier id, phone) of ``n`` random joined members."""
    rows = db.rows(
        "SELECT i.member_id, i.id, i.value FROM identifiers i JOIN members m ON m.id = i.member_id"
        " WHERE i.type = 'phone' AND i.verified AND m.status = 'active' AND m.joined_at IS NOT NULL"
    )
    return random.Random(seed).sample(rows, min(n, len(rows)))


def in_process(url: str, sample: list[tuple[int, int, str]], db: Driver) -> dict[str, list[float]]:
    from omohub.access.rules import Principal
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings
    from omohub.customer360.service import lookup

    hq = Principal(actor="bench:hq", role="hq_admin", scopes=frozenset({"admin"}))
    clerk = Principal(actor="bench:clerk", role="clerk", scopes=frozenset({"pos"}), store_id=1)
    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))

        def pk(member: int, ident: int, phone: str) -> None:
            assert db.rows("SELECT * FROM identifiers WHERE id = ?", ident)[0][1] == member

        def three60(who: Principal) -> Callable[[int, int, str], None]:
            def call(member: int, _ident: int, phone: str) -> None:
                with hub.uow() as session:
                    assert lookup(session, who, "phone", local(phone)).member.id == member

            return call

        series = {
            "baseline: phone identifier by primary key (driver)": pk,
            "360 in-process, HQ user": three60(hq),
            "360 in-process, clerk (masked, audited)": three60(clerk),
        }
        timings = _interleaved(series, sample)
        hub.close()
    return timings


def over_http(url: str, sample: list[tuple[int, int, str]]) -> dict[str, list[float]]:
    from omohub.access.service import create_api_key
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings

    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))
        with hub.uow() as session:
            keys = {
                "360 over HTTP, admin key": create_api_key(session, "bench-hq", ["admin"])[1],
                "360 over HTTP, POS key (masked, audited)": create_api_key(session, "bench-pos", ["pos"])[1],
            }
        hub.close()
    with server(url) as base, httpx.Client(base_url=base, timeout=30) as http:

        def getter(key: str) -> Callable[[int, int, str], None]:
            headers = {"Authorization": f"Bearer {key}"}

            def get(member: int, _ident: int, phone: str) -> None:
                r = http.get("/api/v1/members/lookup", params={"phone": local(phone)}, headers=headers)
                assert r.status_code == 200 and r.json()["member"]["id"] == member, r.text

            return get

        return _interleaved({label: getter(key) for label, key in keys.items()}, sample)


def _interleaved(
    series: dict[str, Callable[[int, int, str], None]], sample: list[tuple[int, int, str]]
) -> dict[str, list[float]]:
    for row in sample[: min(100, len(sample) // 2)]:  # warm-up: plans, pools, caches
        for call in series.values():
            call(*row)
    timings: dict[str, list[float]] = {name: [] for name in series}
    for row in sample:
        for name, call in series.items():
            timings[name].append(_timed(lambda call=call, row=row: call(*row)))  # type: ignore[misc]
    return timings


def measure(env: Env, backend: str) -> list[str]:
    members = 500 if env.quick else env.args.lookup_members
    n = 50 if env.quick else env.args.lookup_sample
    with fresh_database(backend, env.pg) as url:
        seconds, _cpu, _peak, _out = build(url, members)
        db = Driver(url)
        sample = sample_members(db, n)
        timings = in_process(url, sample, db)
        db.close()
        timings.update(over_http(url, sample))
    base = timings["baseline: phone identifier by primary key (driver)"]
    b50, b99 = _pct(base, 0.5), _pct(base, 0.99)
    lines = [
        f"**{backend}** — demo brand of {members:,} members built in {seconds:.0f} s; {len(sample):,} random"
        " members looked up by phone (typed `09xx-xxx-xxx`), all series interleaved member by member.",
        "",
        "| series | p50 ms | p99 ms | p50 / baseline | p99 / baseline |",
        "|---|---|---|---|---|",
    ]
    for name, values in timings.items():
        p50, p99 = _pct(values, 0.5), _pct(values, 0.99)
        lines.append(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / b50:.0f}× | {p99 / b99:.0f}× |")
    worst = max(_pct(v, 0.99) for name, v in timings.items() if name.startswith("360"))
    lines += [
        "",
        f"Aim: p99 under 50 ms — {'met' if worst < 50 else 'NOT met'} (slowest 360 series: {worst:.1f} ms).",
        "",
    ]
    return lines


def run(env: Env) -> list[str]:
    lines: list[str] = []
    for backend in env.backends():
        lines += measure(env, backend)
    return lines
