"""``omohub demo``: choose the database, build the brand behind a progress bar, say how to use it.

The click command itself lives in ``omohub/cli.py`` (serving needs the API app, which sits
above this package); this module does everything up to the moment the hub starts.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from omohub.bootstrap import Hub, build_hub
from omohub.collect.partitions import ensure_partitions
from omohub.core.config import Settings
from omohub.core.migrate import upgrade
from omohub.demo import data
from omohub.demo.service import CLERK_STORE, DemoResult, build_demo

DEMO_DB = Path("var") / "demo.db"
CREDENTIALS = "demo-credentials.txt"
_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"


def database_url() -> tuple[str, bool]:
    """Where the demo goes: ``OMOHUB_DATABASE_URL`` if set, else a fresh ``./var/demo.db``."""
    url = os.environ.get("OMOHUB_DATABASE_URL")
    if url:
        return url, False
    return f"sqlite:///{DEMO_DB}", True


def fresh_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def new_password() -> str:
    return "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(12))


def prepare(*, members: int, seed: int, as_of: dt.date | None, host: str, port: int) -> Hub:
    """Build the demo into its database, print the logins and keys; returns the hub to serve."""
    console = Console(highlight=False)
    url, own = database_url()
    if own:
        fresh_sqlite_file(DEMO_DB)
    # The served hub, the worker and any `omohub` command run from this shell use it too.
    os.environ["OMOHUB_DATABASE_URL"] = url
    hub = build_hub(Settings())
    where = hub.engine.url.render_as_string(hide_password=True)
    console.print(
        f"資料庫 database: {where} "
        + ("(a fresh demo file)" if own else "(from OMOHUB_DATABASE_URL; it must be empty)")
    )
    upgrade(hub.engine)
    ensure_partitions(hub.engine)
    as_of = as_of or dt.datetime.now(hub.settings.tz).date()
    started = time.monotonic()
    with RichSteps(console) as steps:
        result = build_demo(
            hub,
            members=members,
            seed=seed,
            as_of=as_of,
            passwords=(new_password(), new_password()),
            steps=steps,
        )
    text = summary(result, base=f"http://{_visible(host)}:{port}", seconds=time.monotonic() - started)
    saved = _save(hub.settings.var_dir / CREDENTIALS, text)
    console.print(text, markup=False, soft_wrap=True)
    console.print(f"(saved to {saved}; `omohub demo` again rebuilds from scratch)\n")
    return hub


def summary(r: DemoResult, *, base: str, seconds: float) -> str:
    admin, clerk = r.logins
    lines = [
        "",
        f"{data.BRAND_NAME}: demo built in {seconds:.0f} s",
        f"  {r.stores} 門市 stores · {r.skus:,} SKUs · {r.members:,} 會員 members"
        f" (+{r.followers_only:,} LINE followers not yet members, {r.duplicates} legacy duplicates,"
        f" {r.merged} already merged)",
        f"  {r.orders:,} 訂單 orders ({r.returns:,} returns) · {r.events:,} 瀏覽事件 web/app/LINE events",
        f"  全通路會員 omnichannel members spend {r.omni_vs_store:.1f}× store-only and"
        f" {r.omni_vs_online:.1f}× online-only members",
        "",
        f"主控台 Console   {base}/console",
        f"  總部管理員 HQ admin    {admin.username} / {admin.password}",
        f"  門市店員 store clerk   {clerk.username} / {clerk.password}   (store {CLERK_STORE})",
    ]
    if r.sample_member:
        lines.append(f"  try member {r.sample_member}: {base}/console/members/{r.sample_member}")
    lines += [
        "",
        "API key (admin, collect, ecommerce, pos):",
        f"  {r.api_key}",
    ]
    if r.sample_phone:
        local = "0" + r.sample_phone.removeprefix("+886")  # a "+" would need escaping in a URL
        lines.append(
            f'  curl -H "Authorization: Bearer {r.api_key}" "{base}/api/v1/members/lookup?phone={local}"'
        )
    lines += ["", f"Segment write keys (analytics client: write_key=…, host={base}):"]
    lines += [f"  {name:<5} {key}" for name, key in r.write_keys.items()]
    lines += ["", f"API docs {base}/docs · health {base}/healthz · Ctrl-C stops the hub"]
    return "\n".join(lines)


def _visible(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _save(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.lstrip() + "\n")
    path.chmod(0o600)
    return path


class RichSteps:
    """The build's steps as rich progress bars, one per step."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> RichSteps:
        self.progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self._close_task()
        self.progress.stop()

    def step(self, label: str, total: int) -> Callable[[int], None]:
        self._close_task()
        task = self.task = self.progress.add_task(label, total=total)
        return lambda n: self.progress.advance(task, n)

    def _close_task(self) -> None:
        """A step's total is an estimate; when it ends, its bar shows what was really done."""
        if self.task is not None:
            done = max(next(t.completed for t in self.progress.tasks if t.id == self.task), 1)
            self.progress.update(self.task, total=done, completed=done)
