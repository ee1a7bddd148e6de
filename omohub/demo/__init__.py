"""The demo brand: a realistic Taiwanese apparel chain, generated deterministically."""
