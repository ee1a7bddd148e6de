"""Orders: one order model for every channel (POS sale, web, app, LINE, marketplace, delivery),
payments in Taiwan's tender types, the e-invoice choice, and returns with refunds across channels.

Publishes ``order.completed`` and ``order.refunded`` (``omohub.orders.events``). Orders point
at members by id; a member merge re-homes them (``Order.member_id`` is a re-home column).
"""

# Importing the package registers its events, so webhook subscriptions know them.
from omohub.orders import events as events
