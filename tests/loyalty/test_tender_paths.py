"""The tender's two paths agree: PostgreSQL's one-statement functions (migration 0004) and the
Python path that SQLite runs and that PostgreSQL falls back to. Same lots, same request, same
outcome: which lots a hold reserves, how much, what a capture spends, or the same refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text

from omohub.bootstrap import Hub, build_hub
from omohub.core.config import Settings
from omohub.core.outbox import OutboxMessage
from omohub.loyalty import ledger
from omohub.loyalty import repository as repo
from omohub.loyalty.check import run as check_ledger
from omohub.loyalty.errors import NotEnoughPoints, RedeemRefused
from omohub.loyalty.events import PointsRedeemed
from omohub.loyalty.models import PointAllocation, PointEntry, PointHold, PointLot
from omohub.loyalty.service import program, redeem
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


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    """Each SQL statement's head (up to its first parenthesis) sent meanwhile."""
    seen: list[str] = []

    def log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split("(", maxsplit=1)[0].strip())

    event.listen(hub.engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(hub.engine, "before_cursor_execute", log)


def redeemed_events(hub: Hub) -> list[dict[str, Any]]:
    with hub.uow() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.topic == PointsRedeemed.topic)
        return [{"version": m.version, **m.payload} for m in session.scalars(stmt.order_by(OutboxMessage.id))]


def test_the_database_path_is_the_one_taken(hub: Hub, new_member: Callable[..., int]) -> None:
    """The common case really runs as one statement each (not the fallback), with the program's
    settings as this process holds them and the outbox row written by the capture's function."""
    member = new_member()
    give_lots(hub, member, [(30, 10, -1), (30, None, -1)])
    with hub.uow() as session:
        program.settings(session)  # what a process that served a request before holds
    with statements(hub) as seen:
        with hub.uow() as session:
            held = redeem.hold(session, member, 40, key="one", channel="pos", actor="pos")
        with hub.uow() as session:
            redeem.capture(session, held.id, order_id=None)
    assert seen == ["SELECT omohub_points_hold", "SELECT * FROM omohub_points_capture"]
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
    expected = {"version": 1, "member_id": member, "points": 40, "order_id": None, "hold_id": held.id}
    assert redeemed_events(hub) == [expected]


