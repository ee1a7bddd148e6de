"""Version tokens: read once per transaction, replaced by every bump, never repeated."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from omohub.bootstrap import Hub
from omohub.core import versions
from omohub.core.migrate import alembic_config


def test_a_bump_replaces_the_token_and_the_same_transaction_sees_it(hub: Hub) -> None:
    with hub.uow() as session:
        before = versions.current(session)[versions.CATALOG]
        versions.bump(session, versions.CATALOG)
        after = versions.current(session)[versions.CATALOG]
        assert after != before
    with hub.uow() as session:
        assert versions.current(session)[versions.CATALOG] == after


def test_a_rolled_back_bump_leaves_the_old_token(hub: Hub) -> None:
    with hub.uow() as session:
        before = versions.current(session)[versions.LOYALTY]
    session = hub.sessions()
    try:
        versions.bump(session, versions.LOYALTY)
        session.rollback()
    finally:
        session.close()
    with hub.uow() as session:
        assert versions.current(session)[versions.LOYALTY] == before


def test_tokens_are_read_once_per_transaction(hub: Hub) -> None:
    seen: list[int] = []
    with hub.uow() as session:
        first = versions.current(session)
        seen.append(id(first))
        seen.append(id(versions.current(session)))
    with hub.uow() as session:
        seen.append(id(versions.current(session)))
    assert seen[0] == seen[1] != seen[2]


def test_a_name_nothing_has_bumped_gets_a_token_per_transaction(hub: Hub) -> None:
    with hub.uow() as session:
        session.execute(versions.DataVersion.__table__.delete())
    with hub.uow() as session:
        once = versions.current(session)[versions.STORES]
    with hub.uow() as session:
        again = versions.current(session)[versions.STORES]
        versions.bump(session, versions.STORES)
        bumped = versions.current(session)[versions.STORES]
    assert once != again and not bumped.startswith("tx-")
    with hub.uow() as session:
        assert versions.current(session)[versions.STORES] == bumped


def test_the_migration_seeds_every_name_and_keeps_the_promotions_token(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(text("INSERT INTO promotion_state VALUES (1, 'kept', '2026-12-01 00:00:00')"))
        command.upgrade(cfg, "head")
        found = dict(conn.execute(text("SELECT name, token FROM data_versions")).all())
    engine.dispose()
    assert set(found) == set(versions.NAMES) and found[versions.PROMOTIONS] == "kept"
