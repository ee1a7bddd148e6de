"""Identity at scale: the customer-360 look-up by phone among millions of members.

One fresh PostgreSQL database per run. ``COPY`` loads ``--identity-members`` synthetic members
(2,000,000 by default) with their identifiers — a phone and a member card each, an e-mail for
70%, a LINE user id for 30%, a web anonymous id for 50% — plus orders (with lines) and web
events for a share of them, so the 360 has real rows to find. Secondary indexes are dropped
for the load and rebuilt afterwards, as a bulk import would do; the database is then
``ANALYZE``d and the look-ups warmed up.

Then, interleaved phone by phone over ``--identity-lookups`` random members (so background
load hits every series alike), per-call latency of:

* **baseline** — the bare primary-key ``SELECT`` of one identifier row with the driver
  (psycopg, autocommit, one round trip);
* **phone → member id** — the identifier look-up the hub makes, alone, with the driver;
* **360, in-process** — ``customer360.service.lookup(session, who, "phone", "09xx-xxx-xxx")``
  in its own unit of work, as an HQ user (no audit) and as a clerk (masked, audited: the
  look-up writes and commits an audit row);
* **360 over HTTP** — ``GET /api/v1/members/lookup?phone=`` against ``omohub serve`` (one
  keep-alive client, sequential).

It also EXPLAINs every statement one 360 look-up sends (captured from the engine) and reports
any sequential scan of a large table, and it reports how much the process grew while doing
thousands of look-ups (a query that loaded all members would show here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench._harness import Env, fresh_database, server
from omohub.members.rules import luhn_digit

TITLE = "Identity at scale: customer 360 by phone among 2,000,000 members"

#: Mobile prefixes every number under which ``phonenumbers`` accepts as a Taiwan mobile.
PREFIXES = ("0910", "0911", "0912", "0913", "0915", "0916", "0917", "0918", "0919", "0920")
SCRAMBLE = 7_654_321  # coprime with 10**7: member i ↦ a distinct, unordered 7-digit number
BIG_TABLE_ROWS = 10_000
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("identity")
    g.add_argument("--identity-members", type=int, default=2_000_000, help="synthetic members to load")
    g.add_argument("--identity-lookups", type=int, default=2_000, help="random phones looked up")
    g.add_argument("--identity-orders", type=int, default=None, help="orders (default: members / 2)")
    g.add_argument("--identity-events", type=int, default=None, help="web events (default: members / 2)")


def run(env: Env) -> list[str]:
    if not env.pg:
        return ["Skipped: this benchmark needs PostgreSQL (--pg or $OMOHUB_BENCH_DATABASE_URL)."]
    args = env.args
    members = 5_000 if env.quick else args.identity_members
    lookups = 50 if env.quick else args.identity_lookups
    orders = args.identity_orders if args.identity_orders is not None else members // 2
    events = args.identity_events if args.identity_events is not None else members // 2
    with fresh_database("postgresql", env.pg) as url:
        load = Loader(url, members, orders, events)
        loaded = load.run()
        sample = random.Random(7).sample(range(1, members + 1), lookups)
        figures = measure(url, sample, load)
        http = measure_http(url, sample[: min(len(sample), 1000)])
        plans = explain_all(url, busy_member(load))
    return report(members, lookups, loaded, figures, http, plans)


# ------------------------------------------------------------------------- data


def phone_digits(i: int) -> str:
    scr = (i * SCRAMBLE) % 10_000_000
    return PREFIXES[scr // 1_000_000] + f"{scr % 1_000_000:06d}"


def local_phone(i: int) -> str:
    d = phone_digits(i)
    return f"{d[:4]}-{d[4:7]}-{d[7:]}"


def e164(i: int) -> str:
    return "+886" + phone_digits(i)[1:]


def card(i: int) -> str:
    body = "8" + f"{(i * SCRAMBLE) % 10_000_000_000:010d}"
    return body + luhn_digit(body)


def line_uid(i: int) -> str:
    return "U" + hashlib.md5(f"line-{i}".encode()).hexdigest()


def anon_id(i: int) -> str:
    return str(uuid.UUID(bytes=hashlib.md5(f"anon-{i}".encode()).digest()))


def has_email(i: int) -> bool:
    return i % 10 < 7


def has_line(i: int) -> bool:
    return i % 10 in (2, 5, 8)


def has_anon(i: int) -> bool:
    return i % 2 == 0


def ts(at: dt.datetime) -> str:
    return at.isoformat()


class Loader:
    """Synthetic members, identifiers, orders and events, COPYed in with indexes off."""

    def __init__(self, url: str, members: int, orders: int, events: int) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.members, self.orders, self.events = members, orders, events
        self.rng = random.Random(42)
        self.timings: dict[str, tuple[int, float]] = {}

    def run(self) -> dict[str, tuple[int, float]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET synchronous_commit = off")
            store_id, sku_ids, source_id = self._catalog(conn)
            self._copy(conn, "members", MEMBER_COLUMNS, self._members(store_id))
            self._copy(conn, "identifiers", IDENTIFIER_COLUMNS, self._identifiers())
            self._copy(conn, "orders", ORDER_COLUMNS, self._orders(store_id))
            self._copy(conn, "order_lines", LINE_COLUMNS, self._lines(sku_ids))
            self._copy(conn, "events", EVENT_COLUMNS, self._events(source_id), keep_indexes=True)
            for table in ("members", "identifiers", "orders", "order_lines"):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            started = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            self.timings["vacuum analyze"] = (0, time.perf_counter() - started)
        return self.timings

    def _catalog(self, conn: psycopg.Connection[Any]) -> tuple[int, list[int], int]:
        now = ts(T0)
        store = conn.execute(
            "INSERT INTO stores (code, name, city, address, timezone, active, created_at)"
            " VALUES ('S001', '信義旗艦店', '台北市', '', 'Asia/Taipei', true, %s) RETURNING id",
            (now,),
        ).fetchone()
        assert store is not None
        skus = []
        for n in range(50):
            product = conn.execute(
                "INSERT INTO products (code, name, category, list_price, active, created_at)"
                " VALUES (%s, %s, 'tops', 990, true, %s) RETURNING id",
                (f"P{n:03d}", f"亞麻襯衫 {n}", now),
            ).fetchone()
            assert product is not None
            sku = conn.execute(
                "INSERT INTO skus (code, product_id, size, color, list_price, active, created_at)"
                " VALUES (%s, %s, 'M', 'white', 990, true, %s) RETURNING id",
                (f"P{n:03d}-M", product[0], now),
            ).fetchone()
            assert sku is not None
            skus.append(sku[0])
        source = conn.execute(
            "INSERT INTO sources (name, channel, user_id_kind, write_key_hash, write_key_prefix, created_at)"
            " VALUES ('webshop', 'web', 'external', %s, 'wk_bench', %s) RETURNING id",
            ("0" * 64, now),
        ).fetchone()
        assert source is not None
        return store[0], skus, source[0]

    def _copy(
        self,
        conn: psycopg.Connection[Any],
        table: str,
        columns: tuple[str, ...],
        rows: Iterable[str],
        *,
        keep_indexes: bool = False,
    ) -> None:
        extra = _fillers(conn, table, columns)
        tail = "".join(f"\t{v}" for v in extra.values()) + "\n"
        started = time.perf_counter()
        count = 0
        with _indexes_off(conn, table, off=not keep_indexes), conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join((*columns, *extra))}) FROM STDIN") as copy:
                buf = io.StringIO()
                for line in rows:
                    buf.write(line[:-1] + tail if extra else line)
                    count += 1
                    if count % 20_000 == 0:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
            loaded = time.perf_counter() - started
            self.timings[table] = (count, loaded)
        self.timings[f"{table} indexes"] = (0, time.perf_counter() - started - loaded)

    def _members(self, store_id: int) -> Iterator[str]:
        channels = ("pos", "web", "line", "app")
        for i in range(1, self.members + 1):
            joined = ts(T0 - dt.timedelta(minutes=i % 500_000))
            yield (
                f"{i}\t{card(i)}\tactive\t{joined}\t會員{i}\t{('female', 'male')[i % 2]}\t{store_id}"
                f"\t{channels[i % 4]}\t{{}}\t{joined}\t{joined}\n"
            )

    def _identifiers(self) -> Iterator[str]:
        n = 0
        now = ts(T0)
        for i in range(1, self.members + 1):
            rows = [("phone", e164(i), "t"), ("member_card", card(i), "t")]
            if has_email(i):
                rows.append(("email", f"u{(i * SCRAMBLE) % 10_000_000:07d}@mail.example.tw", "t"))
            if has_line(i):
                rows.append(("line_uid", line_uid(i), "t"))
            if has_anon(i):
                rows.append(("anonymous_id", anon_id(i), "f"))
            for type_, value, verified in rows:
                n += 1
                yield f"{n}\t{i}\t{type_}\t{value}\t{verified}\tbench\t{now}\t{now}\n"

    def _orders(self, store_id: int) -> Iterator[str]:
        rng = random.Random(1)
        for n in range(1, self.orders + 1):
            member = rng.randrange(1, self.members + 1)
            at = T0 - dt.timedelta(minutes=rng.randrange(525_600))
            total = rng.randrange(300, 6000)
            channel = "pos" if n % 3 else "web"
            yield (
                f"{n}\tbench\to-{n}\t{channel}\t{store_id}\t{member}\tcompleted\tTWD\t{total}\t0\t{total}\t0"
                f"\t{ts(at)}\t{at.date().isoformat()}\t{{}}\t{'0' * 64}\t{ts(at)}\n"
            )

    def _lines(self, sku_ids: list[int]) -> Iterator[str]:
        rng = random.Random(2)
        n = 0
        for order in range(1, self.orders + 1):
            for line_no in (1, 2) if order % 2 else (1,):
                n += 1
                price = rng.randrange(300, 3000)
                yield f"{n}\t{order}\t{line_no}\t{rng.choice(sku_ids)}\t1\t{price}\t0\t{price}\t0\t0\n"

    def _events(self, source_id: int) -> Iterator[str]:
        rng = random.Random(3)
        received = ts(dt.datetime.now(dt.UTC))  # this month's partition exists
        for n in range(1, self.events + 1):
            member = rng.randrange(2, self.members + 1, 2)  # members with an anonymous id
            product = f"P{rng.randrange(50):03d}-M"
            at = ts(T0 - dt.timedelta(seconds=rng.randrange(31_536_000)))
            body = '{"type": "track", "event": "Product Viewed"}'
            yield (
                f"{received}\tbench-{n}\t{source_id}\ttrack\tProduct Viewed\t\\N\t{anon_id(member)}"
                f"\t{product}\t{at}\t{body}\n"
            )


MEMBER_COLUMNS = (
    "id",
    "card_no",
    "status",
    "joined_at",
    "name",
    "gender",
    "home_store_id",
    "joined_channel",
    "traits",
    "created_at",
    "updated_at",
)
IDENTIFIER_COLUMNS = ("id", "member_id", "type", "value", "verified", "source", "created_at", "last_seen_at")
ORDER_COLUMNS = (
    "id",
    "source",
    "external_id",
    "channel",
    "store_id",
    "member_id",
    "status",
    "currency",
    "subtotal",
    "discount_total",
    "total",
    "refunded_total",
    "ordered_at",
    "business_date",
    "meta",
    "request_hash",
    "created_at",
)
LINE_COLUMNS = (
    "id",
    "order_id",
    "line_no",
    "sku_id",
    "quantity",
    "unit_price",
    "line_discount",
    "line_total",
    "returned_quantity",
    "refunded_amount",
)
EVENT_COLUMNS = (
    "received_at",
    "message_id",
    "source_id",
    "type",
    "event",
    "user_key",
    "anonymous_id",
    "product_ref",
    "timestamp",
    "body",
)


_FILLERS = {"integer": "0", "bigint": "0", "smallint": "0", "boolean": "f", "json": "{}", "jsonb": "{}"}


def _fillers(conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...]) -> dict[str, str]:
    """Required columns this loader does not know (the schema grew): a neutral value each."""
    found = {}
    for name, type_ in conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        (table,),
    ):
        if name not in columns:
            if type_.startswith("timestamp"):
                found[name] = ts(T0)
            elif type_ in ("character varying", "text"):
                found[name] = ""
            elif type_ in _FILLERS:
                found[name] = _FILLERS[type_]
            else:
                raise RuntimeError(f"bench/identity.py does not know how to fill {table}.{name} ({type_})")
    return found


@contextmanager
def _indexes_off(conn: psycopg.Connection[Any], table: str, *, off: bool) -> Iterator[None]:
    """Drop a table's secondary indexes and constraints, and rebuild them (same names) after."""
    if not off:
        yield
        return
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        (table,),
    ).fetchall()
    for name, _ in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        (table,),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        conn.execute(definition)
    for name, definition in constraints:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# ------------------------------------------------------------------ measurement


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - started) / 1e6


