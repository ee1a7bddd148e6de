"""Real HTTP servers for collection tests: in a thread of the test process, or as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from omohub.api.app import create_app
from omohub.bootstrap import Hub

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def threaded_server(hub: Hub) -> Iterator[tuple[str, Any]]:
    """uvicorn serving ``create_app(hub)`` on a free port in a thread; yields (base URL, app)."""
    app = create_app(hub)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def server_process(database_url: str, var_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``omohub serve`` as a child process; yields (base URL, process)."""
    port = free_port()
    env = {**os.environ, "OMOHUB_DATABASE_URL": database_url, "OMOHUB_VAR_DIR": str(var_dir)}
    cmd = [sys.executable, "-c", "from omohub.cli import main; main()", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"server exited with {proc.returncode}"
            assert time.monotonic() < deadline, "server did not become healthy"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
