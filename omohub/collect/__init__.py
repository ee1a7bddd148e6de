"""Collect: the Segment-compatible collection API and the append-only event store.

Events are durably stored before 200 is returned; the identity processor (a worker job)
reads them in order afterwards and turns identify/alias calls into member identities.
"""
