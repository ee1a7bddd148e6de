"""Org: the brand, its stores (with coordinates), sales channels and staff.

Publishes nothing yet; other domains refer to stores and staff by id.
"""
