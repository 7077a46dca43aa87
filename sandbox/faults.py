"""Failure switches shared by every platform emulator.

A test (or a person) arms a fault for an operation; the next matching calls take it:
- `error`: answer with the platform's own error body and the given HTTP status;
- `timeout`: hang without acting, longer than any client waits;
- `no_answer`: act (approve, refund, ...) and then hang, so the caller never hears it;
- `delay`: act and answer, but only after `seconds`;
- `slow`: wait `seconds` before acting (the request is still running meanwhile).
Armed through `POST {platform}/__sandbox__/faults`, cleared with `DELETE`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["error", "timeout", "no_answer", "delay", "slow"]
HANG_SECONDS = 30.0


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    status: int = 500
    seconds: float = 0.0


@dataclass
class FaultPlan:
    _armed: dict[str, list[Fault]] = field(default_factory=dict)

    def arm(self, operation: str, fault: Fault) -> None:
        self._armed.setdefault(operation, []).append(fault)

    def clear(self) -> None:
        self._armed.clear()

    def take(self, operation: str) -> Fault | None:
        """The fault for this call, if one is armed; each use counts down its `times`."""
        queue = self._armed.get(operation) or []
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault


async def hang() -> None:
    await asyncio.sleep(HANG_SECONDS)
