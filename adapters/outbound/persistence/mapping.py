"""Imperative mapping of the domain dataclasses onto `tables`; the domain stays plain Python.

`DomainEvent` is frozen and is not mapped: the outbox writes and reads it with Core.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry, relationship

from adapters.outbound.persistence import tables
from domain.catalog import Product, ProductOption
from domain.group import Group
from domain.order import Order
from domain.orphan import OrphanPayment
from domain.payment import Payment, PaymentAttempt
from domain.user import User

mapper_registry = registry(metadata=tables.metadata)
_started = False


def start_mappers() -> None:
    """Maps every entity once; later calls do nothing. Call it from bootstrap, not at import."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(User, tables.users)
    mapper_registry.map_imperatively(ProductOption, tables.product_options)
    mapper_registry.map_imperatively(
        Product,
        tables.products,
        properties={
            # Async sessions cannot lazy-load: options always come with their product.
            "options": relationship(
                ProductOption,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=tables.product_options.c.id,
            )
        },
    )
    mapper_registry.map_imperatively(Payment, tables.payments)
    mapper_registry.map_imperatively(
        Order,
        tables.orders,
        properties={
            # Loaded (and locked) with the order only where the order is locked to move it;
            # anywhere else touching it is a bug, not a lazy load.
            "payment": relationship(Payment, uselist=False, lazy="raise", cascade="all")
        },
        exclude_properties=["events"],
    )
    mapper_registry.map_imperatively(PaymentAttempt, tables.payment_attempts)
    mapper_registry.map_imperatively(Group, tables.groups, exclude_properties=["events"])
    mapper_registry.map_imperatively(
        OrphanPayment, tables.orphan_payments, exclude_properties=["events"]
    )
    for aggregate in (Order, Group, OrphanPayment):
        # Loading skips __init__: a loaded aggregate starts with no events (cosmicpython).
        event.listen(aggregate, "load", _no_events)
    _started = True


def _no_events(target: Any, _context: Any) -> None:
    target.events = []
