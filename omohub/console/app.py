"""The console as a sub-application mounted at ``/console``.

Its own session cookie (signed, scoped to ``/console``), static files and HTML error pages
stay out of the API's way: API clients never carry a cookie or get an HTML error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from omohub.console.deps import (
    PREFIX,
    BadCsrf,
    BadInput,
    LoginRequired,
    NotAllowed,
    context,
    current,
    no_nul,
)
from omohub.console.render import page
from omohub.core.errors import DomainError

if TYPE_CHECKING:
    from omohub.bootstrap import Hub

SESSION_COOKIE = "omohub_console"
#: One working day: a tablet left signed in at the till signs itself out overnight.
SESSION_SECONDS = 12 * 3600


def create_console(hub: Hub) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hub = hub
    app.add_middleware(
        SessionMiddleware,
        secret_key=hub.settings.resolved_secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
        path=PREFIX,
        same_site="lax",
        https_only=hub.settings.console_secure_cookie,
    )
    app.mount("/static", StaticFiles(packages=[("omohub.console", "static")]), name="static")
    _install_errors(app)
    for router in _routers():
        app.include_router(router, dependencies=[Depends(no_nul)])
    return app


def _routers() -> list[APIRouter]:
    from omohub.console.routes import (
        admin,
        auth,
        checkout,
        loyalty,
        members,
        orders,
        org,
        preview,
        promotions,
    )

    return [
        auth.router,
        org.router,
        members.router,
        checkout.router,
        orders.router,
        promotions.router,
        preview.router,
        loyalty.router,
        admin.router,
    ]


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: Exception) -> Response:
        return _error(request, "error.forbidden", 403)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: Exception) -> Response:
        return _error(request, "error.csrf", 403)

    @app.exception_handler(DomainError)
    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        key = {404: "error.not_found", 403: "error.forbidden"}.get(exc.status, "error.action_failed")
        return _error(request, key, exc.status, detail=exc.detail)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: Exception) -> Response:
        return _error(request, "error.bad_request", 422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: Exception) -> Response:
        return _error(request, "error.bad_request", 422)

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        key = "error.not_found" if exc.status_code == 404 else "error.action_failed"
        return _error(request, key, exc.status_code, detail=str(exc.detail))


def _error(request: Request, key: str, status: int, detail: str = "") -> Response:
    viewer = None
    if "session" in request.scope and isinstance(request.session.get("uid"), int):
        with request.app.state.hub.uow() as session:
            try:
                viewer = current(request, session)
            except LoginRequired:
                viewer = None
    return page("error.html", context(request, viewer, error=key, detail=detail), status=status)
