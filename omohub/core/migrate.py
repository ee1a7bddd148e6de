"""``omohub init``: create or upgrade the database to the newest schema (idempotent)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_problem(engine: Engine) -> str | None:
    """Why this database cannot be used as it is (no schema, or an older one), or None."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    current = current_revision(engine)
    if current == head:
        return None
    url = engine.url.render_as_string(hide_password=True)
    if current is None:
        return (
            f"the database {url} has no schema: run `omohub init`, or point OMOHUB_DATABASE_URL at"
            " the hub's database"
        )
    return f"the database {url} is at schema {current}, this omohub needs {head}: run `omohub init`"
