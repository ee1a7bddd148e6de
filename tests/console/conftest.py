"""Console test fixtures: the seeded brand, and a TestClient signed in as any role."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi.testclient import TestClient

from omohub.api.app import create_app
from omohub.bootstrap import Hub
from tests.console.seed import PASSWORD, Shop, seed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def shop(hub: Hub, client: TestClient) -> Shop:
    return seed(hub, client)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = csrf_of(client.get("/console/login").text)
    r = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


@pytest.fixture
def as_role(client: TestClient, shop: Shop) -> Callable[[str], TestClient]:
    """Sign the test client in as the seeded user of a role (users are named after roles)."""

    def login(role: str) -> TestClient:
        client.cookies.clear()
        return sign_in(client, role)

    return login


def post_form(
    client: TestClient, path: str, data: dict[str, object], page: str | None = None
) -> httpx.Response:
    """POST a console form with the CSRF token of ``page`` (default: the form's own page)."""
    token = csrf_of(client.get(page or path).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


# Browser tests: Debian's Chromium driven by Playwright, against a real uvicorn server. ------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests of a module (per pytest-xdist worker).

    Module scope, not session: Playwright's sync API leaves its event loop marked as running
    in this thread while it is open, which would break later tests that call ``asyncio.run``.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("OMOHUB_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (OMOHUB_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a loaded 2-core CI machine, not a slow console
    with sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield found
        found.close()


@pytest.fixture
def server(hub: Hub) -> Iterator[str]:
    """The whole app (API and console) on a real uvicorn server on a free local port."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(hub), host="127.0.0.1", port=port, log_level="warning", ws="none")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def page(browser: Browser, server: str, shop: Shop) -> Iterator[Page]:
    """A fresh browser context (no cookies) on a tablet-sized screen, zh-TW like the staff's."""
    context = browser.new_context(base_url=server, locale="zh-TW", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    found = context.new_page()
    yield found
    context.close()


def browser_sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/console/")
