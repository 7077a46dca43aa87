"""`Idempotency-Key` on order placement, the way Stripe does it, with Brandur's recovery points.

- The same key and body replay the first *final* answer; another body under the key is 422.
- A claim is leased: while its holder runs, the same request again is 409. Once the lease is
  over — the holder crashed, or its answer was not final — a retry takes the key over.
- Recovery point: the claim reserves the order's transactionId before anything is placed, so
  the order and its "placed" mark are one commit. A retry that takes the key over looks the
  order up by that transactionId and answers from it as it now stands (paid, failed, still
  unknown); only when no order was committed does it place one, under the same transactionId
  (a unique key), so two holders can never place two orders.
- An unknown outcome (504) or a storage failure (503) is never frozen into the key: it ends
  the lease, and the next retry answers from the order as the worker has since settled it.
Answers are kept for the configured time (24 h)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from adapters.inbound.http.errors import error_envelope
from adapters.inbound.http.schemas import order_json
from application.place_order import PlaceOrder, PlaceOrderCommand
from application.placement_status import Outcome, Placement, PlacementStatus
from domain.errors import Conflict, DomainError, InvalidInput, RequestInProgress
from domain.order import Order
from domain.ports.clock import Clock, IdSource
from domain.ports.idempotency import IdempotencyRecord, IdempotencyStore, RecordState

Answer = tuple[int, dict[str, Any]]


def is_final(status: int) -> bool:
    """Answers a replay may give forever: successes, refusals, a platform's definite error."""
    return status < 500 or status == 502


class IdempotentPlaceOrder:
    def __init__(
        self,
        place_order: PlaceOrder,
        store: IdempotencyStore,
        clock: Clock,
        ttl: timedelta,
        placements: PlacementStatus,
        ids: IdSource,
        lease: timedelta,
    ) -> None:
        self._place_order, self._store, self._clock, self._ttl = place_order, store, clock, ttl
        self._placements, self._ids, self._lease = placements, ids, lease

    async def execute(
        self, command: PlaceOrderCommand, key: str | None, fingerprint: str
    ) -> Answer:
        if key is None:
            return 200, await self._answer(command)
        now = self._clock.now()
        request_hash = hashlib.sha256(fingerprint.encode()).hexdigest()
        reserved = self._ids.new_id()
        claim = await self._store.acquire(
            IdempotencyRecord(
                scope=str(command.user_id),
                key=key,
                request_hash=request_hash,
                state=RecordState.IN_PROGRESS,
                created_at=now,
                expires_at=now + self._ttl,
                locked_at=now,
                transaction_id=reserved,
            )
        )
        record = claim.record
        if not claim.won:
            return self._replay(record, request_hash)
        transaction_id = record.transaction_id or reserved
        try:
            status, body = await self._place_or_resume(
                replace(command, transaction_id=transaction_id), resumed=transaction_id != reserved
            )
        except DomainError as exc:
            await self._settle(record, *error_envelope(exc))
            raise
        except BaseException:
            await self._store.release(record.scope, record.key, record.locked_at)
            raise
        await self._settle(record, status, body)
        return status, body

    def _replay(self, record: IdempotencyRecord, request_hash: str) -> Answer:
        if record.request_hash != request_hash:
            raise InvalidInput(
                "this Idempotency-Key was used with a different request; use a new key"
            )
        if record.state is RecordState.DONE and record.response_body is not None:
            return record.response_status or 200, json.loads(record.response_body)
        wait = self._lease
        if record.locked_at is not None:
            wait = record.locked_at + self._lease - self._clock.now()
        raise RequestInProgress(
            "a request with this Idempotency-Key is still running; if it does not finish, a "
            f"retry after {max(1, int(wait.total_seconds()) + 1)} s takes over"
        )

    async def _settle(self, record: IdempotencyRecord, status: int, body: dict[str, Any]) -> None:
        if is_final(status):
            await self._store.complete(
                record.scope, record.key, status, json.dumps(body, ensure_ascii=False)
            )
        else:
            await self._store.release(record.scope, record.key, record.locked_at)

    async def _place_or_resume(self, command: PlaceOrderCommand, *, resumed: bool) -> Answer:
        assert command.transaction_id is not None
        if resumed:
            found = await self._placements.execute(command.transaction_id)
            if found is not None:
                return _from_placement(found)
        try:
            return 200, await self._answer(command)
        except Conflict:
            # Another holder of the key committed the order under this transactionId first.
            found = await self._placements.execute(command.transaction_id)
            if found is None:
                raise
            return _from_placement(found)

    async def _answer(self, command: PlaceOrderCommand) -> dict[str, Any]:
        placed = await self._place_order.execute(command)
        return _success(placed.order, placed.client_data)


def _success(order: Order, client_data: Any) -> dict[str, Any]:
    # The platform's answer, plus our ids; where a platform field shares a name with ours
    # (Toss's widget `orderId` is our transactionId), `payment` keeps the platform's intact.
    data: dict[str, Any] = dict(client_data)
    data["orderId"] = order.id
    data["transactionId"] = order.transaction_id
    data["order"] = order_json(order)
    data["payment"] = dict(client_data)
    return {"statusCode": 200, "statusMsg": "success", "data": data}


def _from_placement(placement: Placement) -> Answer:
    """The answer to the placement, from the order as it stands now."""
    order = placement.order
    if placement.outcome is Outcome.STARTED:
        return 200, _success(order, placement.platform_answer)
    data = {
        "platform": order.pay_type.value,
        "orderId": order.id,
        "transactionId": order.transaction_id,
        "order": order_json(order),
    }
    if placement.outcome is Outcome.FAILED:
        message = (
            f"the payment of order {order.id} did not go through; the order is {order.state.value}"
        )
        return 502, {"statusCode": 502, "statusMsg": message, "data": data}
    message = (
        f"the outcome of order {order.id}'s payment is not known yet; the payment will be "
        "reconciled with the platform, and a retry with this Idempotency-Key answers from it"
    )
    return 504, {"statusCode": 504, "statusMsg": message, "data": data}
