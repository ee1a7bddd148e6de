from omohub.core.errors import Conflict, Invalid, NotFound


class MemberNotFound(NotFound):
    code = "member_not_found"


class BadIdentifier(Invalid):
    code = "invalid_identifier"


class MergeRefused(Conflict):
    code = "merge_refused"


class NotMerged(Conflict):
    code = "not_merged"


class SuggestionNotFound(NotFound):
    code = "suggestion_not_found"


class SuggestionClosed(Conflict):
    code = "suggestion_closed"
