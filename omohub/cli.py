"""The ``omohub`` command line. Each command is one edge: it owns its transaction."""

from __future__ import annotations

import sys

import click

from omohub.bootstrap import Hub, build_hub
from omohub.catalog.cli import catalog_command
from omohub.core.errors import DomainError
from omohub.loyalty.cli import loyalty_command
from omohub.org.cli import staff_command, stores_command


def _hub() -> Hub:
    """The hub on a database with the current schema; a clear error otherwise (not a traceback
    from the first query)."""
    from omohub.core.migrate import schema_problem

    hub = build_hub()
    problem = schema_problem(hub.engine)
    if problem:
        hub.close()
        click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    return hub


def _fail(exc: DomainError) -> None:
    where = exc.extra.get("field") or exc.extra.get("row")
    click.echo(
        f"error: {exc.detail}" + (f" ({where})" if where and str(where) not in exc.detail else ""), err=True
    )
    sys.exit(2)


@click.group()
@click.version_option(package_name="omohub")
def main() -> None:
    """OMO Hub: one member, one order model and one data hub for every channel."""


@main.command()
def init() -> None:
    """Create or upgrade the database to the newest schema (safe to run again)."""
    from omohub.collect.partitions import ensure_partitions
    from omohub.core.migrate import current_revision, upgrade
    from omohub.org.service import ensure_standard_channels

    hub = build_hub()
    before = current_revision(hub.engine)
    upgrade(hub.engine)
    ensure_partitions(hub.engine)
    after = current_revision(hub.engine)
    with hub.uow() as session:
        ensure_standard_channels(session)
    url = hub.engine.url.render_as_string(hide_password=True)
    click.echo(
        f"database {url}: "
        + (f"upgraded {before or 'empty'} → {after}" if before != after else f"up to date at {after}")
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=False, help="Also run the worker in this process.")
@click.option("--workers", default=1, show_default=True, help="Web processes (PostgreSQL only).")
def serve(host: str, port: int, worker: bool, workers: int) -> None:
    """Serve the API, the collection endpoints and the console."""
    import uvicorn

    hub = _hub()
    if workers > 1:
        if hub.settings.is_sqlite:
            raise click.UsageError("--workers > 1 needs PostgreSQL (OMOHUB_DATABASE_URL)")
        uvicorn.run("omohub.api.asgi:app", host=host, port=port, workers=workers, log_level="warning")
        return
    from omohub.api.app import create_app

    uvicorn.run(create_app(hub, run_worker=worker), host=host, port=port, log_level="warning")


@main.command()
def worker() -> None:
    """Relay the outbox, deliver webhooks and process collected events until stopped."""
    from omohub.worker import run_process

    hub = _hub()
    click.echo("worker running; Ctrl-C or SIGTERM to stop")
    try:
        run_process(hub)
    finally:
        hub.close()
    click.echo("worker stopped")


@main.command()
@click.option("--members", default=50_000, show_default=True, type=click.IntRange(min=50), help="Members.")
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same brand.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Day after the history [default: today].")
@click.option("--serve/--no-serve", default=True, help="Start the hub when built (API, console, worker).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(members: int, seed: int, as_of: object, serve: bool, host: str, port: int) -> None:
    """Build a demo apparel brand (a fresh ./var/demo.db unless OMOHUB_DATABASE_URL is set) and serve it."""
    import datetime as dt

    from omohub.demo.cli import prepare

    try:
        hub = prepare(
            members=members,
            seed=seed,
            as_of=as_of.date() if isinstance(as_of, dt.datetime) else None,
            host=host,
            port=port,
        )
    except DomainError as exc:
        _fail(exc)
    if serve:
        import uvicorn

        from omohub.api.app import create_app

        uvicorn.run(create_app(hub, run_worker=True), host=host, port=port, log_level="warning")
    hub.close()


@main.group("import")
@click.pass_context
def import_(ctx: click.Context) -> None:
    """Move ERP master data in from CSV files: stores, staff, catalog (docs/import.md)."""
    ctx.obj = ctx.obj or _hub


for _command in (stores_command, staff_command, catalog_command):
    import_.add_command(_command)


@main.group()
def apikey() -> None:
    """API keys for integrations."""


@apikey.command("create")
@click.option("--name", required=True)
@click.option("--scopes", required=True, help="Comma-separated: collect,pos,ecommerce,admin")
def apikey_create(name: str, scopes: str) -> None:
    """Create a key; the secret is printed once, alone on the last line."""
    from omohub.access.service import create_api_key

    hub = _hub()
    try:
        with hub.uow() as session:
            key, secret = create_api_key(session, name, [s.strip() for s in scopes.split(",") if s.strip()])
            click.echo(f"API key {key.name!r} with scopes {','.join(key.scopes)} (shown once):")
    except DomainError as exc:
        _fail(exc)
    click.echo(secret)


@main.group()
def source() -> None:
    """Collection sources (Segment write keys)."""


@source.command("create")
@click.option("--name", required=True)
@click.option("--channel", required=True, type=click.Choice(["web", "app", "pos", "line"]))
@click.option(
    "--user-id-kind",
    type=click.Choice(["member_id", "external", "line_uid"]),
    default=None,
    help="What this source's Segment userId means (default: external for web/app/pos, line_uid for line).",
)
def source_create(name: str, channel: str, user_id_kind: str | None) -> None:
    """Create a source; its write key is printed once, alone on the last line."""
    from omohub.collect.sources import create_source

    hub = _hub()
    try:
        with hub.uow() as session:
            src, key = create_source(session, name, channel, user_id_kind)
            click.echo(
                f"source {src.name!r} ({src.channel}, userId = {src.user_id_kind}); write key (shown once):"
            )
    except DomainError as exc:
        _fail(exc)
    click.echo(key)


@main.group()
def user() -> None:
    """Console users."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["hq_admin", "marketer", "store_manager", "clerk"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--store", "store_code", default=None, help="Store code (store managers, clerks)")
@click.option("--name", default="")
def user_create(username: str, role: str, password: str, store_code: str | None, name: str) -> None:
    """Create a console user."""
    from sqlalchemy import select

    from omohub.access.service import create_user
    from omohub.org.models import Store

    hub = _hub()
    try:
        with hub.uow() as session:
            store_id = None
            if store_code:
                store_id = session.scalar(select(Store.id).where(Store.code == store_code))
                if store_id is None:
                    raise click.UsageError(f"unknown store code {store_code!r}")
            create_user(session, username, password, role, name=name, store_id=store_id)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"user {username!r} ({role}) created")


main.add_command(loyalty_command)
loyalty_command.context_settings["obj"] = _hub
