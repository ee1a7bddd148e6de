"""What a unit of work can reach besides the database: settings and the clock.

The composition root puts a ``Context`` into every session's ``info`` so services take
one argument (the session) and still read "now" and settings from one injectable place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from omohub.core.clock import Clock, business_date, utcnow
from omohub.core.config import Settings


@dataclass
class Context:
    settings: Settings
    clock: Clock = field(default=utcnow)

    def now(self) -> dt.datetime:
        return self.clock()

    def business_date(self, at: dt.datetime) -> dt.date:
        return business_date(at, self.settings.tz)


def ctx(session: Session) -> Context:
    found = session.info.get("ctx")
    if found is None:
        raise RuntimeError("session built outside the composition root: no Context")
    return found
