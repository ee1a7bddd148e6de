"""Points redemption throughput on PostgreSQL, against pgbench's TPC-B-like rate (issue #3: ≥ 30%).

In a fresh database: members with points (every third in two lots, so redemptions also
spread over lots). Then alternating rounds of the same length on the same server:

* **redemptions** — ``--redeem-clients`` threads, each with its own sessions from one hub
  (``--redeem-processes`` spreads them over that many processes, the way ``omohub serve
  --workers`` would), redeem 100 points of a random member with the real service functions,
  as the POS and the web shop do: ``loyalty.service.redeem.hold`` in one unit of work (the
  checkout), then ``redeem.capture`` in another (the order). A redemption counts when its
  capture commits.
* **pgbench** — ``pgbench -c clients -j 2 -T seconds`` (the built-in TPC-B-like script) on
  its own database initialised with ``pgbench -i -s scale``: what this server does per second
  with small read-write transactions from the same number of clients. Dropped afterwards.

* **the functions alone** — pgbench running a custom script that does what the hub's two
  units of work send on PostgreSQL (``SELECT omohub_points_hold(…)`` then ``SELECT … FROM
  omohub_points_capture(…)``, each its own transaction) on the same members: what a redemption
  costs the database itself, with no Python in the way.

Before each redemption round the tables a redemption writes are vacuumed and analysed, as
pgbench vacuums its own before each run (this server may run without autovacuum), after an
uncounted warm-up of 5 s (so holds exist when the statistics are taken).

The figure is the median redemption rate and its ratio to the median pgbench rate. Then one
client alone, to see where a redemption's time goes. Afterwards the ledger check (``omohub
loyalty check``) must find nothing and every hold must be captured.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import multiprocessing
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from bench import _anatomy, _pgbench
from bench._harness import Env, fresh_database, median
from bench.identity import _pct

TITLE = "Points redemption: hold + capture per second against pgbench (TPC-B-like)"
POINTS = 100
CHUNK = 500


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("redeem")
    g.add_argument("--redeem-members", type=int, default=10_000, help="members with points")
    g.add_argument("--redeem-clients", type=int, default=8, help="concurrent clients (threads; pgbench -c)")
    g.add_argument("--redeem-processes", type=int, default=1, help="processes the client threads run in")
    g.add_argument("--redeem-seconds", type=int, default=20, help="length of each round")
    g.add_argument("--redeem-rounds", type=int, default=3, help="alternating redemption/pgbench rounds")
    g.add_argument("--redeem-scale", type=int, default=10, help="pgbench -i scale (branches)")


@dataclass
class Round:
    redemptions: int
    seconds: float
    latencies: list[float]
    statements: int
    cpu: float  # CPU seconds of the client processes: the clients, the hub's code, the driver
    errors: list[str] = field(default_factory=list)
    busy: float = 0.0  # the machine's busy cores meanwhile (every process: PostgreSQL, clients, others)

    @property
    def rate(self) -> float:
        return self.redemptions / self.seconds


def hub_for(url: str, var: str, clients: int) -> Any:
    from omohub.bootstrap import build_hub
    from omohub.core.config import Settings

    return build_hub(
        Settings(database_url=url, var_dir=var, secret_key="bench", db_pool_size=max(10, clients))
    )


def load_members(hub: Any, n: int) -> list[int]:
    """``n`` members, each credited by head office (a lot of 1,000,000 points; every third a
    second lot), through the real adjustment service."""
    from omohub.loyalty.service import adjust
    from omohub.members.models import Member

    now = hub.context.now()
    ids: list[int] = []
    for start in range(0, n, CHUNK):
        with hub.uow() as session:
            rows = [
                Member(status="active", joined_at=now, created_at=now, updated_at=now)
                for _ in range(min(CHUNK, n - start))
            ]
            session.add_all(rows)
            session.flush()
            for m in rows:
                adjust.adjust(session, m.id, 1_000_000, reason="bench", key=f"bench-{m.id}", actor="bench")
                if m.id % 3 == 0:
                    adjust.adjust(session, m.id, 5_000, reason="bench", key=f"bench-{m.id}-b", actor="bench")
            ids += [m.id for m in rows]
    return ids


def redeem_once(hub: Any, member: int, key: str, channel: str) -> tuple[float, float]:
    """The checkout holds the points; the order captures them: two units of work, each timed (ms)."""
    from omohub.loyalty.service import redeem

    started = time.perf_counter()
    with hub.uow() as session:
        held = redeem.hold(session, member, POINTS, key=key, channel=channel, actor=f"bench-{channel}")
    between = time.perf_counter()
    with hub.uow() as session:
        redeem.capture(session, held.id, order_id=None)
    return (between - started) * 1000, (time.perf_counter() - between) * 1000


def redemptions(
    hub: Any, members: list[int], clients: int, seconds: float, tag: str, start_at: float | None = None
) -> Round:
    """``clients`` threads redeeming for ``seconds`` (from ``start_at``, a ``time.time()``)."""
    counted, latencies, errors = itertools.count(), list[float](), list[str]()
    done, lock, ready = [0], threading.Lock(), threading.Barrier(clients + 1)
    stop = [0.0]

    def client(i: int) -> None:
        rng, mine, n = random.Random(f"{tag}-{i}"), [], 0
        ready.wait()
        while time.perf_counter() < stop[0]:
            try:
                took = redeem_once(hub, rng.choice(members), f"bench:{tag}:{i}:{n}", ("pos", "web")[n % 2])
            except Exception as exc:  # reported, and the run fails: no redemption may fail here
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                return
            mine.append(sum(took))
            n += 1
        with lock:
            latencies.extend(mine)
            done[0] += n

    def count(*_: Any) -> None:
        next(counted)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    event.listen(hub.engine, "before_cursor_execute", count)
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    cpu, started, busy = time.process_time(), time.perf_counter(), busy_cores()
    stop[0] = started + seconds
    ready.wait()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(hub.engine, "before_cursor_execute", count)
    return Round(done[0], elapsed, latencies, next(counted), cpu, errors, busy())


def busy_cores() -> Callable[[], float]:
    """Starts counting; the function returned gives the machine's busy cores since (``/proc/stat``)."""

    def read() -> tuple[int, int]:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # all but idle and iowait

    busy, total = read()

    def since() -> float:
        b, t = read()
        return (b - busy) / max(1, t - total) * (os.cpu_count() or 1)

    return since


