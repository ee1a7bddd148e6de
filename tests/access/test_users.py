"""Console users: roles that work in a store need one; names fit where they are recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from omohub.access.models import ConsoleUser
from omohub.access.service import authenticate_user, create_user, user_principal
from omohub.bootstrap import Hub
from omohub.core.errors import Invalid
from omohub.org.models import Store


def _store(hub: Hub) -> int:
    with hub.uow() as s:
        store = Store(code="TPE-XINYI", name="信義店", city="台北市", created_at=hub.context.now())
        s.add(store)
        s.flush()
        return store.id


@pytest.mark.parametrize("role", ["store_manager", "clerk"])
def test_store_roles_need_a_store(hub: Hub, role: str) -> None:
    with pytest.raises(Invalid) as caught, hub.uow() as s:
        create_user(s, "amy", "correct-horse-9", role)
    assert caught.value.extra["field"] == "store"
    store_id = _store(hub)
    with hub.uow() as s:
        user = create_user(s, "amy", "correct-horse-9", role, store_id=store_id)
        assert user_principal(user).store_id == store_id


@pytest.mark.parametrize("role", ["hq_admin", "marketer"])
def test_head_office_roles_need_no_store(hub: Hub, role: str) -> None:
    with hub.uow() as s:
        create_user(s, "hq", "correct-horse-9", role)
    with hub.uow() as s:
        assert authenticate_user(s, "hq", "correct-horse-9").store_id is None


@pytest.mark.parametrize("username", ["", "   ", "x" * 61, "tab\there"])
def test_bad_usernames_are_refused_and_nothing_is_written(hub: Hub, username: str) -> None:
    with pytest.raises(Invalid) as caught, hub.uow() as s:
        create_user(s, username, "correct-horse-9", "hq_admin")
    assert caught.value.extra["field"] == "username"
    with hub.uow() as s:
        assert s.scalar(select(func.count()).select_from(ConsoleUser)) == 0
