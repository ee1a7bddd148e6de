"""Collection throughput: events/s accepted through ``/v1/batch`` against direct inserts.

Per backend, in one fresh database and one run, alternating rounds of:

* **hub** — ``omohub serve`` as its own process; ``--clients`` threads, each with a keep-alive
  httpx client, post 100-event batches (Basic-auth write key, realistic web events of about
  600 bytes) as fast as the hub acknowledges them. Every 200 means the events are committed.
* **direct** — the same rows (the event row and its dedupe-ledger row, the columns the hub
  derives already computed, the JSON already serialised) written straight through the
  driver, 100 events per transaction: PostgreSQL with ``COPY`` from as many connections as
  there are clients; SQLite with ``executemany`` on one connection (one writer is SQLite's
  fastest).

The figure is the hub's median rate and its ratio to the direct median.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import os
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import orjson
import psycopg
from sqlalchemy.engine import make_url

from bench._harness import Env, fresh_database, median, rate, server

TITLE = "Collection: events/s through /v1/batch against direct inserts"
BATCH = 100

_PRODUCTS = [f"SKU-{n:05d}" for n in range(2000)]
_PAGES = ["/", "/c/shirts", "/c/dresses", "/sale", "/stores", "/member"]
_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("collect")
    g.add_argument("--collect-events", type=int, default=150_000, help="events per round and backend")
    g.add_argument("--collect-clients", type=int, default=8, help="concurrent HTTP clients")
    g.add_argument("--collect-rounds", type=int, default=3, help="alternating hub/direct rounds")
    g.add_argument("--collect-workers", type=int, default=2, help="server processes on PostgreSQL")
    g.add_argument("--collect-backends", default="sqlite,postgresql", help="which of sqlite,postgresql")


def event(rng: random.Random, at: dt.datetime) -> dict[str, Any]:
    """One web event as analytics.js would send it."""
    anon = f"anon-{rng.randrange(200_000):06d}"
    ctx = {
        "library": {"name": "analytics.js", "version": "5.2.0"},
        "userAgent": _UA,
        "ip": f"203.69.{rng.randrange(256)}.{rng.randrange(256)}",
        "locale": "zh-TW",
    }
    base: dict[str, Any] = {
        "messageId": str(uuid.uuid4()),
        "anonymousId": anon,
        "timestamp": at.isoformat(timespec="milliseconds"),
        "context": ctx,
    }
    roll = rng.random()
    if roll < 0.1:
        member = f"c-{rng.randrange(50_000)}"
        return {**base, "type": "identify", "userId": member, "traits": {"email": f"{member}@example.tw"}}
    if roll < 0.3:
        path = rng.choice(_PAGES)
        page = {"path": path, "url": f"https://shop.example.tw{path}", "title": "OMO 服飾"}
        return {**base, "type": "page", "name": path, "properties": page, "context": {**ctx, "page": page}}
    sku = rng.choice(_PRODUCTS)
    props = {"product_id": sku, "name": "亞麻襯衫", "price": 1280, "currency": "TWD", "category": "shirts"}
    page = {
        "path": f"/p/{sku}",
        "url": f"https://shop.example.tw/p/{sku}",
        "referrer": "https://www.google.com/",
    }
    return {
        **base,
        "type": "track",
        "event": "Product Viewed",
        "properties": props,
        "context": {**ctx, "page": page},
    }


def batches(n_events: int, seed: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    events = [event(rng, now) for _ in range(n_events)]
    return [events[i : i + BATCH] for i in range(0, len(events), BATCH)]


# --- the hub ---------------------------------------------------------------------------------


def new_write_key(url: str) -> str:
    from omohub.bootstrap import build_hub
    from omohub.collect.sources import create_source
    from omohub.core.config import Settings

    hub = build_hub(Settings(database_url=url, secret_key="bench"))
    with hub.uow() as session:
        _, key = create_source(session, f"bench-{uuid.uuid4().hex[:6]}", "web")
    hub.close()
    return key


def through_hub(base: str, key: str, bodies: list[bytes], clients: int) -> tuple[float, int]:
    """Post every body; returns (seconds, 429/503 answers that were retried).

    The load generator shares the machine's cores with the hub and the database, so it is
    kept lean: the standard library's keep-alive ``http.client`` (httpx cost ~2 ms of CPU per
    50 KB request here, a third of what the hub itself spends).
    """
    todo: Iterator[bytes] = iter(bodies)
    lock = threading.Lock()
    busy = [0]
    url = urlsplit(base)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth}

    def client() -> None:
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
        try:
            while True:
                with lock:
                    body = next(todo, None)
                if body is None:
                    return
                while True:
                    conn.request("POST", "/v1/batch", body=body, headers=headers)
                    r = conn.getresponse()
                    answer = r.read()
                    if r.status == 200:
                        break
                    if r.status not in (429, 503):
                        raise RuntimeError(f"hub answered {r.status}: {answer[:300]!r}")
                    with lock:
                        busy[0] += 1
                    time.sleep(float(r.headers.get("Retry-After", "1")) / 10)
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, busy[0]


# --- direct inserts --------------------------------------------------------------------------

_COLUMNS = (
    "received_at, message_id, source_id, type, event, user_key, anonymous_id, product_ref, timestamp, body"
)


def rows_of(batch: list[dict[str, Any]], source_id: int) -> list[tuple[Any, ...]]:
    """The columns the hub derives for each event, computed the hub's own way."""
    from omohub.collect.rules import SourceInfo, check

    source = SourceInfo(source_id, "direct", "web", "external")
    now = dt.datetime.now(dt.UTC)
    out = []
    for raw in batch:
        r = check(raw, source, now)
        out.append(
            (r.message_id, r.type, r.event, r.user_key, r.anonymous_id, r.product_ref, r.timestamp, r.body)
        )
    return out


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_payload(rows: list[tuple[Any, ...]], source_id: int) -> tuple[bytes, bytes]:
    now = dt.datetime.now(dt.UTC).isoformat()
    events, ids = [], []
    for mid, type_, ev, ukey, anon, prod, ts, body in rows:
        fields = (now, mid, source_id, type_, ev, ukey, anon, prod, ts, _json_text(body))
        events.append("\t".join(_copy_text(f) for f in fields))
        ids.append(f"{source_id}\t{_copy_text(mid)}")
    return ("\n".join(events) + "\n").encode(), ("\n".join(ids) + "\n").encode()


