from omohub.core.errors import Conflict, Invalid, NotFound


class InvalidCart(Invalid):
    code = "invalid_cart"


class QuoteNotFound(NotFound):
    code = "quote_not_found"


class QuoteExpired(Conflict):
    code = "quote_expired"


class QuoteUsed(Conflict):
    code = "quote_used"


class QuoteMismatch(Conflict):
    """The order does not match the cart that was priced."""

    code = "quote_mismatch"


class UnknownQuote(Invalid):
    code = "unknown_quote"


class InvalidTender(Invalid):
    """A points tender the ledger cannot honour as sent (no member, not whole redemption steps)."""

    code = "invalid_tender"
