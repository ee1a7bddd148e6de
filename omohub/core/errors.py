"""Domain errors carry their HTTP status; one handler renders them as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An expected failure a caller can act on. Never a 500."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://omohub.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class Invalid(DomainError):
    status, code, title = 422, "invalid", "Invalid input"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Unauthorized"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class TooLarge(DomainError):
    status, code, title = 413, "too_large", "Payload too large"


class Busy(DomainError):
    status, code, title = 429, "busy", "Too many requests"

    def __init__(self, detail: str, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after
