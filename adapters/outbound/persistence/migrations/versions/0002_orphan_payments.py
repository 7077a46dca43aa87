"""Orphan payments: money a platform took that no order owns, kept until it is refunded.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orphan_payments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("platform_tx_id", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("merchant_ref", sa.String(200), nullable=True),
        sa.Column("payer_ref", sa.String(200), nullable=True),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("attempt_id", sa.BigInteger(), nullable=True),
        sa.Column("refund_failures", sa.Integer(), nullable=False),
        sa.Column("next_retry_at", sa.BigInteger(), nullable=True),
        sa.Column("raw_response", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orphan_payments"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_orphan_payments_order_id_orders"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name="fk_orphan_payments_attempt_id_payment_attempts",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_orphan_payments_order_id", "orphan_payments", ["order_id"])
    op.create_index(
        "uq_orphan_payments_platform_tx",
        "orphan_payments",
        ["platform", "platform_tx_id"],
        unique=True,
    )
    op.create_index("ix_orphan_payments_state_retry", "orphan_payments", ["state", "next_retry_at"])


def downgrade() -> None:
    op.drop_table("orphan_payments")
