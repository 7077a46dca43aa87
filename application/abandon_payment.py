from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from application.payment_runner import PaymentRunner, Settling, by_transaction
from domain.errors import Conflict, InvalidInput, PaymentOutcomeUnknown
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import PaymentState
from domain.ports.payment_gateway import Decline, PaymentLookup, PlatformStatus


@dataclass(frozen=True, kw_only=True)
class AbandonPaymentCommand:
    pay_type: PayType
    transaction_id: str
    cancelled_by_user: bool = False
    """The cancel (not the fail) return URL was called."""
    reason: str = ""
    callback: Mapping[str, str] = field(default_factory=dict)
    """The return URL's parameters, read by the platform's adapter (its codes, its names)."""


class AbandonPayment:
    """The platform's fail or cancel redirect: the buyer did not pay.

    Rules: the redirect is only a claim — the platform is asked first, and an order the
    platform reports as paid never moves to failed/cancelled (409), one it has not ended yet
    does not move either (504); only where the platform cannot be asked at all and has taken
    no money (its adapter says so) is the claim taken as it is; a repeated redirect answers
    with the order as it stands.
    """

    def __init__(self, runner: PaymentRunner) -> None:
        self._runner = runner

    async def execute(self, cmd: AbandonPaymentCommand) -> Order:
        gateway = self._runner.gateways.for_type(cmd.pay_type)
        claim = gateway.read_abandonment(cmd.callback, cancelled=cmd.cancelled_by_user)
        decision = _Abandon(
            cmd,
            Decline(
                cmd.reason or claim.reason,
                cmd.cancelled_by_user or claim.cancelled_by_user,
                claim.raw,
            ),
        )
        ran = await self._runner.ask(by_transaction(cmd.transaction_id), decision)
        return ran.order


class _Abandon:
    def __init__(self, cmd: AbandonPaymentCommand, claim: Decline) -> None:
        self._cmd, self._claim = cmd, claim

    def begin(self, order: Order) -> bool:
        if order.pay_type is not self._cmd.pay_type:
            raise InvalidInput(
                f"transaction {self._cmd.transaction_id} is paid with {order.pay_type.value}"
            )
        return order.pay.state is PaymentState.READY

    async def settle(self, order: Order, lookup: PaymentLookup | None, settling: Settling) -> bool:
        if lookup is not None:
            if lookup.status in (PlatformStatus.APPROVED, PlatformStatus.REFUNDED):
                raise Conflict(
                    f"{self._cmd.pay_type.value} reports transaction "
                    f"{self._cmd.transaction_id} as paid"
                )
            if lookup.status is PlatformStatus.PENDING:
                raise PaymentOutcomeUnknown(
                    self._cmd.pay_type.value, "the platform has not ended this payment yet"
                )
        if order.pay.state is not PaymentState.READY:
            return False
        raw = lookup.raw if lookup is not None else self._claim.raw
        decline = Decline(self._claim.reason, self._claim.cancelled_by_user, raw)
        order.payment_declined(decline, settling.now)
        return True
