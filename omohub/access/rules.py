"""Who may see what: pure rules over a ``Principal``."""

from __future__ import annotations

from dataclasses import dataclass, field

from omohub.access.models import ROLES, SCOPES

#: What each console role may do, as API-like scopes.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "hq_admin": frozenset({"admin", "pos", "ecommerce", "collect", "members:write"}),
    "marketer": frozenset({"members:read", "orders:read"}),
    "store_manager": frozenset({"pos", "members:read", "orders:read"}),
    "clerk": frozenset({"pos"}),
}


@dataclass(frozen=True)
class Principal:
    """The caller of one request: an API key or a console user."""

    actor: str
    role: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    store_id: int | None = None
    user_id: int | None = None

    def can(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    @property
    def masked(self) -> bool:
        """Clerks (and POS-only keys) see identifiers masked: only what the 360 needs."""
        return self.role == "clerk" or (self.role == "integration" and self.scopes <= {"pos", "collect"})


def validate_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError("at least one scope is required")
    return sorted(set(scopes))


#: Longest API key name: ``apikey:<name>`` is the source recorded on what the key writes.
MAX_KEY_NAME = 60


def validate_key_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_KEY_NAME or not name.isprintable():
        raise ValueError(f"an API key name is 1–{MAX_KEY_NAME} printable characters")
    return name


#: Roles that work in one store: they see that store's orders, so they must have one.
STORE_ROLES = frozenset({"store_manager", "clerk"})


def validate_username(username: str) -> str:
    # the name is recorded as ``user:NAME`` wherever the user acts, like API key names
    username = username.strip()
    if not username or len(username) > MAX_KEY_NAME or not username.isprintable():
        raise ValueError(f"a username is 1–{MAX_KEY_NAME} printable characters")
    return username


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    return role
