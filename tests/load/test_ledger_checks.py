"""The ledger checks catch what they promise to: a double approval, an over-refund, money
that does not add up, a stuck order (on hand-made ledgers, no servers)."""

from __future__ import annotations

from typing import Any

from tests.load.driver import Drive, Group, Placed
from tests.load.ledger import HELD_CHECK, Ledger, check_ledger
from tests.load.plan import Batch, Fate, Member, Outcome
from tests.load.recorder import Recorder


def _balanced() -> tuple[Ledger, Drive]:
    """Two Kakao orders in a group that expired, both refunded at the platform."""
    batch = Batch(
        index=0, product=0, fate=Fate.EXPIRE, duplicate_steps=False, delayed_refunds=False
    )
    drive = Drive(users=[1])
    for order_id in (1, 2):
        member = Member(order_id, 0, "KAKAO_PAY", Outcome.PAY, 1, False, 1, False, False)
        batch.members.append(member)
        drive.placed.append(Placed(member, order_id, f"tx{order_id}", paid=True))
    drive.groups.append(Group(7, batch, [1, 2], matched=True))
    ledger = Ledger(
        orders={i: _order(i, "REFUNDED") for i in (1, 2)},
        platform={
            "kakaopay": [_payment(1, 1, 1000), _payment(2, 1, 1000)],
            "naverpay": [],
            "openbanking": [],
            "tosspayments": [],
        },
    )
    return ledger, drive


def _order(order_id: int, state: str) -> dict[str, Any]:
    return {"id": order_id, "state": state, "transAmount": 1000, "payType": "KAKAO_PAY"}


def _payment(order_id: int, approvals: int, refunded: int, refunds: int = 1) -> dict[str, Any]:
    return {
        "tid": f"T{order_id}",
        "partner_order_id": str(order_id),
        "amount": 1000,
        "approvals": approvals,
        "refunded_amount": refunded,
        "refunds": refunds,
    }


def _failed(ledger: Ledger, drive: Drive) -> list[str]:
    check_ledger(ledger, drive, Recorder())
    return [c.name for c in ledger.checks if not c.ok]


def test_a_balanced_ledger_passes_every_check() -> None:
    assert _failed(*_balanced()) == []


def test_a_payment_approved_twice_fails_the_double_approval_check() -> None:
    ledger, drive = _balanced()
    ledger.platform["kakaopay"][0]["approvals"] = 2

    failed = _failed(ledger, drive)

    assert "no double approval at any platform" in failed
    assert "the platforms' sums equal the service's" in failed


def test_a_second_refund_fails_the_over_refund_check() -> None:
    ledger, drive = _balanced()
    ledger.platform["kakaopay"][1].update(refunded_amount=2000, refunds=2)

    assert "no over-refund, at most one refund per payment" in _failed(ledger, drive)


def test_an_order_left_refund_pending_fails_the_final_state_and_money_checks() -> None:
    ledger, drive = _balanced()
    ledger.orders[2]["state"] = "REFUND_PENDING"

    failed = _failed(ledger, drive)

    assert "every order is in a final state" in failed
    assert "refunded + settlement-ready = approved (service API)" in failed
    assert "each order agrees with its platform payment" in failed


def test_an_order_nobody_placed_fails_the_accounting_check() -> None:
    ledger, drive = _balanced()
    ledger.orders[3] = _order(3, "PAYMENT_FAILED")

    assert "the users' orders are exactly those placed" in _failed(ledger, drive)


def test_a_5xx_answer_fails_the_response_check() -> None:
    ledger, drive = _balanced()
    recorder = Recorder()
    recorder.unexpected.append("approve GET /api/v1/order/transaction/done/... -> 500")

    check_ledger(ledger, drive, recorder)

    failed = [c.name for c in ledger.checks if not c.ok]
    assert failed == ["every service answer as expected (no 5xx, no error)"]


def test_money_a_platform_holds_for_no_live_order_fails_the_held_money_check() -> None:
    ledger, drive = _balanced()
    # a stray payment the buyer made that no order owns, never given back
    ledger.platform["naverpay"].append(
        {
            "paymentId": "NP1",
            "merchantPayKey": "tx9",
            "amount": 1000,
            "approvals": 1,
            "refunded_amount": 0,
            "refunds": 0,
        }
    )

    assert HELD_CHECK in _failed(ledger, drive)


def test_a_live_order_whose_money_the_platform_gave_back_fails_the_held_money_check() -> None:
    ledger, drive = _balanced()
    ledger.orders[1]["state"] = "CONFIRMED"

    assert HELD_CHECK in _failed(ledger, drive)
