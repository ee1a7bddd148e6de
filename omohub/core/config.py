"""Typed settings, read once from the environment (prefix ``OMOHUB_``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DB_PATH = Path("var") / "omohub.db"

CSV = Annotated[tuple[str, ...], NoDecode]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(BaseSettings):
    """Every setting the hub reads. Documented in ``docs/configuration.md``."""

    model_config = SettingsConfigDict(env_prefix="OMOHUB_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_PATH}",
        description="SQLAlchemy URL of the operational store.",
    )
    timezone: str = Field(default="Asia/Taipei", description="Business-day timezone.")
    currency: str = Field(default="TWD", description="Currency of all amounts (minor units).")
    secret_key: str = Field(
        default="",
        description="Signs console sessions and member-card links; generated into ./var if empty.",
    )
    console_secure_cookie: bool = Field(
        default=False,
        description="Mark the console's session cookie Secure (HTTPS only); turn on behind TLS.",
    )
    var_dir: Path = Field(default=Path("var"), description="Where local state (secret key) lives.")
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=500,
        description="Database connections kept per process (twice as many may overflow).",
    )
    collect_max_inflight: int = Field(
        default=64, description="Collection requests processed at once before 429 is returned."
    )
    merge_auto_types: CSV = Field(
        default=("phone", "email", "line_uid", "member_card", "external", "member_id"),
        description="Identifier types allowed to merge two existing members automatically.",
    )
    merge_blocklist: CSV = Field(
        default=(
            "0000000000",
            "0900000000",
            "1234567890",
            "test@test.com",
            "test@example.com",
            "a@a.com",
            "null",
            "none",
            "undefined",
        ),
        description="Junk identifier values that never identify anybody.",
    )
    merge_shared_cap: int = Field(
        default=3,
        description="Members one anonymous or device id may join within the window.",
    )
    merge_shared_window_hours: int = Field(
        default=24 * 30, description="Window for merge_shared_cap, in hours."
    )
    collect_settle_seconds: float = Field(
        default=5.0,
        description=(
            "PostgreSQL only: how far the identity processor stays behind the newest event, so"
            " a slower transaction with a lower sequence number is never skipped."
        ),
    )
    webhook_timeout_seconds: float = Field(default=10.0, description="Webhook HTTP timeout.")
    webhook_max_attempts: int = Field(default=12, description="Deliveries give up after this.")
    webhook_lease_seconds: float = Field(
        default=60.0,
        description=(
            "How long a claimed delivery stays reserved for the worker sending it; after a worker"
            " crash it is sent again when this runs out. At least 3 x the timeout."
        ),
    )
    webhook_concurrency: int = Field(default=8, ge=1, description="Deliveries one worker sends at once.")
    outbox_max_attempts: int = Field(
        default=10, ge=1, description="An outbox message whose handlers keep failing is set aside after this."
    )
    outbox_retention_days: int = Field(
        default=7, ge=0, description="Dispatched outbox messages are deleted after this many days (0: never)."
    )
    webhook_retention_days: int = Field(
        default=30,
        ge=0,
        description="Finished webhook deliveries are deleted after this many days (0: never).",
    )
    worker_poll_seconds: float = Field(default=0.5, description="Idle worker poll interval.")

    @field_validator("merge_auto_types", "merge_blocklist", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept under ``var_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
