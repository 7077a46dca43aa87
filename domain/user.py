from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput

MAX_NAME_LENGTH = 100


@dataclass(eq=False)
class User:
    name: str
    created_at: datetime
    updated_at: datetime
    id: int | None = None

    @classmethod
    def register(cls, name: str, at: datetime) -> User:
        name = name.strip()
        if not name:
            raise InvalidInput("a user needs a name")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"a name has at most {MAX_NAME_LENGTH} characters")
        return cls(name=name, created_at=at, updated_at=at)
