"""The FastAPI application: every domain's router, one error handler, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI

from omohub import __version__
from omohub.api import problems
from omohub.api.deps import storable_text
from omohub.bootstrap import Hub
from omohub.collect.intake import Collector


def create_app(hub: Hub, *, run_worker: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _size_thread_pool(hub)
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


def _size_thread_pool(hub: Hub) -> None:
    """More worker threads than database connections, always.

    A sync endpoint's response is validated in a worker thread *before* its transaction
    commits. If every worker thread were waiting on a row lock (fifty tills redeeming one
    member's points), the lock holder could never get a thread to finish and commit: a
    deadlock. At most pool + overflow requests can be inside the database, so with more
    threads than that, a finished request always finds one.
    """
    connections = hub.settings.db_pool_size * 3  # pool_size + max_overflow
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, connections + 40)


def _routers() -> list[APIRouter]:
    from omohub.catalog.routes import router as catalog
    from omohub.checkout.routes import router as checkout
    from omohub.collect.routes import router as collect
    from omohub.console.public import router as console
    from omohub.customer360.routes import router as customer360
    from omohub.loyalty.routes import router as loyalty
    from omohub.members.routes import router as members
    from omohub.orders.routes import router as orders
    from omohub.org.routes import router as org
    from omohub.promotions.routes import router as promotions
    from omohub.webhooks.routes import router as webhooks

    # customer360 before members: /members/lookup must win over /members/{member_id}
    return [
        collect,
        customer360,
        members,
        loyalty,
        promotions,
        checkout,
        orders,
        org,
        catalog,
        webhooks,
        console,
    ]
