"""The composition root: the only module that knows every concrete class.

settings -> engine / session factory -> httpx client -> platform adapters -> use-cases -> app
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dependency_injector import containers, providers
from litestar import Litestar

from adapters.config import Settings
from adapters.inbound.callbacks.return_urls import HttpReturnUrls
from adapters.inbound.http.app import create_http_app
from adapters.inbound.http.idempotent_orders import IdempotentPlaceOrder
from adapters.inbound.http.identity import Authenticator
from adapters.outbound.alerts import LoggingAlerts
from adapters.outbound.events.rabbitmq import RabbitMqPublisher, message_body
from adapters.outbound.payments.http_clients import PlatformHttpClients
from adapters.outbound.payments.kakaopay import KakaoPayConfig, KakaoPayGateway
from adapters.outbound.payments.naverpay import NaverPayConfig, NaverPayGateway
from adapters.outbound.payments.openbanking import OpenBankingConfig, OpenBankingGateway
from adapters.outbound.payments.registry import GatewayRegistry
from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.idempotency_store import SqlaIdempotencyStore
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.migrations_runner import migrate
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from adapters.outbound.system import SystemClock, UuidIds
from application.abandon_payment import AbandonPayment
from application.approve_payment import ApprovePayment
from application.catalog import AddProduct, RegisterUser
from application.confirm_purchase import ConfirmPurchase
from application.expire_group import ExpireGroup
from application.match_group import MatchGroup
from application.place_order import PlaceOrder
from application.queries import (
    GetProduct,
    GroupConfirmationStatus,
    ListProductBuyers,
    ListUserOrders,
)
from application.reconcile_payments import ReconcilePayments
from application.refund_payment import RefundPayment
from application.refund_unmatched import RefundUnmatchedOrders
from application.relay_events import RelayEvents
from application.resolve_payment import ResolvePayment
from application.settings import PaymentPolicy
from sandbox.config import SandboxConfig


def _policy(settings: Settings) -> PaymentPolicy:
    after = timedelta(seconds=settings.reconcile_after_s)
    return PaymentPolicy(
        lease=after,
        reconcile_after=after,
        abandon_after=timedelta(seconds=settings.abandon_after_s),
        refund_retry_base=timedelta(seconds=settings.refund_retry_base_s),
        refund_retry_max=timedelta(seconds=settings.refund_retry_max_s),
        refund_alert_after=timedelta(seconds=settings.refund_alert_after_s),
        unmatched_refund_after=timedelta(seconds=settings.unmatched_refund_after_s),
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    engine = providers.Singleton(
        create_engine, settings.provided.database_url, pool_size=settings.provided.db_pool_size
    )
    sessions = providers.Singleton(session_factory, engine)
    uow = providers.Singleton(SqlaUnitOfWorkFactory, sessions)
    idempotency_store = providers.Singleton(SqlaIdempotencyStore, sessions)

    # One pooled client per platform; `http_client().aclose()` closes them all.
    http_client = providers.Singleton(PlatformHttpClients, settings.provided.http_pool_size)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIds)
    policy = providers.Singleton(_policy, settings)
    return_urls = providers.Singleton(HttpReturnUrls, settings.provided.public_base_url)
    authenticator = providers.Singleton(
        Authenticator, settings.provided.auth_mode, settings.provided.jwt_secret
    )

    kakaopay = providers.Singleton(
        KakaoPayGateway,
        config=providers.Factory(
            KakaoPayConfig,
            base_url=settings.provided.kakaopay_base_url,
            secret_key=settings.provided.kakaopay_secret_key,
            cid=settings.provided.kakaopay_cid,
            timeout_s=settings.provided.platform_timeout_s,
        ),
        http=http_client.provided.kakaopay,
    )
    naverpay = providers.Singleton(
        NaverPayGateway,
        config=providers.Factory(
            NaverPayConfig,
            base_url=settings.provided.naverpay_base_url,
            partner_id=settings.provided.naverpay_partner_id,
            client_id=settings.provided.naverpay_client_id,
            client_secret=settings.provided.naverpay_client_secret,
            chain_id=settings.provided.naverpay_chain_id,
            timeout_s=settings.provided.platform_timeout_s,
            mode=settings.provided.naverpay_mode,
            checkout_page_url=settings.provided.naver_checkout_page_url,
        ),
        http=http_client.provided.naverpay,
    )
    openbanking = providers.Singleton(
        OpenBankingGateway,
        config=providers.Factory(
            OpenBankingConfig,
            base_url=settings.provided.openbanking_base_url,
            client_id=settings.provided.openbanking_client_id,
            client_secret=settings.provided.openbanking_client_secret,
            institution_code=settings.provided.openbanking_institution_code,
            contract_account_num=settings.provided.openbanking_contract_account_num,
            recv_client_name=settings.provided.openbanking_recv_client_name,
            recv_client_bank_code=settings.provided.openbanking_recv_client_bank_code,
            recv_client_account_num=settings.provided.openbanking_recv_client_account_num,
            timeout_s=settings.provided.platform_timeout_s,
        ),
        http=http_client.provided.openbanking,
    )
    tosspayments = providers.Singleton(
        TossPaymentsGateway,
        config=providers.Factory(
            TossPaymentsConfig,
            base_url=settings.provided.tosspayments_base_url,
            secret_key=settings.provided.tosspayments_secret_key,
            client_key=settings.provided.tosspayments_client_key,
            timeout_s=settings.provided.platform_timeout_s,
            checkout_page_url=settings.provided.toss_checkout_page_url,
        ),
        http=http_client.provided.tosspayments,
    )
    gateways = providers.Singleton(GatewayRegistry, kakaopay, naverpay, openbanking, tosspayments)

    refund_payment = providers.Factory(RefundPayment, uow, gateways, clock, ids, policy)
    place_order = providers.Factory(
        PlaceOrder, uow, gateways, return_urls, clock, ids, refund_payment
    )
    idempotent_place_order = providers.Factory(
        IdempotentPlaceOrder,
        place_order,
        idempotency_store,
        clock,
        providers.Factory(timedelta, seconds=settings.provided.idempotency_ttl_s),
    )
    approve_payment = providers.Factory(
        ApprovePayment, uow, gateways, clock, ids, policy, refund_payment
    )
    abandon_payment = providers.Factory(AbandonPayment, uow, gateways, clock)
    match_group = providers.Factory(MatchGroup, uow, clock)
    expire_group = providers.Factory(ExpireGroup, uow, clock, refund_payment, policy)
    confirm_purchase = providers.Factory(ConfirmPurchase, uow, clock)
    group_status = providers.Factory(GroupConfirmationStatus, uow)
    list_user_orders = providers.Factory(ListUserOrders, uow)
    list_product_buyers = providers.Factory(ListProductBuyers, uow)
    register_user = providers.Factory(RegisterUser, uow, clock)
    add_product = providers.Factory(AddProduct, uow, clock)
    get_product = providers.Factory(GetProduct, uow)

    alerts = providers.Singleton(LoggingAlerts)
    event_publisher = providers.Singleton(
        lambda url: RabbitMqPublisher(url) if url else None, settings.provided.rabbitmq_url
    )
    resolve_payment = providers.Factory(ResolvePayment, uow, gateways, clock, refund_payment)
    reconcile_payments = providers.Factory(
        ReconcilePayments, uow, clock, policy, resolve_payment, refund_payment, alerts
    )
    refund_unmatched_orders = providers.Factory(
        RefundUnmatchedOrders, uow, clock, policy, refund_payment
    )
    relay_events = providers.Factory(RelayEvents, uow, event_publisher, clock)


def build_container(settings: Settings | None = None) -> Container:
    start_mappers()
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container


def create_app(container: Container, extra_handlers: list[Any] | None = None) -> Litestar:
    async def close_resources() -> None:
        await container.http_client().aclose()
        await container.engine().dispose()

    return create_http_app(container, extra_handlers, on_shutdown=[close_resources])


def migrate_database(settings: Settings) -> None:
    """Applies the Alembic migrations; call before the event loop starts."""
    migrate(settings.database_url)


def event_json(event: Any) -> dict[str, Any]:
    """An outbox event as consumers receive it from RabbitMQ."""
    return message_body(event)


def sandbox_config(settings: Settings) -> SandboxConfig:
    """The emulators accept exactly the credentials the adapters are configured with."""
    return SandboxConfig(
        kakaopay_secret_key=settings.kakaopay_secret_key or "",
        naverpay_partner_id=settings.naverpay_partner_id or "",
        naverpay_client_id=settings.naverpay_client_id or "",
        naverpay_client_secret=settings.naverpay_client_secret or "",
        naverpay_chain_id=settings.naverpay_chain_id or "",
        openbanking_client_id=settings.openbanking_client_id or "",
        openbanking_client_secret=settings.openbanking_client_secret or "",
        openbanking_institution_code=settings.openbanking_institution_code or "",
        tosspayments_secret_key=settings.tosspayments_secret_key or "",
    )
