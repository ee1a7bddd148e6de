"""``omohub apikey create`` and ``omohub source create``: the secret alone on the last line."""

from __future__ import annotations

from pathlib import Path

from omohub.access.service import authenticate_key
from omohub.bootstrap import Hub
from omohub.collect.sources import WriteKeyCache
from tests.helpers import omohub


def test_apikey_create_prints_the_secret_alone_on_the_last_line(database_url: str, hub: Hub) -> None:
    r = omohub(database_url, "apikey", "create", "--name", "erp", "--scopes", "pos, ecommerce")
    assert r.exit_code == 0, r.output
    *before, secret = r.stdout.splitlines()
    assert before and all(secret not in line for line in before)
    with hub.uow() as session:
        who = authenticate_key(session, secret)
    assert who.actor == "apikey:erp" and who.scopes == {"pos", "ecommerce"}


def test_source_create_prints_the_write_key_alone_on_the_last_line(database_url: str, hub: Hub) -> None:
    r = omohub(database_url, "source", "create", "--name", "webshop", "--channel", "web")
    assert r.exit_code == 0, r.output
    *before, key = r.stdout.splitlines()
    assert before and all(key not in line for line in before)
    assert WriteKeyCache().load(hub.sessions, key).name == "webshop"


def test_a_bad_api_key_name_is_a_precise_cli_error(database_url: str, hub: Hub) -> None:
    for name in ("x" * 61, " ", "a\tb"):
        r = omohub(database_url, "apikey", "create", "--name", name, "--scopes", "pos")
        assert r.exit_code == 2, (name, r.output)
        assert r.stdout == ""
        assert "name" in r.stderr


def test_the_longest_api_key_name_can_sign_members_up(database_url: str, hub: Hub) -> None:
    """The key's name is the ``source`` of what it writes (``apikey:<name>``): it must fit."""
    from fastapi.testclient import TestClient

    from omohub.api.app import create_app

    r = omohub(database_url, "apikey", "create", "--name", "n" * 60, "--scopes", "pos")
    assert r.exit_code == 0, r.output
    secret = r.stdout.splitlines()[-1]
    with TestClient(create_app(hub)) as client:
        r = client.post(
            "/api/v1/members", headers={"Authorization": f"Bearer {secret}"}, json={"phone": "0912345678"}
        )
    assert r.status_code == 201, r.text


def test_a_command_on_a_database_without_the_schema_says_to_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    for args in (("loyalty", "check"), ("apikey", "create", "--name", "erp", "--scopes", "pos")):
        r = omohub(url, *args)
        assert r.exit_code == 2, r.output
        assert "has no schema: run `omohub init`" in r.stderr and "Traceback" not in r.output
    assert omohub(url, "init").exit_code == 0
    assert omohub(url, "loyalty", "check").exit_code == 0
