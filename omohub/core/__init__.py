"""Shared kernel: settings, database, clock, errors, the transactional outbox.

Every domain package may import from here; this package imports from no domain.
"""
