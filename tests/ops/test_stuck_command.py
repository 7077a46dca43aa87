"""`gonggu stuck [--json]` lists every payment waiting on a platform, every refund pending and
every orphan payment, with age, attempts and the last platform error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adapters.config import Settings
from tests.e2e.shop import Shop

# One database is enough for the command's output.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
GONGGU = Path(sys.executable).parent / "gonggu"


def stuck(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env["GONGGU_DATABASE_URL"] = settings.database_url
    env["GONGGU_SANDBOX_URL"] = "http://127.0.0.1:9"
    return subprocess.run(
        [str(GONGGU), "stuck", *args], env=env, capture_output=True, text=True, timeout=60
    )


def make_stuck_money(shop: Shop) -> dict[str, Any]:
    product = shop.product(price=7_000)
    paid = [shop.paid_order(shop.user(n), product["id"], min_share=2) for n in ("kim", "lee")]
    waiting = shop.placed(shop.user("park"), product["id"])
    assert shop.match(5, paid).status_code == 200
    shop.arm("kakaopay", "cancel", "error", times=2, status=400)
    assert shop.expire(5).status_code == 502
    return {"refunds": paid, "waiting": waiting["orderId"]}


@SQLITE_ONLY
def test_stuck_json_lists_waiting_payments_and_pending_refunds(
    shop: Shop, settings: Settings
) -> None:
    made = make_stuck_money(shop)

    done = stuck(settings, "--json")

    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    by_order = {item["orderId"]: item for item in items}
    assert set(by_order) == {*made["refunds"], made["waiting"]}
    refund = by_order[made["refunds"][0]]
    assert refund["kind"] == "refund pending" and refund["state"] == "REFUNDING"
    assert refund["platform"] == "KAKAO_PAY" and refund["amount"] == 7_000
    assert refund["attempts"] >= 1 and refund["lastError"]
    assert refund["ageSeconds"] >= 0 and refund["overdue"] is False
    waiting = by_order[made["waiting"]]
    assert (waiting["kind"], waiting["state"], waiting["lastError"]) == (
        "payment waiting",
        "READY",
        None,
    )


@SQLITE_ONLY
def test_stuck_prints_a_table_and_lists_orphan_payments_being_given_back(
    shop: Shop, settings: Settings
) -> None:
    made = make_stuck_money(shop)
    # Two orphan payments as revision 0002 stores them: one still being refunded (its refund
    # attempt refused by the platform), one already given back.
    path = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        [(attempt_id,)] = db.execute(
            "SELECT id FROM payment_attempts WHERE error IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchall()
        db.execute(
            "UPDATE payment_attempts SET error = 'Toss says: ALREADY_CANCELED_PAYMENT' "
            "WHERE id = ?",
            (attempt_id,),
        )
        for orphan_id, tx, amount, state, attempt in (
            (1, "pk_1", 9900, "REFUNDING", attempt_id),
            (2, "pk_2", 100, "REFUNDED", None),
        ):
            db.execute(
                "INSERT INTO orphan_payments (id, order_id, platform, platform_tx_id, amount, "
                "reason, state, created_at, updated_at, refunded_amount, attempt_id, "
                "refund_failures) VALUES (?, ?, 'TOSS_PAYMENTS', ?, ?, 'another order', ?, "
                "1700000000000, 1700000000000, 0, ?, 3)",
                (orphan_id, made["waiting"], tx, amount, state, attempt),
            )

    table = stuck(settings)
    as_json = json.loads(stuck(settings, "--json").stdout)

    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["what", "order", "platform"]
    assert any(f"#{made['waiting']}" in line and "payment waiting" in line for line in lines)
    assert sum("refund pending" in line for line in lines) == 2
    [orphan_line] = [line for line in lines if "orphan payment" in line]
    assert "TOSS_PAYMENTS" in orphan_line and "9,900" in orphan_line
    assert lines[-1] == "4 stuck"
    [orphan] = [item for item in as_json if item["kind"] == "orphan payment"]
    assert orphan["orphanId"] == 1 and orphan["attempts"] == 3
    assert orphan["orderId"] == made["waiting"] and orphan["state"] == "REFUNDING"
    assert orphan["lastError"] == "Toss says: ALREADY_CANCELED_PAYMENT"


@SQLITE_ONLY
def test_nothing_stuck_says_so(settings: Settings) -> None:
    done = stuck(settings)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("nothing is stuck")
    assert json.loads(stuck(settings, "--json").stdout) == []
