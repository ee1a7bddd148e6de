"""What every benchmark needs: fresh databases, a real server process, the machine, the record."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "BENCHMARKS.md"


@dataclass
class Env:
    """The runner's options, shared by every benchmark."""

    args: argparse.Namespace
    pg: str | None
    quick: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Env:
        pg = (
            args.pg
            or os.environ.get("OMOHUB_BENCH_DATABASE_URL")
            or os.environ.get("OMOHUB_TEST_DATABASE_URL")
        )
        return cls(args=args, pg=pg, quick=args.quick)

    def backends(self) -> list[str]:
        return ["sqlite", "postgresql"] if self.pg else ["sqlite"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def migrate(url: str) -> None:
    from omohub.collect.partitions import ensure_partitions
    from omohub.core.db import make_engine
    from omohub.core.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    ensure_partitions(engine)
    engine.dispose()


@contextmanager
def fresh_database(backend: str, pg_admin: str | None) -> Iterator[str]:
    """A new, migrated database (an SQLite file or a PostgreSQL database), dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="omohub-bench-") as tmp:
            url = f"sqlite:///{tmp}/omohub.db"
            migrate(url)
            yield url
        return
    assert pg_admin, "PostgreSQL benchmarks need --pg or $OMOHUB_BENCH_DATABASE_URL"
    name = f"omohub_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def server(database_url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """``omohub serve`` as its own process on a free port; yields its base URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from omohub.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    full_env = {**os.environ, "OMOHUB_DATABASE_URL": database_url, **(env or {})}
    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        full_env.setdefault("OMOHUB_VAR_DIR", var)
        proc = subprocess.Popen(cmd, env=full_env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_healthy(base: str, proc: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


def machine(env: Env) -> str:
    cpu = "unknown CPU"
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    parts = [f"{os.cpu_count()} cores ({cpu})", f"Python {platform.python_version()}"]
    if env.pg:
        try:
            engine = create_engine(env.pg)
            with engine.connect() as conn:
                parts.append(str(conn.execute(text("SHOW server_version")).scalar()).split()[0])
            engine.dispose()
            parts[-1] = f"PostgreSQL {parts[-1]}"
        except Exception:  # the record still names the rest
            pass
    return ", ".join(parts)


def write_section(name: str, title: str, command: str, where: str, lines: list[str]) -> None:
    """Replace (or append) the ``<!-- bench:name -->`` section of BENCHMARKS.md."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    body = "\n".join(
        [
            start,
            f"## {title}",
            "",
            f"Measured {dt.date.today().isoformat()} on {where} with:",
            "",
            "```sh",
            command,
            "```",
            "",
            *lines,
            end,
        ]
    )
    text_ = RECORD.read_text() if RECORD.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text_ = pattern.sub(lambda _m: body, text_) if pattern.search(text_) else text_.rstrip() + "\n\n" + body
    RECORD.write_text(text_.rstrip() + "\n")


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
