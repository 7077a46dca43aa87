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
from adapters.inbound.http.identity import Authenticator, TokenRules
from adapters.observability.business import BusinessEvents
from adapters.outbound.alerts import LoggingAlerts
from adapters.outbound.events.rabbitmq import RabbitMqPublisher, message_body
from adapters.outbound.payments.http_clients import PlatformHttpClients
from adapters.outbound.payments.instrumented import InstrumentedGateway
from adapters.outbound.payments.kakaopay import KakaoPayConfig, KakaoPayGateway
from adapters.outbound.payments.naverpay import NaverPayConfig, NaverPayGateway
from adapters.outbound.payments.openbanking import OpenBankingConfig, OpenBankingGateway
from adapters.outbound.payments.registry import GatewayRegistry
from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.idempotency_store import SqlaIdempotencyStore
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.migrations_runner import migrate
from adapters.outbound.persistence.observed_unit_of_work import ObservedUnitOfWorkFactory
from adapters.outbound.persistence.operator_queries import SqlaOperatorQueries
from adapters.outbound.persistence.reads import SqlaOrderReads
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from adapters.outbound.readiness import Readiness
from adapters.outbound.system import SystemClock, UuidIds
from application.abandon_payment import AbandonPayment
from application.approve_payment import ApprovePayment
from application.cancel_order import CancelOrder
from application.catalog import AddProduct, RegisterUser
from application.confirm_purchase import ConfirmPurchase
from application.expire_group import ExpireGroup
from application.follow_ups import payment_core
from application.match_group import MatchGroup
from application.place_order import PlaceOrder
from application.placement_status import PlacementStatus
from application.queries import (
    GetGroup,
    GetOrder,
    GetOrderByTransaction,
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
from domain.ports.payment_gateway import PaymentGateway
from sandbox.config import SandboxConfig, toss_sandbox_keys


def kakaopay_config(settings: Settings) -> KakaoPayConfig:
    kakao = settings.kakaopay
    return KakaoPayConfig(
        base_url=kakao.base_url or "",
        secret_key=kakao.secret_key or "",
        cid=kakao.cid or "",
        timeout_s=settings.timeout_of(kakao),
    )


def naverpay_config(settings: Settings) -> NaverPayConfig:
    naver = settings.naverpay
    return NaverPayConfig(
        base_url=naver.base_url or "",
        partner_id=naver.partner_id or "",
        client_id=naver.client_id or "",
        client_secret=naver.client_secret or "",
        chain_id=naver.chain_id or "",
        timeout_s=settings.timeout_of(naver),
        apply_timeout_s=naver.apply_timeout_s,
        mode=naver.mode or "production",
        checkout_page_url=settings.naver_checkout_page_url,
    )


def openbanking_config(settings: Settings) -> OpenBankingConfig:
    bank = settings.openbanking
    return OpenBankingConfig(
        base_url=bank.base_url or "",
        client_id=bank.client_id or "",
        client_secret=bank.client_secret or "",
        institution_code=bank.institution_code or "",
        contract_account_num=bank.contract_account_num or "",
        recv_client_name=bank.recv_client_name or "",
        recv_client_bank_code=bank.recv_client_bank_code or "",
        recv_client_account_num=bank.recv_client_account_num or "",
        wd_pass_phrase=bank.wd_pass_phrase or "",
        withdraw_purpose=bank.withdraw_purpose,
        deposit_purpose=bank.deposit_purpose,
        req_client_name=bank.req_client_name or bank.recv_client_name or "",
        timeout_s=settings.timeout_of(bank),
    )


def tosspayments_config(settings: Settings) -> TossPaymentsConfig:
    toss = settings.tosspayments
    return TossPaymentsConfig(
        base_url=toss.base_url or "",
        secret_key=toss.secret_key or "",
        client_key=toss.client_key or "",
        integration=toss.integration,
        timeout_s=settings.timeout_of(toss),
        checkout_page_url=settings.toss_checkout_page_url,
    )


def enabled_gateways(settings: Settings, *gateways: PaymentGateway) -> GatewayRegistry:
    """Only the platforms of GONGGU_PLATFORMS take orders (or refunds), each behind the
    decorator that measures its calls."""
    enabled = set(settings.enabled_platforms)
    return GatewayRegistry(*(InstrumentedGateway(g) for g in gateways if g.pay_type in enabled))


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
    business_events = providers.Singleton(BusinessEvents)
    plain_uow = providers.Singleton(SqlaUnitOfWorkFactory, sessions)
    # Metrics and business log lines come from the events each commit made durable.
    uow = providers.Singleton(
        ObservedUnitOfWorkFactory, plain_uow, business_events.provided.committed
    )
    idempotency_store = providers.Singleton(
        SqlaIdempotencyStore,
        sessions,
        providers.Factory(timedelta, seconds=settings.provided.idempotency_lease_s),
    )
    order_reads = providers.Singleton(SqlaOrderReads, sessions)

    # One pooled client per platform; `http_client().aclose()` closes them all.
    http_client = providers.Singleton(PlatformHttpClients, settings.provided.http_pool_size)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIds)
    policy = providers.Singleton(_policy, settings)
    return_urls = providers.Singleton(HttpReturnUrls, settings.provided.public_base_url)
    authenticator = providers.Singleton(
        Authenticator,
        settings.provided.auth_mode,
        settings.provided.jwt_secret,
        providers.Factory(
            TokenRules,
            max_lifetime_s=settings.provided.jwt_max_lifetime_s,
            issuer=settings.provided.jwt_issuer,
            audience=settings.provided.jwt_audience,
        ),
    )

    kakaopay = providers.Singleton(
        KakaoPayGateway,
        config=providers.Factory(kakaopay_config, settings),
        http=http_client.provided.kakaopay,
    )
    naverpay = providers.Singleton(
        NaverPayGateway,
        config=providers.Factory(naverpay_config, settings),
        http=http_client.provided.naverpay,
    )
    openbanking = providers.Singleton(
        OpenBankingGateway,
        config=providers.Factory(openbanking_config, settings),
        http=http_client.provided.openbanking,
    )
    tosspayments = providers.Singleton(
        TossPaymentsGateway,
        config=providers.Factory(tosspayments_config, settings),
        http=http_client.provided.tosspayments,
    )
    gateways = providers.Singleton(
        enabled_gateways, settings, kakaopay, naverpay, openbanking, tosspayments
    )

    payment_runner = providers.Singleton(payment_core, uow, gateways, clock, ids, policy)
    refund_payment = providers.Factory(RefundPayment, payment_runner)
    place_order = providers.Factory(PlaceOrder, payment_runner, return_urls, ids)
    idempotent_place_order = providers.Factory(
        IdempotentPlaceOrder,
        place_order,
        idempotency_store,
        clock,
        providers.Factory(timedelta, seconds=settings.provided.idempotency_ttl_s),
        providers.Factory(PlacementStatus, uow),
        ids,
        providers.Factory(timedelta, seconds=settings.provided.idempotency_lease_s),
    )
    approve_payment = providers.Factory(ApprovePayment, payment_runner)
    abandon_payment = providers.Factory(AbandonPayment, payment_runner)
    match_group = providers.Factory(MatchGroup, uow, clock)
    expire_group = providers.Factory(ExpireGroup, uow, clock, refund_payment, policy)
    confirm_purchase = providers.Factory(ConfirmPurchase, uow, clock)
    group_status = providers.Factory(GroupConfirmationStatus, uow)
    list_user_orders = providers.Factory(ListUserOrders, uow)
    list_product_buyers = providers.Factory(ListProductBuyers, uow)
    register_user = providers.Factory(RegisterUser, uow, clock)
    add_product = providers.Factory(AddProduct, uow, clock)
    get_product = providers.Factory(GetProduct, uow)
    get_order = providers.Factory(GetOrder, order_reads)
    get_group = providers.Factory(GetGroup, order_reads)
    get_order_by_transaction = providers.Factory(GetOrderByTransaction, uow)
    cancel_order = providers.Factory(CancelOrder, uow, clock, refund_payment, policy)

    alerts = providers.Singleton(LoggingAlerts)
    event_publisher = providers.Singleton(
        lambda url: RabbitMqPublisher(url) if url else None, settings.provided.rabbitmq_url
    )
    resolve_payment = providers.Factory(ResolvePayment, payment_runner)
    reconcile_payments = providers.Factory(
        ReconcilePayments,
        uow,
        clock,
        policy,
        resolve_payment,
        refund_payment,
        alerts,
        runner=payment_runner,
    )
    refund_unmatched_orders = providers.Factory(
        RefundUnmatchedOrders, uow, clock, policy, refund_payment
    )
    relay_events = providers.Factory(RelayEvents, uow, event_publisher, clock)

    operator_queries = providers.Singleton(
        SqlaOperatorQueries,
        sessions,
        providers.Factory(timedelta, seconds=settings.provided.refund_alert_after_s),
    )
    readiness = providers.Singleton(
        Readiness, engine, settings.provided.database_url, settings.provided.rabbitmq_url
    )
    # What the console's two buttons run: the worker's own use-cases.
    console_reconcile = resolve_payment
    console_refund = refund_payment


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
    kakao, naver = settings.kakaopay, settings.naverpay
    bank, toss = settings.openbanking, settings.tosspayments
    return SandboxConfig(
        kakaopay_secret_key=kakao.secret_key or "",
        naverpay_partner_id=naver.partner_id or "",
        naverpay_client_id=naver.client_id or "",
        naverpay_client_secret=naver.client_secret or "",
        naverpay_chain_id=naver.chain_id or "",
        openbanking_client_id=bank.client_id or "",
        openbanking_client_secret=bank.client_secret or "",
        openbanking_institution_code=bank.institution_code or "",
        openbanking_wd_pass_phrase=bank.wd_pass_phrase or "",
        tosspayments_keys=toss_sandbox_keys(toss.secret_key, toss.client_key),
    )
