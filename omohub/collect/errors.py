from omohub.core.errors import Invalid, TooLarge, Unauthorized


class BadWriteKey(Unauthorized):
    code = "bad_write_key"


class EventTooLarge(TooLarge):
    code = "event_too_large"


class BatchTooLarge(TooLarge):
    code = "batch_too_large"


class BadEvent(Invalid):
    status = 400
    code = "bad_event"
