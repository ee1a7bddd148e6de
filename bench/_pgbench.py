"""pgbench on the same server: the database's own rate for small read-write transactions."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def pg_args(admin: str) -> tuple[list[str], dict[str, str]]:
    """pgbench's connection options and environment for a SQLAlchemy URL."""
    url = make_url(admin)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return args, env


@contextmanager
def database(admin: str, scale: int) -> Iterator[tuple[str, float]]:
    """A database initialised by ``pgbench -i -s scale``; yields (name, init seconds); dropped after."""
    name = f"omohub_pgbench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        args, env = pg_args(admin)
        started = time.perf_counter()
        cmd = [executable(), *args, "-i", "-q", "-s", str(scale), name]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        yield name, time.perf_counter() - started
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        engine.dispose()


def tps(admin: str, name: str, clients: int, seconds: int, script: Path | None = None) -> float:
    """Transactions per second of pgbench's TPC-B-like script, or of ``script`` (a custom
    script, run without vacuuming pgbench's tables), without connection time."""
    args, env = pg_args(admin)
    cmd = [executable(), *args, "-c", str(clients), "-j", str(min(2, clients)), "-T", str(seconds)]
    if script is not None:
        cmd += ["-n", "-f", str(script)]
    out = subprocess.run([*cmd, name], env=env, check=True, capture_output=True, text=True).stdout
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if not found:
        raise RuntimeError(f"no tps in pgbench's output:\n{out}")
    return float(found.group(1))


def executable() -> str:
    found = shutil.which("pgbench") or "/usr/bin/pgbench"
    if not os.path.exists(found):
        raise RuntimeError("pgbench not found (install postgresql-client)")
    return found
