from omohub.core.errors import Busy, DomainError, Invalid, TooLarge, Unauthorized


class BadWriteKey(Unauthorized):
    code = "bad_write_key"


class EventTooLarge(TooLarge):
    code = "event_too_large"


class BatchTooLarge(TooLarge):
    code = "batch_too_large"


class BadEvent(Invalid):
    status = 400
    code = "bad_event"


class UnsupportedEncoding(DomainError):
    status, code, title = 415, "unsupported_encoding", "Unsupported content encoding"


class HubBusy(Busy):
    """Too many collection requests in flight in this process (429, come back shortly)."""

    code = "busy"


class StoreUnavailable(Busy):
    """The event store cannot take writes right now (503); nothing of the request was kept."""

    status, code, title = 503, "store_unavailable", "Service unavailable"
