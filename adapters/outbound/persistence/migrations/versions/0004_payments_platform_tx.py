"""An index to find the order whose payment holds a platform payment id.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_platform_tx", "payments", ["platform", "platform_tx_id"])


def downgrade() -> None:
    op.drop_index("ix_payments_platform_tx", table_name="payments")
