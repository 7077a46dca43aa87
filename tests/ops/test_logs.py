"""Log lines are JSON objects with the request id and, for business events, the order's ids;
no secret, token or account number gets through."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from adapters.observability.logs import configure_logging
from tests.e2e.shop import Shop


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("json")

    def lines() -> list[dict[str, Any]]:
        out = capsys.readouterr().err
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    try:
        yield lines
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()


def test_a_paid_order_logs_json_lines_with_its_ids_and_the_request_id(
    shop: Shop, json_logs: Any
) -> None:
    user, product = shop.user(), shop.product()
    placed = shop.order(user, product["id"], headers={"X-Request-ID": "shop-req-42"})
    assert placed.headers["x-request-id"] == "shop-req-42"
    data = placed.json()["data"]
    assert shop.pay("KAKAO_PAY", data).status_code == 200

    lines = json_logs()
    assert lines, "nothing was logged"
    for line in lines:
        assert {"timestamp", "level", "event"} <= line.keys(), line
    [placed_line] = [line for line in lines if line["event"] == "order placed"]
    assert placed_line["requestId"] == "shop-req-42"
    assert placed_line["orderId"] == data["orderId"]
    assert placed_line["transactionId"] == data["transactionId"]
    assert placed_line["platform"] == "KAKAO_PAY"
    assert placed_line["level"] == "info"
    [paid_line] = [line for line in lines if line["event"] == "order paid"]
    assert paid_line["orderId"] == data["orderId"]
    assert paid_line["requestId"] not in (None, "shop-req-42")  # another request: another id


def test_a_request_without_a_usable_id_gets_a_fresh_one(shop: Shop) -> None:
    plain = shop.client.get("/health/live")
    forged = shop.client.get("/health/live", headers={"X-Request-ID": "a b<" + "x" * 200})
    assert len(plain.headers["x-request-id"]) == 32
    assert forged.headers["x-request-id"] not in ("", "a b<" + "x" * 200)
    assert plain.headers["x-request-id"] != forged.headers["x-request-id"]


def test_secrets_tokens_and_account_numbers_never_reach_a_line(json_logs: Any) -> None:
    log = structlog.get_logger("gonggu.test")
    log.info("withdrawal", accessToken="eyJsecret.token", fintechUseNum="199003321057541234567890")
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.INFO)  # a test server elsewhere in the session set it to WARNING
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/api/v1/order/transaction/done/KAKAO_PAY/tx-1?pg_token=PGTOKEN123secret",
        "1.1",
        200,
    )
    logging.getLogger("httpx").info("HTTP Request: POST %s", "http://kakao/ready")
    logging.getLogger("gonggu.payments").info(
        "paid from account 1234567890123 with Authorization: SECRET_KEY DEVKEY99",
        extra={"client_secret": "np-secret"},
    )
    out = json.dumps(json_logs())
    for secret in ("eyJsecret", "PGTOKEN123secret", "1234567890123", "DEVKEY99", "np-secret"):
        assert secret not in out
    assert "*********0123" in out  # the last four digits stay, to tell accounts apart
    assert "199003321057541234567890" not in out
    assert '"logger": "uvicorn.access"' in out and '"logger": "httpx"' in out


def test_text_format_is_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("text")
        logging.getLogger("gonggu").info("hello %s", "operator", extra={"orderId": 7})
        out = capsys.readouterr().err.strip()
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()
    assert "hello operator" in out and "orderId=7" in out
    assert not out.startswith("{")
