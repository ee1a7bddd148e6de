"""``omohub demo`` build time and peak memory, against a bare insert of the same rows.

Per backend, in one fresh database and one run:

* **demo** — ``omohub demo --no-serve`` as its own process (fixed seed and ``--as-of``): wall
  time, CPU time and peak resident memory of that process (``os.wait4``'s ``ru_maxrss``).
* **bare insert** — every row the demo wrote, copied into a second fresh database with the
  driver and nothing else: SQLite ``executemany`` in 20,000-row transactions (the demo's own
  pragmas; only the ``executemany`` calls are timed), PostgreSQL ``COPY`` streamed from the
  demo database into the new one (timed whole, so it includes reading). No generation, no
  logic: the floor a demo build of this size could reach.

The figure is the build time, its ratio to the bare insert, and the peak memory.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url

from bench._harness import ROOT, Env, fresh_database

TITLE = "Demo brand: omohub demo build time and peak memory"
AS_OF = "2025-11-20"
CHUNK = 20_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("demo")
    g.add_argument("--demo-members", type=int, default=50_000, help="members of the demo brand")


@dataclass
class Result:
    backend: str
    seconds: float
    cpu: float
    peak_mb: float
    rows: int
    events: int
    bare: float
    load: tuple[float, float]


def build(url: str, members: int) -> tuple[float, float, float, str]:
    """Run ``omohub demo --no-serve``; (wall s, CPU s, peak RSS MB, its output)."""
    cmd = [sys.executable, "-c", "from omohub.cli import main; main()", "demo", "--no-serve"]
    cmd += ["--members", str(members), "--seed", "1", "--as-of", AS_OF]
    with tempfile.TemporaryDirectory(prefix="omohub-bench-demo-") as var:
        env = {**os.environ, "OMOHUB_DATABASE_URL": url, "OMOHUB_VAR_DIR": var, "COLUMNS": "120"}
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        output = proc.stdout.read().decode()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"omohub demo failed ({proc.returncode}):\n{output}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def tables() -> list[str]:
    """Every table in foreign-key order, as the migration made them (but ``data_versions``,
    which the migration fills in the copy too)."""
    from omohub.models import metadata

    return [t.name for t in metadata.sorted_tables if t.name != "data_versions"]


def bare_sqlite(source: str, target: str) -> tuple[float, int]:
    src, dst = sqlite3.connect(source), sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA synchronous=OFF")
    dst.execute("PRAGMA cache_size=-65536")
    spent, rows = 0.0, 0
    for table in tables():
        cur = src.execute(f"SELECT * FROM {table}")
        marks = ", ".join("?" * len(cur.description))
        while chunk := cur.fetchmany(CHUNK):
            started = time.perf_counter()
            dst.execute("BEGIN")
            dst.executemany(f"INSERT INTO {table} VALUES ({marks})", chunk)
            dst.execute("COMMIT")
            spent += time.perf_counter() - started
            rows += len(chunk)
    src.close()
    dst.close()
    return spent, rows


def bare_pg(source: str, target: str) -> tuple[float, int]:
    rows = 0
    with psycopg.connect(source) as src, psycopg.connect(target) as dst:
        started = time.perf_counter()
        for table in tables():
            cols = ", ".join(d.name for d in src.execute(f"SELECT * FROM {table} LIMIT 0").description or [])
            with (
                src.cursor().copy(f"COPY (SELECT {cols} FROM {table}) TO STDOUT") as out,
                dst.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as into,
            ):
                for block in out:
                    into.write(block)
            rows += src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        dst.commit()
        return time.perf_counter() - started, rows


def _driver_url(url: str) -> str:
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def measure(env: Env, backend: str, members: int) -> Result:
    load_before = os.getloadavg()[0]
    with fresh_database(backend, env.pg) as url:
        seconds, cpu, peak, output = build(url, members)
        print(
            "  "
            + "\n  ".join(line for line in output.splitlines() if "built in" in line or "orders (" in line)
        )
        with fresh_database(backend, env.pg) as copy_url:
            if backend == "sqlite":
                bare, rows = bare_sqlite(make_url(url).database or "", make_url(copy_url).database or "")
            else:
                bare, rows = bare_pg(_driver_url(url), _driver_url(copy_url))
        events = _count(backend, url)
    return Result(backend, seconds, cpu, peak, rows, events, bare, (load_before, os.getloadavg()[0]))


def _count(backend: str, url: str) -> int:
    sql = "SELECT count(*) FROM events"
    if backend == "sqlite":
        with sqlite3.connect(make_url(url).database or "") as conn:
            return int(conn.execute(sql).fetchone()[0])
    with psycopg.connect(_driver_url(url)) as conn:
        return int(conn.execute(sql).fetchone()[0])  # type: ignore[index]


def run(env: Env) -> list[str]:
    members = 2_000 if env.quick else env.args.demo_members
    results = [measure(env, backend, members) for backend in env.backends()]
    lines = [
        f"`omohub demo --no-serve --members {members:,} --seed 1 --as-of {AS_OF}` in its own process;"
        " the bare insert copies every row it wrote into a fresh database with the driver alone.",
        "",
        "| backend | rows (events) | build | CPU | peak memory | bare insert, same rows | build / bare |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.rows:,} ({r.events:,}) | {r.seconds:.0f} s | {r.cpu:.0f} s "
            f"| {r.peak_mb:,.0f} MB | {r.bare:.0f} s | {r.seconds / r.bare:.1f}× |"
        )
    lines.append("")
    loads = ", ".join(f"{r.backend} {r.load[0]:.1f} → {r.load[1]:.1f}" for r in results)
    lines.append(
        f"Aim: under 180 s at the default size on 2 cores. Load average before → after: {loads}"
        " (the machine is shared with other work)."
    )
    return lines
