"""Idempotency keys that recover: a lease on an in-progress claim and the order it reserved.

`locked_at` is when the current holder took the key (NULL: nobody holds it, a retry may take
it over at once); `transaction_id` is the transactionId reserved for the order the request
places, so that a retry finds the order a crashed holder committed instead of placing another.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records") as table:
        table.add_column(sa.Column("locked_at", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("transaction_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records") as table:
        table.drop_column("transaction_id")
        table.drop_column("locked_at")
