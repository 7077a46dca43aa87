"""The schema: one table per entity, plus the outbox and the idempotency records.

Money is BIGINT won, timestamps are `EpochMillis`, enums are VARCHAR(32) holding the value.
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy import Enum as SqlEnum

from adapters.outbound.persistence.column_types import EpochMillis, Id
from domain.group import GroupState
from domain.order import OrderState
from domain.orphan import OrphanState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.idempotency import RecordState

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def enum_column(enum: type[Enum]) -> SqlEnum:
    """A portable enum: VARCHAR(32) holding the member's value, no CHECK, no native type."""
    return SqlEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    sqlite_autoincrement=True,
)

products = Table(
    "products",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    sqlite_autoincrement=True,
)

product_options = Table(
    "product_options",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "product_id",
        BigInteger,
        ForeignKey("products.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", String(200), nullable=False),
    Column("extra_price", BigInteger, nullable=False),
    sqlite_autoincrement=True,
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=False),
    # 0 means "no option", so this is not a foreign key.
    Column("product_option_id", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("min_share", Integer, nullable=False),
    Column("max_share", Integer, nullable=False),
    Column("trans_amount", BigInteger, nullable=False),
    Column("pay_type", enum_column(PayType), nullable=False),
    Column("transaction_id", String(64), nullable=False, unique=True),
    # Members join a group before the group row is written in the same flush: no foreign key.
    Column("group_id", BigInteger, nullable=True),
    Column("state", enum_column(OrderState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Index("ix_orders_user_newest", "user_id", "created_at", "id"),
    Index("ix_orders_group_id", "group_id"),
    Index("ix_orders_product_state", "product_id", "state"),
    Index("ix_orders_state_updated", "state", "updated_at"),
    sqlite_autoincrement=True,
)

payments = Table(
    "payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False, unique=True),
    Column("platform", enum_column(PayType), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("state", enum_column(PaymentState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("platform_tx_id", String(200), nullable=True),
    Column("payer_ref", String(200), nullable=True),
    Column("approved_amount", BigInteger, nullable=False),
    Column("refunded_amount", BigInteger, nullable=False),
    Column("approved_at", EpochMillis, nullable=True),
    Column("cancelled_at", EpochMillis, nullable=True),
    Column("raw_response", Text, nullable=True),
    Column("refund_failures", Integer, nullable=False),
    Column("next_retry_at", EpochMillis, nullable=True),
    Index("ix_payments_state_updated", "state", "updated_at"),
    Index("ix_payments_state_retry", "state", "next_retry_at"),
    # Who holds a platform payment (an orphan is money no order's payment holds).
    Index("ix_payments_platform_tx", "platform", "platform_tx_id"),
    sqlite_autoincrement=True,
)

payment_attempts = Table(
    "payment_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("payment_id", BigInteger, ForeignKey("payments.id"), nullable=False),
    Column("operation", enum_column(Operation), nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("state", enum_column(AttemptState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("tries", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Index("ix_payment_attempts_payment_operation", "payment_id", "operation"),
    sqlite_autoincrement=True,
)

orphan_payments = Table(
    "orphan_payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False, index=True),
    Column("platform", enum_column(PayType), nullable=False),
    Column("platform_tx_id", String(200), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", enum_column(OrphanState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("merchant_ref", String(200), nullable=True),
    Column("payer_ref", String(200), nullable=True),
    Column("refunded_amount", BigInteger, nullable=False),
    Column("attempt_id", BigInteger, ForeignKey("payment_attempts.id"), nullable=True),
    Column("refund_failures", Integer, nullable=False),
    Column("next_retry_at", EpochMillis, nullable=True),
    Column("raw_response", Text, nullable=True),
    # One orphan per platform payment: finding the same stray money twice records it once.
    Index("uq_orphan_payments_platform_tx", "platform", "platform_tx_id", unique=True),
    Index("ix_orphan_payments_state_retry", "state", "next_retry_at"),
    sqlite_autoincrement=True,
)

groups = Table(
    "groups",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=False),
    Column("size", Integer, nullable=False),
    Column("state", enum_column(GroupState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("occurred_at", EpochMillis, nullable=False),
    Column("data", Text, nullable=False),
    Column("published_at", EpochMillis, nullable=True),
    sqlite_autoincrement=True,
)
# Only unpublished events are ever scanned by the relay; a partial index stays small.
Index(
    "ix_outbox_events_unpublished",
    outbox_events.c.id,
    postgresql_where=outbox_events.c.published_at.is_(None),
    sqlite_where=outbox_events.c.published_at.is_(None),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(128), nullable=False),
    Column("state", enum_column(RecordState), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("expires_at", EpochMillis, nullable=False, index=True),
    Column("response_status", Integer, nullable=True),
    Column("response_body", Text, nullable=True),
    # The lease of the request holding an IN_PROGRESS key (NULL: free to take over) and the
    # transactionId reserved for the order it places (revision 0003).
    Column("locked_at", EpochMillis, nullable=True),
    Column("transaction_id", String(64), nullable=True),
)
