"""The initial schema.

Frozen: later schema changes are new revisions, never edits of this one. Timestamps are BIGINT
epoch milliseconds and enums VARCHAR(32), as `tables.py` declares them.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _millis(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _enum(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        _millis("created_at"),
        _millis("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "products",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        _millis("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "product_options",
        _id(),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("extra_price", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_product_options"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_product_options_product_id_products",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_product_options_product_id", "product_options", ["product_id"])
    op.create_table(
        "orders",
        _id(),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("product_option_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("min_share", sa.Integer(), nullable=False),
        sa.Column("max_share", sa.Integer(), nullable=False),
        sa.Column("trans_amount", sa.BigInteger(), nullable=False),
        _enum("pay_type"),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("group_id", sa.BigInteger(), nullable=True),
        _enum("state"),
        _millis("created_at"),
        _millis("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_orders_user_id_users"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_orders_product_id_products"
        ),
        sa.UniqueConstraint("transaction_id", name="uq_orders_transaction_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_orders_user_newest", "orders", ["user_id", "created_at", "id"])
    op.create_index("ix_orders_group_id", "orders", ["group_id"])
    op.create_index("ix_orders_product_state", "orders", ["product_id", "state"])
    op.create_index("ix_orders_state_updated", "orders", ["state", "updated_at"])
    op.create_table(
        "payments",
        _id(),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        _enum("platform"),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _enum("state"),
        _millis("created_at"),
        _millis("updated_at"),
        sa.Column("platform_tx_id", sa.String(200), nullable=True),
        sa.Column("payer_ref", sa.String(200), nullable=True),
        sa.Column("approved_amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        _millis("approved_at", nullable=True),
        _millis("cancelled_at", nullable=True),
        sa.Column("raw_response", sa.Text(), nullable=True),
        sa.Column("refund_failures", sa.Integer(), nullable=False),
        _millis("next_retry_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
        sa.UniqueConstraint("order_id", name="uq_payments_order_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payments_state_updated", "payments", ["state", "updated_at"])
    op.create_index("ix_payments_state_retry", "payments", ["state", "next_retry_at"])
    op.create_table(
        "payment_attempts",
        _id(),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        _enum("operation"),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        _enum("state"),
        _millis("created_at"),
        _millis("updated_at"),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_attempts"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_payment_attempts_payment_id_payments"
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_payment_attempts_idempotency_key"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_payment_attempts_payment_operation", "payment_attempts", ["payment_id", "operation"]
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _enum("state"),
        _millis("created_at"),
        _millis("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_groups_product_id_products"
        ),
    )
    op.create_table(
        "outbox_events",
        _id(),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        _millis("occurred_at"),
        sa.Column("data", sa.Text(), nullable=False),
        _millis("published_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
        sa.UniqueConstraint("event_id", name="uq_outbox_events_event_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_outbox_events_unpublished",
        "outbox_events",
        ["id"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(128), nullable=False),
        _enum("state"),
        _millis("created_at"),
        _millis("expires_at"),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_records"),
    )
    op.create_index("ix_idempotency_records_expires_at", "idempotency_records", ["expires_at"])


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_table("outbox_events")
    op.drop_table("groups")
    op.drop_table("payment_attempts")
    op.drop_table("payments")
    op.drop_table("orders")
    op.drop_table("product_options")
    op.drop_table("products")
    op.drop_table("users")
