"""Same seed, same brand: in another process (another hash seed), on another engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from omohub.bootstrap import Hub
from omohub.models import metadata
from tests.demo.conftest import AS_OF, MEMBERS, SEED, build

ROOT = Path(__file__).resolve().parents[2]
#: Every table the demo writes, except secrets (key hashes, password hashes) and the outbox.
TABLES = (
    "brand", "channels", "stores", "staff", "products", "skus", "members", "identifiers",
    "merge_suggestions", "merges", "orders", "order_lines", "payments", "returns", "return_lines",
    "events", "event_message_ids", "cursors",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, float)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def digests(engine: Engine) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            h = hashlib.sha256()
            for row in rows:
                h.update(repr([_plain(v) for v in row]).encode())
            out[name] = f"{h.hexdigest()[:16]} ({rows.rowcount if rows.rowcount >= 0 else '?'})"
    return out


def test_the_same_seed_builds_the_same_brand_in_a_new_process(hub: Hub, tmp_path: Path) -> None:
    build(hub)
    env = {k: v for k, v in os.environ.items() if k != "OMOHUB_DATABASE_URL"}
    env.update(PYTHONHASHSEED="4242", PYTHONPATH=str(ROOT), OMOHUB_VAR_DIR=str(tmp_path / "var"))
    cmd = [sys.executable, "-c", "from omohub.cli import main; main()", "demo", "--no-serve"]
    cmd += ["--members", str(MEMBERS), "--seed", str(SEED), "--as-of", AS_OF.isoformat()]
    done = subprocess.run(
        cmd, check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    other = create_engine(f"sqlite:///{tmp_path / 'var' / 'demo.db'}")
    try:
        assert digests(other) == digests(hub.engine)
    finally:
        other.dispose()