def _in_process(
    url: str, members: list[int], threads: int, seconds: float, tag: str, start_at: float
) -> Round:
    with tempfile.TemporaryDirectory(prefix="omohub-bench-") as var:
        hub = hub_for(url, var, threads)
        try:
            return redemptions(hub, members, threads, seconds, tag, start_at)
        finally:
            hub.close()


def spread(url: str, members: list[int], clients: int, processes: int, seconds: float, tag: str) -> Round:
    """The clients in ``processes`` processes (spawned, each its own hub), started together."""
    start_at = time.time() + 8  # a spawned process needs a few seconds to import the hub
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        jobs = [
            pool.submit(_in_process, url, members, n, seconds, f"{tag}-p{i}", start_at)
            for i, n in enumerate(shares)
        ]
        rounds = [j.result() for j in jobs]
    return Round(
        sum(r.redemptions for r in rounds),
        max(r.seconds for r in rounds),
        [x for r in rounds for x in r.latencies],
        sum(r.statements for r in rounds),
        sum(r.cpu for r in rounds),
        [e for r in rounds for e in r.errors],
        sum(r.busy for r in rounds) / len(rounds),  # each measured the whole machine, together
    )


def anatomy(hub: Any, members: list[int], n: int) -> dict[str, Any]:
    """One client alone: hold and capture times, CPU per redemption, a profile, one's SQL."""
    cpu = time.process_time()
    took = [redeem_once(hub, members[i % len(members)], f"alone:{i}", "pos") for i in range(n)]
    cpu = (time.process_time() - cpu) / n * 1000
    root = _anatomy.profile(
        [
            functools.partial(redeem_once, hub, members[-1 - i % len(members)], f"sampled:{i}", "pos")
            for i in range(n)
        ]
    )
    with _anatomy.statements(hub.engine, level=1) as seen:
        redeem_once(hub, members[0], "one", "pos")
    return {
        "hold": [h for h, _ in took],
        "capture": [c for _, c in took],
        "cpu": cpu,
        "hot": _anatomy.hot_functions(root, 10),
        "libraries": _anatomy.libraries(root),
        "sql": list(seen),
    }


def verify(hub: Any, expected: int) -> int:
    """The ledger check finds nothing and every hold was captured (``expected`` of them through
    the hub, the rest by the functions-alone rounds); returns the members checked."""
    from omohub.loyalty.check import run as check_ledger
    from omohub.loyalty.models import PointHold

    with hub.uow() as session:
        report = check_ledger(session)
        by_hub = PointHold.channel != "pgbench"
        holds = dict(session.execute(select(PointHold.status, func.count()).group_by(PointHold.status)).all())
        through_hub = session.scalar(select(func.count()).where(by_hub))
    if report.problems:
        raise RuntimeError(f"ledger check: {report.problems[:5]}")
    if set(holds) != {"captured"} or through_hub != expected:
        raise RuntimeError(f"holds by status {holds}, {through_hub} through the hub; expected {expected}")
    return report.members


