"""``omohub demo --no-serve``: builds into OMOHUB_DATABASE_URL, prints logins and keys that work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from omohub.access.service import authenticate_key, authenticate_user
from omohub.api.app import create_app
from omohub.bootstrap import build_hub
from omohub.cli import main
from omohub.core.config import Settings
from tests.helpers import basic

ARGS = ["demo", "--no-serve", "--members", "100", "--as-of", "2025-11-20"]


def test_the_demo_prints_logins_and_keys_that_work(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMOHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("OMOHUB_VAR_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(main, ARGS)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "from OMOHUB_DATABASE_URL" in out and "http://127.0.0.1:8000/console" in out
    api_key = re.findall(r"omk_[\w-]+", out)[0]
    write_keys = dict(re.findall(r"^  (web|app|pos|line) +(wk_[\w-]+)$", out, re.M))
    passwords = dict(re.findall(r"\b(admin|clerk) / (\S+)", out))
    assert set(write_keys) == {"web", "app", "pos", "line"} and set(passwords) == {"admin", "clerk"}
    saved = tmp_path / "var" / "demo-credentials.txt"
    assert saved.stat().st_mode & 0o777 == 0o600 and api_key in saved.read_text()

    hub = build_hub(Settings(database_url=database_url, var_dir=tmp_path / "var", collect_settle_seconds=0))
    try:
        with hub.uow() as s:
            assert authenticate_key(s, api_key).can("pos")
            assert authenticate_user(s, "admin", passwords["admin"]).role == "hq_admin"
            assert authenticate_user(s, "clerk", passwords["clerk"]).role == "clerk"
        with TestClient(create_app(hub)) as client:
            r = client.post(
                "/v1/track",
                headers=basic(write_keys["web"]),
                json={"anonymousId": "a-1", "event": "Product Viewed", "properties": {"product_id": "X"}},
            )
            assert r.status_code == 200, r.text
            r = client.get("/api/v1/events?anonymous_id=a-1", headers={"Authorization": f"Bearer {api_key}"})
            assert r.status_code == 200 and r.json()
    finally:
        hub.close()

    again = CliRunner().invoke(main, ARGS)
    assert again.exit_code == 2 and "empty database" in again.output
