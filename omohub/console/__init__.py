"""The server-rendered console (zh-TW first, English available) and the mobile member card.

Owns: console pages under ``/console`` (a sub-application with its own signed session
cookie, CSRF tokens, role checks and HTML error pages), the member's card page at
``/card/{token}`` and the ``/`` redirect. It reads through the domains' services and
publishes no events; what staff do here lands in the audit log.
"""