def test_both_paths_write_the_same_event(
    hub: Hub, new_member: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = new_member(), new_member()
    holds = []
    for member in (fast, slow):
        give_lots(hub, member, [(50, None, -1)])
        with python_path_only(monkeypatch) if member == slow else nullcontext():
            with hub.uow() as session:
                held = redeem.hold(session, member, 20, key=f"k{member}", channel="web", actor="web")
            with hub.uow() as session:
                redeem.capture(session, held.id, order_id=None)
        holds.append(held.id)
    by_fast, by_slow = redeemed_events(hub)
    assert by_fast == {**by_slow, "member_id": fast, "hold_id": holds[0]}
    assert by_slow == {"version": 1, "member_id": slow, "points": 20, "order_id": None, "hold_id": holds[1]}


def program_changed_elsewhere(settings: Settings, changes: dict[str, Any]) -> None:
    """Another API process (its own hub) saves the program."""
    other = build_hub(settings)
    try:
        with other.uow() as session:
            program.update_settings(session, changes)
    finally:
        other.close()


def test_a_hold_priced_with_stale_settings_is_priced_again(
    hub: Hub, settings: Settings, new_member: Callable[..., int]
) -> None:
    """The function refuses settings whose version token is not the program's: the hold is
    made with the settings saved meanwhile by another process, and nothing is written twice."""
    member = new_member()
    give_lots(hub, member, [(100, None, -1)])
    with hub.uow() as session:
        assert program.settings(session).hold_minutes == 30
    program_changed_elsewhere(settings, {"hold_minutes": 5})
    with statements(hub) as seen, hub.uow() as session:
        held = redeem.hold(session, member, 10, key="stale", channel="pos", actor="pos")
    assert held.expires_at == held.created_at + dt.timedelta(minutes=5)
    assert seen[0] == "SELECT omohub_points_hold" and seen[-1] == "SELECT omohub_points_hold"
    assert "FROM data_versions" in " ".join(seen)
    with hub.uow() as session:
        rows = session.scalars(select(PointHold).where(PointHold.member_id == member)).all()
        assert [(r.key, r.points, r.expires_at) for r in rows] == [("stale", 10, held.expires_at)]


def test_stale_settings_neither_refuse_nor_allow_a_hold(
    hub: Hub, settings: Settings, new_member: Callable[..., int]
) -> None:
    """A limit changed by another process counts at once, whichever way it went."""
    member = new_member()
    give_lots(hub, member, [(100, None, -1)])
    program_changed_elsewhere(settings, {"max_redeem_points": 10})
    with hub.uow() as session:
        assert program.settings(session).max_redeem_points == 10
    program_changed_elsewhere(settings, {"max_redeem_points": 50})
    with hub.uow() as session:  # the cached limit (10) would refuse; the saved one (50) allows
        assert redeem.hold(session, member, 40, key="raised", channel="pos", actor="pos").points == 40
    program_changed_elsewhere(settings, {"max_redeem_points": 20})
    with pytest.raises(RedeemRefused, match="at most 20 points per order"), hub.uow() as session:
        redeem.hold(session, member, 30, key="lowered", channel="pos", actor="pos")
    with hub.uow() as session:
        keys = session.scalars(select(PointHold.key).where(PointHold.member_id == member)).all()
    assert keys == ["raised"]


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


SEED = (
    "INSERT INTO members (status, traits, created_at, updated_at)"
    " SELECT 'active', '{}', now(), now() FROM generate_series(1, 10000)",
    "INSERT INTO point_entries (member_id, kind, points, key, reason, actor, detail, at)"
    " SELECT id, 'adjust', 100000, 'seed:' || id, 'seed', 'test', '{}', now() FROM members",
    "INSERT INTO point_lots (member_id, entry_id, points, remaining, held, available_at)"
    " SELECT member_id, id, 100000, 100000, 0, now() - interval '1 day' FROM point_entries",
    "INSERT INTO point_holds (member_id, key, points, status, channel, actor, expires_at, created_at)"
    " SELECT 1 + mod(g, 10000), 'old:' || g, 1, 'captured', 'pos', 'test', now(), now()"
    " FROM generate_series(1, 40000) g",
    "INSERT INTO point_allocations (lot_id, hold_id, points)"
    " SELECT l.id, h.id, 1 FROM point_holds h JOIN point_lots l ON l.member_id = h.member_id",
)


def nested_plans(hub: Hub, statements: list[str]) -> list[str]:
    """Every plan PostgreSQL uses inside ``statements`` (``auto_explain`` with nested
    statements), each function's plans generic from the first call, as after five calls."""
    with hub.engine.connect() as conn:
        raw = conn.connection.driver_connection
        notices: list[str] = []
        raw.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        try:
            conn.exec_driver_sql("LOAD 'auto_explain'")
        except Exception as exc:  # not a superuser, or the contrib module is missing
            pytest.skip(f"auto_explain is not available here: {exc}")
        for name, value in {
            "auto_explain.log_min_duration": "0",
            "auto_explain.log_nested_statements": "on",
            "auto_explain.log_level": "notice",
            "plan_cache_mode": "force_generic_plan",
        }.items():
            conn.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
        for statement in statements:
            conn.exec_driver_sql(statement)
        conn.rollback()
        conn.invalidate()  # the module stays loaded in that backend: not back to the pool
    return notices


def test_the_functions_plans_look_rows_up_by_key_on_tables_never_analysed(hub: Hub) -> None:
    """With 10,000 lots and 40,000 old allocations that no ANALYZE has seen, the capture's
    generic plans once joined the settled allocations to every lot (a hash join over
    ``point_lots``: 2 ms a capture, found under load). Every step must be a key or index
    lookup whatever the statistics say."""
    with hub.engine.begin() as conn:
        for statement in SEED:
            conn.exec_driver_sql(statement)
        token = conn.exec_driver_sql("SELECT token FROM data_versions WHERE name = 'loyalty'").scalar()
    hold = (
        f"SELECT omohub_points_hold(4321, 100, 'plan-check', 'pos', 'test', now(),"
        f" now() + interval '30 minutes', '{token}')"
    )
    capture = (
        "SELECT id FROM omohub_points_capture((SELECT id FROM point_holds WHERE key = 'plan-check'),"
        " NULL, now(), 'loyalty.points_redeemed', 1, '{}'::jsonb)"
    )
    plans = nested_plans(hub, [hold, capture])
    assert any("Update on point_lots" in p for p in plans), plans  # the capture spent the lot
    scans = [p for p in plans if "Seq Scan on point_" in p or "Hash Join" in p]
    assert scans == [], scans[0]
