"""Fixtures: a migrated database per test, on SQLite always and on PostgreSQL when
``OMOHUB_TEST_DATABASE_URL`` is set (then every database test runs on both).

SQLite: the schema is migrated once into a template file that each test copies.
PostgreSQL: the schema is migrated once into a private schema; each test starts from
empty tables (TRUNCATE), because services commit for real and concurrency tests need
real commits.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text

from omohub.api.app import create_app
from omohub.bootstrap import Hub, build_hub
from omohub.core.config import Settings
from omohub.core.migrate import upgrade
from omohub.core.versions import NAMES, DataVersion
from omohub.models import metadata

PG_URL = os.environ.get("OMOHUB_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("OMOHUB_REQUIRE_POSTGRES") and not PG_URL:
        pytest.exit("OMOHUB_REQUIRE_POSTGRES is set but OMOHUB_TEST_DATABASE_URL is not", returncode=3)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_URL:
        return [f"database backends: sqlite, postgresql ({PG_URL})"]
    return ["database backends: sqlite only — set OMOHUB_TEST_DATABASE_URL to also test PostgreSQL"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "omohub.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    upgrade(engine)
    from omohub.collect.partitions import ensure_partitions

    ensure_partitions(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "omohub.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    engine = create_engine(url)
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(insert(DataVersion), fresh_versions())  # as the migration leaves them
    engine.dispose()
    return url


def fresh_versions() -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    return [{"name": name, "token": uuid.uuid4().hex, "changed_at": now} for name in NAMES]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret",
        collect_settle_seconds=0,
    )


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    h = build_hub(settings)
    yield h
    h.close()


@pytest.fixture
def app(hub: Hub) -> Any:
    return create_app(hub)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def make_key(hub: Hub, *scopes: str, name: str | None = None) -> dict[str, str]:
    from omohub.access.service import create_api_key

    with hub.uow() as session:
        _, secret = create_api_key(session, name or f"key-{uuid.uuid4().hex[:6]}", list(scopes))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(hub: Hub) -> dict[str, str]:
    return make_key(hub, "admin", name="hq")


@pytest.fixture
def pos(hub: Hub) -> dict[str, str]:
    return make_key(hub, "pos", name="pos-terminal")
