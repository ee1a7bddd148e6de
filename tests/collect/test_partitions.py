"""PostgreSQL: the event store is partitioned by month of receipt, kept ahead by the worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from omohub.bootstrap import Hub
from omohub.collect.partitions import PartitionKeeper, ensure_partitions, existing_partitions, partition_name
from omohub.worker import jobs
from tests.helpers import basic, new_source


@pytest.fixture(autouse=True)
def _postgres_only(hub: Hub) -> None:
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("partitioning is PostgreSQL's")


def insert_at(hub: Hub, mid: str, at: str) -> str:
    """Insert one event received at ``at``; the partition it landed in."""
    with hub.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (received_at, message_id, source_id, type, timestamp, body)"
                " VALUES (:at, :mid, 1, 'track', :at, '{}')"
            ),
            {"at": at, "mid": mid},
        )
        return str(
            conn.execute(
                text("SELECT tableoid::regclass::text FROM events WHERE message_id = :m"), {"m": mid}
            ).scalar()
        )


def test_months_get_partitions_and_rows_land_in_their_month(hub: Hub) -> None:
    created = ensure_partitions(
        hub.engine, start=dt.date(2001, 1, 1), today=dt.date(2001, 2, 10), months_ahead=1
    )
    assert created == ["events_200101", "events_200102", "events_200103"]
    assert (
        ensure_partitions(hub.engine, start=dt.date(2001, 1, 1), today=dt.date(2001, 2, 10), months_ahead=1)
        == []
    )
    assert insert_at(hub, "jan", "2001-01-15 08:00+00") == "events_200101"
    assert insert_at(hub, "feb-first", "2001-02-01 00:00+00") == "events_200102"
    # the month is UTC: 07:59 on 1 April in Taipei is still March
    assert insert_at(hub, "mar-last", "2001-04-01 07:59+08") == "events_200103"
    assert insert_at(hub, "older", "1999-12-31 23:00+00") == "events_default"


def test_a_month_already_in_the_default_partition_is_left_there_with_a_warning(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    assert insert_at(hub, "early", "1998-05-05 00:00+00") == "events_default"
    assert (
        ensure_partitions(hub.engine, start=dt.date(1998, 5, 1), today=dt.date(1998, 5, 5), months_ahead=0)
        == []
    )
    assert "could not create partition events_199805" in caplog.text
    assert insert_at(hub, "later", "1998-05-06 00:00+00") == "events_default"  # nothing lost


def test_collected_events_land_in_this_months_partition(hub: Hub, client: TestClient) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    r = client.post(
        "/v1/track", headers=web, json={"event": "Viewed", "anonymousId": "a", "messageId": "now"}
    )
    assert r.status_code == 200
    with hub.engine.connect() as conn:
        where = conn.execute(
            text("SELECT tableoid::regclass::text FROM events WHERE message_id = 'now'")
        ).scalar()
        db_today = conn.execute(text("SELECT (now() AT TIME ZONE 'UTC')::date")).scalar()
    assert where == partition_name(db_today)


def test_the_worker_keeps_partitions_three_months_ahead_once_a_day(hub: Hub) -> None:
    keeper = PartitionKeeper()
    assert keeper(hub.engine, today=dt.date(2002, 11, 20)) == 4  # Nov 2002 to Feb 2003
    assert {"events_200211", "events_200212", "events_200301", "events_200302"} <= existing_partitions(
        hub.engine
    )
    assert keeper(hub.engine, today=dt.date(2002, 11, 20)) == 0  # checked today already
    client: Any = None
    assert "partitions" in [name for name, _ in jobs(hub, client)]
