from omohub.core.errors import Conflict, Invalid, NotFound


class SubscriptionNotFound(NotFound):
    code = "webhook_not_found"


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"


class UnknownTopic(Invalid):
    code = "unknown_topic"


class BadWebhookUrl(Invalid):
    code = "invalid_webhook_url"


class NotRedeliverable(Conflict):
    code = "not_redeliverable"
