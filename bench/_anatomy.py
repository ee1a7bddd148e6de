"""What one call costs, taken apart: time per stage, SQL statements, and a sampling profile.

Three views of the same code path, each cheap where the others are blind:

* :func:`stage_clock` — wall time of each function a top-level call makes, measured with
  ``perf_counter`` wrappers put on the module's globals for the duration (no sampling
  overhead: the stages add up to the real call);
* :func:`statements` — every SQL statement, named by the hub function that issued it;
* :func:`profile` — pyinstrument over many calls, summarised as the hub functions that take
  the most time and the libraries where the time is finally spent (the sampler slows Python-heavy
  code more than I/O, so it is read as shares, never as milliseconds).
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from sqlalchemy import event


@contextmanager
def stage_clock(
    module: ModuleType, top: str, parts: dict[str, tuple[ModuleType, str]]
) -> Iterator[defaultdict[str, float]]:
    """Seconds spent in ``module.top``, in each function of ``module`` that it calls directly
    (by name), and in each of ``parts`` (label → module and attribute) wherever it is called."""
    spent: defaultdict[str, float] = defaultdict(float)
    depth = [0]
    saved: list[tuple[ModuleType, str, Any]] = []

    def wrap(owner: ModuleType, name: str, label: str | None) -> None:
        fn = getattr(owner, name)

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if label is not None:
                    spent[label] += time.perf_counter() - started
                elif depth[0] == 1:  # called by ``top`` itself
                    spent[f"`{name}`"] += time.perf_counter() - started

        saved.append((owner, name, fn))
        setattr(owner, name, timed)

    labelled = {name for owner, name in parts.values() if owner is module}
    for name, fn in list(vars(module).items()):
        if not inspect.isfunction(fn) or name == top or name in labelled:
            continue
        if fn.__module__.startswith("omohub.") and not fn.__module__.startswith("omohub.core."):
            wrap(module, name, None)
    for label, (owner, name) in parts.items():
        if hasattr(owner, name):
            wrap(owner, name, label)
    wrap(module, top, f"`{top}`")
    try:
        yield spent
    finally:
        for owner, name, fn in reversed(saved):
            setattr(owner, name, fn)


@contextmanager
def statements(engine: Any, level: int = 2) -> Iterator[list[tuple[str, str, str]]]:
    """Every SQL statement run meanwhile: (what, the stage of the call, the issuing function).
    The stage is the outermost hub function on the stack (``level`` 1) or the one it called (2)."""
    seen: list[tuple[str, str, str]] = []

    def record(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append((_what(statement), *_origin(level)))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _what(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper()
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.I)
    function = re.match(r"\s*SELECT\s+(\w+)\(", statement, re.I)  # SELECT a_function(…)
    found = table or function
    return f"{verb} {found.group(1)}" if found else verb


def _origin(level: int) -> tuple[str, str]:
    """The stage (see :func:`statements`) and the innermost hub function (who asked);
    "(flush)" when the statement is a pending write flushed meanwhile."""
    frame: Any = sys._getframe(2)
    hub_frames, flushed = [], False
    while frame is not None:
        path, fn = frame.f_code.co_filename, frame.f_code.co_name
        flushed = flushed or (fn in ("_autoflush", "flush") and "sqlalchemy/orm" in path)
        if "/omohub/" in path and "/omohub/core/" not in path and "bootstrap" not in path:
            module = path.rsplit("/omohub/", 1)[1].removesuffix(".py").replace("/", ".")
            hub_frames.append(f"{module}.{fn}")
        frame = frame.f_back
    if not hub_frames:
        return "commit", "unit of work"
    stage = hub_frames[-min(level, len(hub_frames))]
    return stage.rsplit(".", 1)[1], hub_frames[0] + (" (flush)" if flushed else "")


def by_stage(seen: list[tuple[str, str, str]]) -> list[str]:
    """One line per stage: how many statements, which, and who issued them."""
    stages: dict[str, Counter[str]] = {}
    for what, stage, who in seen:
        stages.setdefault(stage, Counter())[f"{what} ← {who}"] += 1
    return [
        f"- `{stage}` {sum(c.values())}: "
        + ", ".join(f"{w}{f' ×{n}' if n > 1 else ''}" for w, n in c.items())
        for stage, c in stages.items()
    ]


def profile(calls: list[Callable[[], Any]]) -> Any:
    """pyinstrument's frame tree over ``calls``."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for call in calls:
        call()
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    return session.root_frame()


def hot_functions(root: Any, n: int, skip: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """The hub functions with the largest share of the profile (inclusive, recursion once)."""
    inclusive: Counter[str] = Counter()

    def walk(frame: Any, above: frozenset[str]) -> None:
        path = frame.file_path or ""
        key = ""
        if "/omohub/" in path:
            key = path.rsplit("/omohub/", 1)[1].removesuffix(".py").replace("/", ".") + "." + frame.function
            if key not in above and not key.endswith(skip):
                inclusive[key] += frame.time
        for child in frame.children:
            walk(child, above | {key})

    walk(root, frozenset())
    return [(k, v / root.time) for k, v in inclusive.most_common(n)]


def libraries(root: Any) -> list[tuple[str, float]]:
    """Where the time is finally spent (self time), by library, as shares of the profile."""
    own: Counter[str] = Counter()

    def walk(frame: Any) -> None:
        if frame.is_synthetic:  # its parent's own time, already counted there
            return
        own[_library(frame)] += frame.total_self_time
        for child in frame.children:
            walk(child)

    walk(root)
    return [(k, v / root.time) for k, v in own.most_common()]


def _library(frame: Any) -> str:
    path, fn = frame.file_path or "", frame.function
    if ("sqlalchemy/engine/default.py" in path and fn.startswith("do_")) or "site-packages/psycopg" in path:
        return "database driver (sqlite3 / psycopg, waits included)"
    found = re.search(r"site-packages/([A-Za-z_]+)", path)
    if found:
        return found.group(1)
    if "/omohub/promotions/engine/" in path:
        return "omohub: the pricing engine"
    if "/omohub/" in path:
        return "omohub: the rest"
    if "/bench/" in path:
        return "the benchmark's own loop"
    return "Python itself (stdlib, generated SQLAlchemy wrappers)"
