"""Members & identity: one member profile per person, its identifiers, merges and unmerges.

Publishes ``member.created``, ``member.updated``, ``member.merged``, ``member.unmerged``.
"""
