from omohub.core.errors import Conflict, Invalid, NotFound


class NotEnoughPoints(Conflict):
    code = "not_enough_points"


class RedeemRefused(Invalid):
    code = "redeem_refused"


class HoldNotFound(NotFound):
    code = "hold_not_found"


class HoldClosed(Conflict):
    code = "hold_closed"


class KeyReused(Conflict):
    """An idempotency key sent again with a different request."""

    code = "idempotency_conflict"


class InvalidProgram(Invalid):
    code = "invalid_loyalty_setting"


class TierNotFound(NotFound):
    code = "tier_not_found"


class RuleNotFound(NotFound):
    code = "earn_rule_not_found"
