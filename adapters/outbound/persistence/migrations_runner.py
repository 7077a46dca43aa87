"""Runs the Alembic history programmatically, without an alembic.ini."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for `database_url`, built in code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Handed over as an attribute: a URL in the ini-style options would need %-escaping.
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str) -> None:
    """Upgrades the database to the newest schema; does nothing when it is already there.

    Synchronous, and it runs its own event loop: call it before the application's loop
    starts, or from inside one through `asyncio.to_thread(migrate, url)`.
    """
    if _loop_running():
        raise RuntimeError(
            "migrate() runs its own event loop and cannot be called from a running event loop; "
            "use `await asyncio.to_thread(migrate, url)`"
        )
    command.upgrade(alembic_config(database_url), "head")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
