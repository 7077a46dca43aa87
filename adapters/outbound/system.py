from __future__ import annotations

import uuid
from datetime import UTC, datetime

from domain.ports.clock import Clock, IdSource


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidIds(IdSource):
    def new_id(self) -> str:
        return str(uuid.uuid4())
