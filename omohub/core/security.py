"""Secrets: random tokens shown once, stored as SHA-256; console passwords with scrypt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 round is enough to keep them safe at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        _scheme, salt_b64, _digest = stored.split("$")
    except ValueError:
        return False
    expected = hash_password(password, salt=base64.b64decode(salt_b64))
    return hmac.compare_digest(expected, stored)
