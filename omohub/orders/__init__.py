"""Orders: one order model for every channel, payments, e-invoice choice, returns and refunds.

Publishes ``order.completed`` and ``order.refunded``.
"""
