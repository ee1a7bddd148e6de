"""Promotions: one promotion engine and one coupon wallet for every channel (統一行銷活動).

Owns promotions (schedule, channels, stores, audience, caps, stacking), coupon codes (single,
bulk unique, issued into a member's wallet), their reservations and uses, and the pure pricing
engine (``engine``). Publishes ``coupon.issued``. The checkout domain prices carts with it.
"""