def measure(url: str, sample: list[int], load: Loader) -> dict[str, Any]:
    from omohub.access.rules import Principal
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings
    from omohub.customer360.service import lookup

    hq = Principal(actor="console:hq", role="hq_admin", scopes=frozenset({"admin"}))
    clerk = Principal(actor="console:clerk", role="clerk", scopes=frozenset({"pos"}), store_id=1)
    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))
        conn = psycopg.connect(load.dsn, autocommit=True)
        ident_ids: dict[int, int] = dict(
            conn.execute(
                "SELECT member_id, id FROM identifiers WHERE type = 'phone' AND member_id = ANY(%s)",
                (sample,),
            ).fetchall()
        )

        def pk(i: int) -> None:
            conn.execute("SELECT * FROM identifiers WHERE id = %s", (ident_ids[i],)).fetchone()

        def by_phone(i: int) -> None:
            row = conn.execute(
                "SELECT member_id FROM identifiers WHERE type = 'phone' AND value = %s AND verified",
                (e164(i),),
            ).fetchone()
            assert row is not None and row[0] == i

        def three60(who: Principal) -> Callable[[int], None]:
            def call(i: int) -> None:
                with hub.uow() as session:
                    profile = lookup(session, who, "phone", local_phone(i))
                    assert profile.member.id == i

            return call

        series: dict[str, Callable[[int], None]] = {
            "baseline: identifier by primary key (driver)": pk,
            "phone → member id (driver)": by_phone,
            "360 in-process, HQ user": three60(hq),
            "360 in-process, clerk (masked, audited)": three60(clerk),
        }
        for i in sample[: min(100, len(sample) // 2)]:  # warm-up: plans, pools, caches
            for call in series.values():
                call(i)
        rss_before = _rss_mb()
        timings: dict[str, list[float]] = {name: [] for name in series}
        for i in sample:
            for name, call in series.items():
                timings[name].append(_timed(lambda call=call, i=i: call(i)))  # type: ignore[misc]
        rss_after = _rss_mb()
        conn.close()
        hub.close()
    return {"timings": timings, "rss": (rss_before, rss_after)}


def measure_http(url: str, sample: list[int]) -> dict[str, list[float]]:
    from omohub.access.service import create_api_key
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings

    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))
        with hub.uow() as session:
            _, admin = create_api_key(session, "bench-hq", ["admin"])
            _, pos = create_api_key(session, "bench-pos", ["pos"])
        hub.close()
    out: dict[str, list[float]] = {}
    with server(url) as base, httpx.Client(base_url=base, timeout=30) as http:
        for label, key in (
            ("360 over HTTP, admin key", admin),
            ("360 over HTTP, POS key (masked, audited)", pos),
        ):
            headers = {"Authorization": f"Bearer {key}"}

            def get(i: int, headers: dict[str, str] = headers) -> None:
                r = http.get("/api/v1/members/lookup", params={"phone": local_phone(i)}, headers=headers)
                assert r.status_code == 200 and r.json()["member"]["id"] == i, r.text

            for i in sample[: min(50, len(sample) // 2)]:
                get(i)
            out[label] = [_timed(lambda i=i: get(i)) for i in sample]  # type: ignore[misc]
    return out


def busy_member(load: Loader) -> int:
    """A member with orders and browsing events, so the EXPLAINed 360 has every part."""
    with psycopg.connect(load.dsn) as conn:
        buyers = [
            r[0] for r in conn.execute("SELECT member_id FROM orders WHERE member_id % 2 = 0 LIMIT 500")
        ]
        for member in buyers:
            if conn.execute(
                "SELECT 1 FROM events WHERE anonymous_id = %s LIMIT 1", (anon_id(member),)
            ).fetchone():
                return member
    return buyers[0] if buyers else 2


def explain_all(url: str, member: int) -> dict[str, list[tuple[str, list[str], list[str]]]]:
    """EXPLAIN every statement of one clerk 360 look-up and of one returning member's join."""
    from omohub.access.rules import Principal
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings
    from omohub.customer360.service import lookup
    from omohub.members.schemas import MemberIn
    from omohub.members.service import join

    clerk = Principal(actor="console:clerk", role="clerk", scopes=frozenset({"pos"}), store_id=1)
    with tempfile.TemporaryDirectory(prefix="omohub-bench-var-") as var:
        hub = build_hub(Settings(database_url=url, var_dir=var, secret_key="bench"))
        out = {}
        with _captured(hub.engine) as seen, hub.uow() as session:
            lookup(session, clerk, "phone", local_phone(member))
        out["one clerk 360 look-up by phone"] = _explain(hub.engine, seen)
        again = MemberIn(phone=local_phone(member), anonymous_id=f"new-device-{member}", channel="pos")
        with _captured(hub.engine) as seen, hub.sessions() as session:
            join(session, again, source="bench")  # the returning member signs in again
            session.rollback()
        out["one join of a returning member (phone + new device)"] = _explain(hub.engine, seen)
        hub.close()
    return out


@contextmanager
def _captured(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _explain(engine: Any, seen: list[tuple[str, Any]]) -> list[tuple[str, list[str], list[str]]]:
    out = []
    with engine.connect() as conn:
        sizes = dict(
            conn.exec_driver_sql(
                "SELECT relname, reltuples FROM pg_class WHERE relkind IN ('r', 'p')"
                " AND relnamespace = to_regnamespace(current_schema())"
            ).all()
        )
        for statement, params in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                continue
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar_one()
            scans = list(_scans(plan[0]["Plan"]))
            big = [x for x in scans if x.startswith("Seq Scan") and _big(x, sizes)]
            out.append((" ".join(statement.split())[:90], scans, big))
    return out


def _scans(node: dict[str, Any]) -> Iterator[str]:
    if "Relation Name" in node:
        index = f" using {node['Index Name']}" if "Index Name" in node else ""
        yield f"{node['Node Type']} on {node['Relation Name']}{index}"
    for child in node.get("Plans", []):
        yield from _scans(child)


def _big(scan: str, sizes: dict[str, float]) -> bool:
    relation = scan.split(" on ", 1)[1].split(" ", 1)[0]
    return sizes.get(relation, 0) > BIG_TABLE_ROWS


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------- report


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(
    members: int,
    lookups: int,
    loaded: dict[str, tuple[int, float]],
    figures: dict[str, Any],
    http: dict[str, list[float]],
    plans: dict[str, list[tuple[str, list[str], list[str]]]],
) -> list[str]:
    timings: dict[str, list[float]] = {**figures["timings"], **http}
    base = timings["baseline: identifier by primary key (driver)"]
    b50, b99 = _pct(base, 0.5), _pct(base, 0.99)
    lines = [
        f"{members:,} members; {lookups:,} random phones looked up (spelled `09xx-xxx-xxx`), every series"
        f" interleaved phone by phone in one run after a warm-up; HTTP series over {min(lookups, 1000):,}"
        " of them, one keep-alive client against `omohub serve` (one process).",
        "",
        "| series | p50 ms | p99 ms | mean ms | p50 / baseline | p99 / baseline |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in timings.items():
        p50, p99 = _pct(values, 0.5), _pct(values, 0.99)
        mean = sum(values) / len(values)
        lines.append(f"| {name} | {p50:.2f} | {p99:.2f} | {mean:.2f} | {p50 / b50:.1f}× | {p99 / b99:.1f}× |")
    worst = max(_pct(values, 0.99) for name, values in timings.items() if name.startswith("360"))
    lines += [
        "",
        f"Aim (issue #2): the 360 by phone under 50 ms at p99 — {'met' if worst < 50 else 'NOT met'}:"
        f" the slowest 360 series has p99 {worst:.1f} ms.",
    ]
    rows = sum(n for n, _ in loaded.values())
    load_s = sum(s for _, s in loaded.values())
    lines += [
        "",
        f"Load: {rows:,} rows in {load_s:.0f} s ("
        + ", ".join(
            f"{name} {n:,} in {s:.0f} s" if n else f"{name} {s:.0f} s" for name, (n, s) in loaded.items()
        )
        + ").",
    ]
    before, after = figures["rss"]
    lines.append(
        f"Memory: the benchmark process's peak RSS went from {before:.0f} MB to {after:.0f} MB over"
        f" {lookups * 2:,} in-process 360 look-ups."
    )
    lines += [
        "",
        "Sequential scans below are of tables under 10,000 rows in this data set (catalog, sources,"
        " merges, empty event partitions), which the planner reads whole on purpose;"
        " `tests/members/test_scale.py` shows each has an index to use, with sequential scans off.",
    ]
    for what, explained in plans.items():
        seq = [(stmt, big) for stmt, _, big in explained if big]
        used = sorted({scan for _, scans, _ in explained for scan in scans})
        lines += [
            "",
            f"EXPLAIN of the {len(explained)} statements of {what}: "
            + ("no sequential scan of a table over 10,000 rows." if not seq else f"SEQUENTIAL SCANS: {seq}"),
            "",
            *[f"- {scan}" for scan in used],
        ]
    return lines
