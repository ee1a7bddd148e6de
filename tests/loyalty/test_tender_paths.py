"""The tender's two paths agree: PostgreSQL's one-statement functions (migration 0004) and the
Python path that SQLite runs and that PostgreSQL falls back to. Same lots, same request, same
outcome: which lots a hold reserves, how much, what a capture spends, or the same refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text

from omohub.bootstrap import Hub
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.check import run as check_ledger
from omohub.loyalty.errors import NotEnoughPoints
from omohub.loyalty.models import PointAllocation, PointEntry, PointHold, PointLot
from omohub.loyalty.service import redeem
from tests.conftest import PG_URL

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="the one-statement functions exist on PostgreSQL only"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

#: A lot: points, days until it expires (None: never; ≤ 0: expired), days until usable (> 0: pending).
LOT = st.tuples(st.integers(1, 40), st.one_of(st.none(), st.integers(-2, 30)), st.integers(-3, 2))


@contextmanager
def python_path_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as m:
        m.setattr(repo, "in_database", lambda session: False)
        yield


def give_lots(hub: Hub, member: int, lots: list[tuple[int, int | None, int]]) -> None:
    with hub.uow() as session:
        now = hub.context.now()
        for i, (points, expires, usable) in enumerate(lots):
            credit = ledger.entry(session, member, "adjust", points, f"lot:{member}:{i}", reason="test")
            ledger.add_lot(
                session,
                credit,
                available_at=now + dt.timedelta(days=usable),
                expires_at=None if expires is None else now + dt.timedelta(days=expires),
            )


def spent_pattern(hub: Hub, member: int) -> list[tuple[int, int, int]]:
    """Per lot in creation order: (remaining, held, points allocated to holds or entries)."""
    with hub.uow() as session:
        lots = session.scalars(select(PointLot).where(PointLot.member_id == member).order_by(PointLot.id))
        out = []
        for lot in lots:
            taken = session.scalars(select(PointAllocation.points).where(PointAllocation.lot_id == lot.id))
            out.append((lot.remaining, lot.held, sum(taken)))
        return out


def attempt(hub: Hub, member: int, asks: list[int], capture: bool) -> list[Any]:
    results: list[Any] = []
    for i, points in enumerate(asks):
        try:
            with hub.uow() as session:
                held = redeem.hold(session, member, points, key=f"{member}-{i}", channel="pos", actor="pos")
            results.append(("held", held.points, held.status))
            if capture:
                with hub.uow() as session:
                    done = redeem.capture(session, held.id, order_id=None)
                results.append(("captured", done.points, done.status, done.entry_id is not None))
        except NotEnoughPoints as exc:
            results.append(("refused", str(exc).replace(f"member {member} ", "member M ")))
    return results


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lots=st.lists(LOT, min_size=1, max_size=6),
    asks=st.lists(st.integers(1, 90), min_size=1, max_size=4),
    capture=st.booleans(),
)
def test_the_database_path_and_the_python_path_take_the_same_points(
    hub: Hub,
    new_member: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    lots: list[tuple[int, int | None, int]],
    asks: list[int],
    capture: bool,
) -> None:
    fast, slow = new_member(), new_member()
    give_lots(hub, fast, lots)
    give_lots(hub, slow, lots)
    by_database = attempt(hub, fast, asks, capture)
    with python_path_only(monkeypatch):
        by_python = attempt(hub, slow, asks, capture)
    assert by_database == by_python
    assert spent_pattern(hub, fast) == spent_pattern(hub, slow)
    with hub.uow() as session:
        assert check_ledger(session).problems == []


def test_the_database_path_is_the_one_taken(hub: Hub, new_member: Callable[..., int]) -> None:
    """The common case really runs as one statement each (not the fallback)."""
    member = new_member()
    give_lots(hub, member, [(30, 10, -1), (30, None, -1)])
    seen: list[str] = []
    with hub.uow() as session:

        @event.listens_for(session.get_bind(), "before_cursor_execute")
        def log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement.split("(", maxsplit=1)[0].strip())

        held = redeem.hold(session, member, 40, key="one", channel="pos", actor="pos")
        redeem.capture(session, held.id, order_id=None)
        event.remove(session.get_bind(), "before_cursor_execute", log)
    settings = ("data_versions", "loyalty_program", "FROM tiers", "earn_rules")  # the program, cached
    tender = [s for s in seen if not any(name in s for name in settings)]
    assert tender == ["SELECT omohub_points_hold", "SELECT * FROM omohub_points_capture"]
    assert spent_pattern(hub, member) == [(0, 0, 30), (20, 0, 10)]
    with hub.uow() as session:
        hold = session.get(PointHold, held.id)
        assert hold is not None and hold.status == "captured" and hold.entry_id is not None
        debit = session.get(PointEntry, hold.entry_id)
        assert debit is not None and (debit.kind, debit.points, debit.key) == (
            "redeem",
            -40,
            f"capture:{held.id}",
        )


def test_the_hold_function_reads_lots_through_the_open_lots_index(hub: Hub) -> None:
    """The function's lot query (its text, from the migration) can use ``ix_point_lots_open``;
    without ``remaining > 0`` it scanned every lot and a hold cost milliseconds."""
    import importlib.util
    from pathlib import Path

    import omohub.migrations

    path = Path(omohub.migrations.__file__).parent / "versions" / "0004_points_tender_functions.py"
    spec = importlib.util.spec_from_file_location("m0004", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    where = migration.USABLE.replace("p_member", "1").replace("p_now", "now()")
    with hub.uow() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.scalars(text(f"EXPLAIN SELECT id FROM point_lots WHERE {where}")))
    assert "ix_point_lots_open" in plan, plan
