from omohub.core.errors import Conflict, Invalid, NotFound


class PromotionNotFound(NotFound):
    code = "promotion_not_found"


class InvalidPromotion(Invalid):
    code = "invalid_promotion"


class PromotionConflict(Conflict):
    """Two definitions the engine could not order (exclusives with one priority, overlapping).
    The problem names them: ``conflicts`` (sentences) and ``conflicts_with`` (``{id, name}`` of each)."""

    code = "promotion_conflict"


class CouponInvalid(Invalid):
    """A code that does not exist, is outside its validity, used up, or someone else's."""

    code = "coupon_invalid"


class CouponTaken(Conflict):
    code = "coupon_used"


class CapReached(Conflict):
    code = "promotion_cap_reached"
