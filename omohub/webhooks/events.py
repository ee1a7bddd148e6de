"""The webhooks domain publishes no events of its own; it delivers everyone else's."""
