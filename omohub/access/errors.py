from omohub.core.errors import Forbidden, Unauthorized


class BadCredentials(Unauthorized):
    code = "bad_credentials"


class MissingScope(Forbidden):
    code = "missing_scope"
