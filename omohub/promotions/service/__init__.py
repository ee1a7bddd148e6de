"""Promotion use cases, one module each. None of them commits: the edge owns the transaction."""
