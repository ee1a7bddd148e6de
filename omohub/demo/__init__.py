"""The demo brand: a realistic Taiwanese apparel chain, generated deterministically (``omohub demo``).

It owns no tables: it fills the other domains' tables (org, catalog, members, orders,
collect, access) in bulk, following their rules, so every page and API of the hub has
something true to show. It publishes nothing; ``service.build_demo`` is its one entry point
and ``cli.prepare`` wraps it for the command line (docs/demo.md, ADRs 0060-0061).
"""
