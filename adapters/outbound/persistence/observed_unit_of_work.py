"""A decorator of any unit-of-work factory that tells an observer which domain events each
commit made durable (metrics and business log lines come from there, not from use-cases)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from domain.events import DomainEvent

Observer = Callable[[Sequence[DomainEvent]], None]


class _RecordingOutbox:
    """Passes every call to the real outbox and remembers the events added to it."""

    def __init__(self, outbox: Any, added: list[DomainEvent]) -> None:
        self._outbox, self._added = outbox, added

    async def add(self, event: DomainEvent) -> None:
        await self._outbox.add(event)
        self._added.append(event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._outbox, name)


class ObservedUnitOfWork:
    """Behaves as the wrapped unit of work; after each successful `commit()` the observer
    gets the events added since the previous one. A rollback forgets them."""

    def __init__(self, inner: Any, observer: Observer) -> None:
        self._inner, self._observer = inner, observer
        self._added: list[DomainEvent] = []

    async def __aenter__(self) -> ObservedUnitOfWork:
        await self._inner.__aenter__()
        self._added = []
        # Replaced on the inner unit too, so events it writes itself are seen as well.
        self._inner.outbox = _RecordingOutbox(self._inner.outbox, self._added)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._added.clear()
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await self._inner.commit()
        committed, self._added[:] = list(self._added), []
        if committed:
            self._observer(committed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ObservedUnitOfWorkFactory:
    def __init__(self, inner: Callable[..., Any], observer: Observer) -> None:
        self._inner, self._observer = inner, observer

    def __call__(self, *, read_only: bool = False, one_statement: bool = False) -> Any:
        if read_only:  # a read-only unit commits nothing, so there is nothing to observe
            return self._inner(read_only=True)
        inner = self._inner(one_statement=True) if one_statement else self._inner()
        return ObservedUnitOfWork(inner, self._observer)
