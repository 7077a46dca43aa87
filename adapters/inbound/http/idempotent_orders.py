"""`Idempotency-Key` on order placement, the way Stripe does it: the same key and body replay
the first answer, another body with that key is refused (422), and while the first request
is still running a second one gets 409. Answers are kept for the configured time (24 h)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from adapters.inbound.http.errors import error_envelope
from adapters.inbound.http.schemas import order_json
from application.place_order import PlaceOrder, PlaceOrderCommand
from domain.errors import DomainError, InvalidInput, RequestInProgress
from domain.ports.clock import Clock
from domain.ports.idempotency import IdempotencyRecord, IdempotencyStore, RecordState


class IdempotentPlaceOrder:
    def __init__(
        self, place_order: PlaceOrder, store: IdempotencyStore, clock: Clock, ttl: timedelta
    ) -> None:
        self._place_order, self._store, self._clock, self._ttl = place_order, store, clock, ttl

    async def execute(
        self, command: PlaceOrderCommand, key: str | None, fingerprint: str
    ) -> tuple[int, dict[str, Any]]:
        if key is None:
            return 200, await self._answer(command)
        scope = str(command.user_id)
        now = self._clock.now()
        request_hash = hashlib.sha256(fingerprint.encode()).hexdigest()
        claim = IdempotencyRecord(
            scope=scope,
            key=key,
            request_hash=request_hash,
            state=RecordState.IN_PROGRESS,
            created_at=now,
            expires_at=now + self._ttl,
        )
        existing = await self._store.claim(claim)
        if existing is not None:
            if existing.request_hash != request_hash:
                raise InvalidInput(
                    "this Idempotency-Key was used with a different request; use a new key"
                )
            if existing.state is RecordState.IN_PROGRESS or existing.response_body is None:
                raise RequestInProgress("a request with this Idempotency-Key is still running")
            return existing.response_status or 200, json.loads(existing.response_body)
        try:
            status, body = 200, await self._answer(command)
        except DomainError as exc:
            status, body = error_envelope(exc)
            await self._store.complete(scope, key, status, json.dumps(body, ensure_ascii=False))
            raise
        except BaseException:
            await self._store.release(scope, key)
            raise
        await self._store.complete(scope, key, status, json.dumps(body, ensure_ascii=False))
        return status, body

    async def _answer(self, command: PlaceOrderCommand) -> dict[str, Any]:
        placed = await self._place_order.execute(command)
        # The platform's answer, plus our ids; where a platform field shares a name with ours
        # (Toss's widget `orderId` is our transactionId), `payment` keeps the platform's intact.
        data: dict[str, Any] = dict(placed.client_data)
        data["orderId"] = placed.order.id
        data["transactionId"] = placed.order.transaction_id
        data["order"] = order_json(placed.order)
        data["payment"] = dict(placed.client_data)
        return {"statusCode": 200, "statusMsg": "success", "data": data}
