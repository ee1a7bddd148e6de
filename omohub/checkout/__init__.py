"""Checkout: the POS and the web shop ask the hub to price a cart, and get a quote.

Orchestrates promotions (the pricing engine and coupons) and loyalty (points to redeem, points
to earn) for ``POST /api/v1/carts/price``; stores the quote; and, as an order extension,
consumes it when ``POST /api/v1/orders`` names it — the point hold captured, the coupons used
and the promotions counted, exactly once, in the order's transaction.
"""
