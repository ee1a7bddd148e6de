"""Loyalty: one points ledger and one tier per member, whatever channel they buy in.

Owns the program settings, earn rules, point lots, the append-only ledger, holds (points
reserved at a checkout) and tiers. Publishes ``loyalty.points_earned``,
``loyalty.points_redeemed``, ``loyalty.points_reversed``, ``loyalty.points_expired`` and
``tier.changed``. Learns about sales only through the orders domain's events.
"""
