"""`/health/live` answers while the process runs; `/health/ready` only when the database
answers at the newest schema (and RabbitMQ, when configured), 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app


def _get(settings: Settings, path: str) -> Any:
    with TestClient(create_app(build_container(settings))) as client:
        return client.get(path)


def test_live_and_ready_on_a_migrated_database(settings: Settings) -> None:
    assert _get(settings, "/health/live").json()["data"] == {"status": "live"}
    ready = _get(settings, "/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"statusCode": 200, "statusMsg": "success", "data": {"status": "ready"}}


def test_not_ready_when_postgresql_is_unreachable(settings: Settings) -> None:
    # Nothing listens on port 1: as good as a stopped server.
    down = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/gonggu"}
    )
    ready = _get(down, "/health/ready")
    assert ready.status_code == 503, ready.text
    assert ready.json()["statusMsg"].startswith("database unreachable")
    assert _get(down, "/health/live").status_code == 200


def test_not_ready_when_the_sqlite_file_was_deleted(tmp_path: Path, settings: Settings) -> None:
    gone = tmp_path / "deleted.db"
    ready = _get(
        settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{gone}"}), "/health/ready"
    )
    assert ready.status_code == 503
    assert "does not exist" in ready.json()["statusMsg"]
    assert not gone.exists()  # the probe did not create an empty database in its place


def test_not_ready_before_the_migrations_ran(tmp_path: Path, settings: Settings) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    ready = _get(
        settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{empty}"}),
        "/health/ready",
    )
    assert ready.status_code == 503
    assert "not at head" in ready.json()["statusMsg"]
    assert ready.json()["data"]["problems"]


def test_not_ready_when_the_configured_rabbitmq_is_unreachable(settings: Settings) -> None:
    broken = settings.model_copy(update={"rabbitmq_url": "amqp://guest:guest@127.0.0.1:1/"})
    ready = _get(broken, "/health/ready")
    assert ready.status_code == 503
    assert ready.json()["statusMsg"].startswith("RabbitMQ unreachable")
