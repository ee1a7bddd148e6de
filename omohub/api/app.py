"""The FastAPI application: every domain's router, one error handler, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from omohub import __version__
from omohub.api import problems
from omohub.api.deps import storable_text
from omohub.bootstrap import Hub
from omohub.collect.intake import Collector


def create_app(hub: Hub, *, run_worker: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = None
        if run_worker:
            from omohub.worker import BackgroundWorker

            runner = BackgroundWorker(hub)
            runner.start()
        yield
        if runner is not None:
            runner.stop()
        app.state.collector.close()

    app = FastAPI(
        title="OMO Hub",
        version=__version__,
        description="One member, one order model and one data hub for every channel.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.hub = hub
    app.state.collector = Collector(hub)
    problems.install(app)
    for router in _routers():
        rest = router.prefix.startswith("/api/")
        app.include_router(router, dependencies=[Depends(storable_text)] if rest else None)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with hub.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__}

    from omohub.console.app import create_console

    app.mount("/console", create_console(hub))
    return app


def _routers() -> list[APIRouter]:
    from omohub.catalog.routes import router as catalog
    from omohub.collect.routes import router as collect
    from omohub.console.public import router as console
    from omohub.customer360.routes import router as customer360
    from omohub.loyalty.routes import router as loyalty
    from omohub.members.routes import router as members
    from omohub.orders.routes import router as orders
    from omohub.org.routes import router as org
    from omohub.webhooks.routes import router as webhooks

    # customer360 before members: /members/lookup must win over /members/{member_id}
    return [collect, customer360, members, loyalty, orders, org, catalog, webhooks, console]