def _json_text(body: Any) -> str:
    if isinstance(body, bytes):
        return body.decode()
    return body if isinstance(body, str) else orjson.dumps(body).decode()


def direct_pg(url: str, payloads: list[tuple[bytes, bytes]], clients: int) -> float:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    todo = iter(payloads)
    lock = threading.Lock()

    def writer() -> None:
        with psycopg.connect(conninfo) as conn:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                events, ids = item
                with conn.cursor() as cur:
                    with cur.copy("COPY event_message_ids (source_id, message_id) FROM STDIN") as cp:
                        cp.write(ids)
                    with cur.copy(f"COPY events ({_COLUMNS}) FROM STDIN") as cp:
                        cp.write(events)
                conn.commit()

    threads = [threading.Thread(target=writer) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def direct_sqlite(url: str, params: list[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]) -> float:
    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for ids, events in params:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO event_message_ids (source_id, message_id) VALUES (?, ?)", ids)
        conn.executemany(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _sqlite_params(
    rows: list[tuple[Any, ...]], source_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    now = dt.datetime.now(dt.UTC).strftime(stamp)
    ids = [(source_id, r[0]) for r in rows]
    events = [(now, r[0], source_id, *r[1:6], r[6].strftime(stamp), _json_text(r[7])) for r in rows]
    return ids, events


# --- the benchmark ---------------------------------------------------------------------------


def count_events(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())
    engine.dispose()
    return n


def measure(env: Env, backend: str) -> dict[str, Any]:
    a = env.args
    n_events = 2_000 if env.quick else a.collect_events
    rounds = 1 if env.quick else a.collect_rounds
    workers = a.collect_workers if backend == "postgresql" else 1
    hub_rates, direct_rates, busy_total = [], [], 0
    load_before = os.getloadavg()[0]
    with fresh_database(backend, env.pg) as url:
        key = new_write_key(url)
        with server(url, workers=workers) as base:
            for i in range(rounds):
                hub_bodies = [
                    orjson.dumps({"batch": b, "sentAt": dt.datetime.now(dt.UTC).isoformat()})
                    for b in batches(n_events, seed=2 * i)
                ]
                direct_rows = [rows_of(b, 999) for b in batches(n_events, seed=2 * i + 1)]
                warm = [orjson.dumps({"batch": b}) for b in batches(BATCH * a.collect_clients, seed=1000 + i)]
                through_hub(base, key, warm, a.collect_clients)
                if backend == "postgresql":
                    payloads = [_copy_payload(r, 999) for r in direct_rows]
                    direct_rates.append(rate(n_events, direct_pg(url, payloads, a.collect_clients)))
                else:
                    params = [_sqlite_params(r, 999) for r in direct_rows]
                    direct_rates.append(rate(n_events, direct_sqlite(url, params)))
                seconds, busy = through_hub(base, key, hub_bodies, a.collect_clients)
                hub_rates.append(rate(n_events, seconds))
                busy_total += busy
                print(
                    f"  {backend} round {i + 1}: hub {hub_rates[-1]:,.0f} events/s,"
                    f" direct {direct_rates[-1]:,.0f} rows/s ({busy} busy answers)",
                    flush=True,
                )
        stored = count_events(url)
    expected = rounds * (2 * n_events + BATCH * a.collect_clients)
    if stored != expected:
        raise RuntimeError(f"{backend}: {stored} events stored, expected {expected}")
    return {
        "backend": backend,
        "workers": workers,
        "hub": median(hub_rates),
        "direct": median(direct_rates),
        "hub_all": hub_rates,
        "direct_all": direct_rates,
        "busy": busy_total,
        "load": (load_before, os.getloadavg()[0]),
    }


def run(env: Env) -> list[str]:
    a = env.args
    wanted = a.collect_backends.split(",")
    results = [measure(env, backend) for backend in env.backends() if backend in wanted]
    n_events, rounds = (2_000, 1) if env.quick else (a.collect_events, a.collect_rounds)
    lines = [
        f"{BATCH} events per request, {a.collect_clients} concurrent keep-alive clients, "
        f"{n_events:,} events per round, median of {rounds} alternating rounds; "
        "every stored row counted afterwards.",
        "",
        "| backend | server processes | hub events/s | direct inserts rows/s | hub / direct |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['workers']} | {r['hub']:,.0f} | {r['direct']:,.0f} "
            f"| {r['hub'] / r['direct']:.0%} |"
        )
    lines.append("")
    for r in results:
        rounds = ", ".join(f"{h:,.0f}/{d:,.0f}" for h, d in zip(r["hub_all"], r["direct_all"], strict=True))
        lines.append(
            f"- {r['backend']} rounds (hub/direct): {rounds}; busy (429/503) answers: {r['busy']}; "
            f"1-minute load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after (2 cores, shared)"
        )
    return lines
