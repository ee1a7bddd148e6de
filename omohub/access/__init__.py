"""Access: API keys with scopes, console users with roles, and the audit log."""
