"""One SQLAlchemy repository per port of `domain.ports.repositories`."""

from adapters.outbound.persistence.repositories.attempts import SqlaAttemptRepository
from adapters.outbound.persistence.repositories.groups import SqlaGroupRepository
from adapters.outbound.persistence.repositories.orders import SqlaOrderRepository
from adapters.outbound.persistence.repositories.orphans import SqlaOrphanRepository
from adapters.outbound.persistence.repositories.outbox import SqlaOutbox
from adapters.outbound.persistence.repositories.payments import SqlaPaymentRepository
from adapters.outbound.persistence.repositories.products import SqlaProductRepository
from adapters.outbound.persistence.repositories.users import SqlaUserRepository

__all__ = [
    "SqlaAttemptRepository",
    "SqlaGroupRepository",
    "SqlaOrderRepository",
    "SqlaOrphanRepository",
    "SqlaOutbox",
    "SqlaPaymentRepository",
    "SqlaProductRepository",
    "SqlaUserRepository",
]