def vacuum(hub: Any) -> None:
    """``VACUUM ANALYZE`` the tables a redemption writes, before each round: pgbench vacuums its
    own tables before each of its runs, and this server may run without autovacuum (the test
    machine's does), so without it every round would start on the last one's dead rows and on
    statistics from before the members were loaded."""
    with hub.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("members", "point_lots", "point_holds", "point_allocations", "point_entries", "outbox"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def functions_script(hub: Any, members: list[int], folder: Path) -> Path:
    """A pgbench script that redeems as the hub's two units of work do on PostgreSQL: the hold
    function with the program's version token, then the capture function with the event's row
    (``core.outbox.row_for``'s shape, ``member_id`` and ``points`` filled in by the function)."""
    from omohub.core import versions

    low, high = min(members), max(members)
    assert high - low + 1 == len(members), "the members' ids are one range"
    with hub.uow() as session:
        token = versions.current(session)[versions.LOYALTY]
    script = folder / "redeem.sql"
    script.write_text(
        f"\\set m random({low}, {high})\n"
        f"SELECT omohub_points_hold(:m, {POINTS}, gen_random_uuid()::text, 'pgbench', 'pgbench',"
        f" now(), now() + interval '30 minutes', '{token}') AS h \\gset\n"
        "SELECT id FROM omohub_points_capture(:h, NULL, now(), 'loyalty.points_redeemed', 1,"
        " jsonb_build_object('member_id', 0, 'points', 0, 'order_id', NULL, 'hold_id', :h));\n"
    )
    return script


@dataclass
class Setup:
    members: int
    clients: int
    processes: int
    seconds: int
    rounds: int
    scale: int

    @classmethod
    def of(cls, env: Env) -> Setup:
        a = env.args
        if env.quick:
            return cls(300, 4, 1, 2, 1, 1)
        return cls(
            a.redeem_members,
            a.redeem_clients,
            a.redeem_processes,
            a.redeem_seconds,
            a.redeem_rounds,
            a.redeem_scale,
        )


def run(env: Env) -> list[str]:
    if not env.pg:
        return ["Skipped: this benchmark needs PostgreSQL (--pg or $OMOHUB_BENCH_DATABASE_URL)."]
    s, facts = Setup.of(env), dict[str, Any](load=[os.getloadavg()[0]])
    with (
        fresh_database("postgresql", env.pg) as url,
        _pgbench.database(env.pg, s.scale) as (bench_db, facts["init"]),
        tempfile.TemporaryDirectory(prefix="omohub-bench-") as var,
    ):
        hub = hub_for(url, var, s.clients)
        started = time.perf_counter()
        ids = load_members(hub, s.members)
        facts["loaded"] = time.perf_counter() - started
        # a warm-up, not counted: holds, allocations and debits exist before the statistics are
        # taken (analysed empty, their plans would scan them as they grow, without autovacuum)
        warm = redemptions(hub, ids, s.clients, 1 if env.quick else 5, tag="warm")
        ours: list[Round] = []
        theirs: list[float] = []
        alone_db: list[float] = []
        script = functions_script(hub, ids, Path(var))
        for i in range(s.rounds):
            vacuum(hub)
            if s.processes > 1:
                ours.append(spread(url, ids, s.clients, s.processes, s.seconds, tag=f"r{i}"))
            else:
                ours.append(redemptions(hub, ids, s.clients, s.seconds, tag=f"r{i}"))
            if ours[-1].errors:
                raise RuntimeError(f"redemptions failed: {ours[-1].errors[:3]}")
            busy = busy_cores()
            theirs.append(_pgbench.tps(env.pg, bench_db, s.clients, s.seconds))
            facts.setdefault("pgbench busy", []).append(busy())
            vacuum(hub)
            alone_db.append(_pgbench.tps(env.pg, make_url(url).database or "", s.clients, s.seconds, script))
            print(
                f"  round {i + 1}: {ours[-1].rate:,.0f} redemptions/s, pgbench {theirs[-1]:,.0f} tps,"
                f" the functions alone {alone_db[-1]:,.0f} redemptions/s",
                flush=True,
            )
        facts["load"].append(os.getloadavg()[0])
        alone = anatomy(hub, ids, 20 if env.quick else 300)
        facts["checked"] = verify(
            hub, warm.redemptions + sum(r.redemptions for r in ours) + 2 * len(alone["hold"]) + 1
        )
        hub.close()
    return report(s, ours, theirs, alone_db, facts) + explain(alone)


def report(
    s: Setup, ours: list[Round], theirs: list[float], alone_db: list[float], facts: dict[str, Any]
) -> list[str]:
    rate, tps, db_rate = median([r.rate for r in ours]), median(theirs), median(alone_db)
    latencies = [x for r in ours for x in r.latencies]
    total = sum(r.redemptions for r in ours)
    per = sum(r.statements for r in ours) / max(1, total)
    cores = sum(r.cpu for r in ours) / sum(r.seconds for r in ours)
    busy, their_busy = median([r.busy for r in ours]), median(facts["pgbench busy"])
    rounds = ", ".join(f"{r.rate:,.0f}/{t:,.0f}" for r, t in zip(ours, theirs, strict=True))
    where = "one process" if s.processes == 1 else f"{s.processes} processes"
    return [
        f"{s.members:,} members with points (loaded through the adjustment service in"
        f" {facts['loaded']:.0f} s);"
        f" {s.clients} client threads in {where}, each with its own sessions, redeem {POINTS} points of a"
        " random member: `redeem.hold` in one transaction, `redeem.capture` in the next. pgbench database:"
        f" scale {s.scale} (initialised in {facts['init']:.0f} s),"
        f" `pgbench -c {s.clients} -j {min(2, s.clients)} -T {s.seconds}`."
        f" {len(ours)} alternating rounds of {s.seconds} s, medians; the tables a redemption writes are"
        " vacuumed and analysed before each round, as pgbench vacuums its own before each run, after"
        " an uncounted warm-up of 5 s.",
        "",
        "| redemptions/s (hold + capture) | commits/s | pgbench TPC-B-like tps | redemptions / pgbench"
        " | commits / pgbench |",
        "|---|---|---|---|---|",
        f"| {rate:,.0f} | {2 * rate:,.0f} | {tps:,.0f} | **{rate / tps:.0%}** | {2 * rate / tps:.0%} |",
        "",
        f"- Aim (issue #3: at least 30% of pgbench): **{'met' if rate / tps >= 0.3 else 'NOT met'}**,"
        " counting a redemption (two transactions) against one pgbench transaction.",
        f"- Rounds (redemptions/s / pgbench tps): {rounds}.",
        f"- The functions alone (pgbench sending the same two statements, no Python):"
        f" {db_rate:,.0f} redemptions/s, **{db_rate / tps:.0%}** of pgbench's TPC-B-like rate"
        f" (rounds: {', '.join(f'{x:,.0f}' for x in alone_db)}); through the hub's Python client"
        f" {rate / max(db_rate, 1):.0%} of that.",
        f"- One redemption under this load: p50 {_pct(latencies, 0.5):.1f} ms,"
        f" p99 {_pct(latencies, 0.99):.1f} ms;"
        f" {per:.1f} SQL statements (a pgbench transaction: 5 between BEGIN and END). The client"
        f" processes (threads, the hub's code, the driver) used {cores:.2f} of the machine's"
        f" {os.cpu_count()} cores.",
        f"- CPU per transaction, the whole machine (busy cores ÷ rate): a redemption"
        f" {busy * 1000 / rate:.1f} ms (of which the client processes {cores * 1000 / rate:.1f} ms),"
        f" a pgbench transaction {their_busy * 1000 / tps:.2f} ms; busy cores {busy:.2f} during the"
        f" redemption rounds, {their_busy:.2f} during pgbench's.",
        f"- Afterwards: {total:,} holds, all captured; the ledger check over {facts['checked']:,} members"
        f" found nothing. 1-minute load average {facts['load'][0]:.1f} before, {facts['load'][1]:.1f} after.",
    ]


def explain(alone: dict[str, Any]) -> list[str]:
    hold, capture, n = alone["hold"], alone["capture"], len(alone["hold"])
    hot = ", ".join(f"`{fn}` {share:.0%}" for fn, share in alone["hot"])
    libs = ", ".join(f"{lib} {share:.0%}" for lib, share in alone["libraries"] if share >= 0.01)
    return [
        "",
        f"One client alone, {n} redemptions: hold p50 {_pct(hold, 0.5):.2f} ms, capture p50"
        f" {_pct(capture, 0.5):.2f} ms; {alone['cpu']:.1f} ms of this process's CPU per redemption.",
        f"pyinstrument over {n} more (shares): hub functions, inclusive — {hot}.",
        f"Self time by where it is finally spent — {libs}.",
        "",
        f"SQL statements of one redemption: {len(alone['sql'])}.",
        *_anatomy.by_stage(alone["sql"]),
        "",
    ]
