"""Every ORM model, imported once so the metadata is complete (migrations, tests)."""

from omohub.access import models as access_models
from omohub.catalog import models as catalog_models
from omohub.checkout import models as checkout_models
from omohub.collect import models as collect_models
from omohub.core import outbox, versions
from omohub.core.db import Base
from omohub.loyalty import models as loyalty_models
from omohub.members import models as members_models
from omohub.orders import models as orders_models
from omohub.org import models as org_models
from omohub.promotions import models as promotions_models
from omohub.webhooks import models as webhooks_models

metadata = Base.metadata

__all__ = [
    "access_models",
    "catalog_models",
    "checkout_models",
    "collect_models",
    "loyalty_models",
    "members_models",
    "metadata",
    "orders_models",
    "org_models",
    "outbox",
    "promotions_models",
    "versions",
    "webhooks_models",
]
