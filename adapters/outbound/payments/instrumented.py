"""A decorator of any payment gateway that measures its platform calls (count and latency by
platform, operation and outcome) without the gateway knowing."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from adapters.observability.metrics import PLATFORM_CALL_SECONDS, PLATFORM_CALLS
from domain.errors import PaymentPlatformError
from domain.ports.payment_gateway import Decline

T = TypeVar("T")


def outcome_of(result: object | None, error: BaseException | None) -> str:
    """ok: the platform did it; refused: it definitely said no; unknown: its answer was lost."""
    if error is None:
        return "refused" if isinstance(result, Decline) else "ok"
    if isinstance(error, PaymentPlatformError):
        return "refused"
    return "unknown"


class InstrumentedGateway:
    """Measures checkout, approve, lookup and refund; everything else passes straight through."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.pay_type = inner.pay_type

    async def checkout(self, *args: Any, **kwargs: Any) -> Any:
        return await self._measured("checkout", self._inner.checkout, *args, **kwargs)

    async def approve(self, *args: Any, **kwargs: Any) -> Any:
        return await self._measured("approve", self._inner.approve, *args, **kwargs)

    async def lookup(self, *args: Any, **kwargs: Any) -> Any:
        return await self._measured("lookup", self._inner.lookup, *args, **kwargs)

    async def refund(self, *args: Any, **kwargs: Any) -> Any:
        return await self._measured("refund", self._inner.refund, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _measured(
        self, operation: str, call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
    ) -> T:
        started = time.perf_counter()
        result: T | None = None
        error: BaseException | None = None
        try:
            result = await call(*args, **kwargs)
            return result
        except BaseException as exc:
            error = exc
            raise
        finally:
            labels = {
                "platform": self.pay_type.value,
                "operation": operation,
                "outcome": outcome_of(result, error),
            }
            PLATFORM_CALLS.labels(**labels).inc()
            PLATFORM_CALL_SECONDS.labels(**labels).observe(time.perf_counter() - started)
