"""Configuration from the environment (prefix GONGGU_), as DESIGN.md's table says."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.platform_settings import (
    LIVE_BASE_URLS,
    PLATFORM_MODELS,
    SANDBOX_KAKAOPAY_SECRET_KEY,
    SANDBOX_NAVERPAY,
    SANDBOX_OPENBANKING,
    SANDBOX_TOSSPAYMENTS_SECRET_KEY,
    KakaoPaySettings,
    NaverPaySettings,
    OpenBankingSettings,
    PlatformSettings,
    TossPaymentsSettings,
)
from domain.errors import InvalidInput
from domain.pay_type import PayType

__all__ = [
    "LIVE_BASE_URLS",
    "SANDBOX_KAKAOPAY_SECRET_KEY",
    "SANDBOX_NAVERPAY",
    "SANDBOX_OPENBANKING",
    "SANDBOX_TOSSPAYMENTS_SECRET_KEY",
    "Settings",
]

SANDBOX_PORT_OFFSET = 1
PLATFORM_FIELDS = tuple(model.name for model in PLATFORM_MODELS)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GONGGU_",
        extra="ignore",
        # GONGGU_KAKAOPAY_SECRET_KEY -> kakaopay.secret_key (split once, after the platform)
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./gonggu.db"
    public_base_url: str = "http://127.0.0.1:8000"
    shop_url: str = "http://127.0.0.1:3000/"
    """Where the shopper's result pages link back to (the shop's front end)."""
    auth_mode: Literal["test", "jwt"] | None = None
    jwt_secret: str | None = None
    jwt_max_lifetime_s: float = Field(default=24 * 3600.0, gt=0)
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    service_token: str | None = None
    payments_mode: Literal["sandbox", "live"] | None = None
    sandbox_url: str | None = None
    platform_timeout_s: float = Field(default=10.0, gt=0)
    """Seconds per platform call unless GONGGU_{PLATFORM}_TIMEOUT_S says otherwise."""

    platforms: Annotated[tuple[PayType, ...] | None, NoDecode] = None
    """GONGGU_PLATFORMS: the payTypes a shop has contracts for, comma-separated; unset, all
    four in development (production must name them)."""
    kakaopay: KakaoPaySettings = Field(default_factory=KakaoPaySettings)
    naverpay: NaverPaySettings = Field(default_factory=NaverPaySettings)
    openbanking: OpenBankingSettings = Field(default_factory=OpenBankingSettings)
    tosspayments: TossPaymentsSettings = Field(default_factory=TossPaymentsSettings)

    rabbitmq_url: str | None = None
    log_format: Literal["json", "text"] = "json"
    reconcile_after_s: float = 60.0
    abandon_after_s: float = 1800.0
    refund_retry_base_s: float = 5.0
    refund_retry_max_s: float = 1800.0
    refund_alert_after_s: float = 3600.0
    unmatched_refund_after_s: float = 7 * 24 * 3600.0
    idempotency_ttl_s: float = 24 * 3600.0
    idempotency_lease_s: float = Field(default=60.0, gt=0)
    # What `gonggu serve` tells uvicorn (adapters/inbound/server_limits.py).
    server_limit_concurrency: int = Field(default=1000, ge=1)
    server_timeout_keep_alive_s: int = Field(default=5, ge=1)
    server_max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    server_backlog: int = Field(default=2048, ge=1)
    server_timeout_graceful_shutdown_s: int = Field(default=10, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _nest_flat_platform_fields(cls, data: Any) -> Any:
        """`Settings(kakaopay_cid="...")` sets `kakaopay.cid`, as GONGGU_KAKAOPAY_CID does."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in [k for k in data if isinstance(k, str)]:
            platform, _, field = key.partition("_")
            if platform in PLATFORM_FIELDS and field:
                nested = data.get(platform)
                nested = dict(nested) if isinstance(nested, dict) else {}
                nested[field] = data.pop(key)
                data[platform] = nested
        return data

    @field_validator("platforms", mode="before")
    @classmethod
    def _parse_platforms(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return tuple(PayType.parse(p) for p in value.split(",") if p.strip())
            except InvalidInput as exc:
                raise ValueError(str(exc)) from None
        return value

    # Performance (README "Performance"): per process, so `serve --workers N` opens N pools.
    db_pool_size: int = Field(default=16, ge=1, le=500)
    http_pool_size: int = Field(default=32, ge=1, le=1000)
    log_requests: bool | None = None  # access log and httpx lines; default: development only

    @model_validator(mode="after")
    def _fill_mode_defaults(self) -> Settings:
        production = self.env == "production"
        if self.auth_mode is None:
            self.auth_mode = "jwt" if production else "test"
        if self.payments_mode is None:
            self.payments_mode = "live" if production else "sandbox"
        if self.payments_mode == "sandbox":
            root = (self.sandbox_url or self.default_sandbox_url()).rstrip("/")
            self.sandbox_url = root
            for platform in self.platform_settings():
                platform.fill_sandbox(root)
        else:
            for platform in self.platform_settings():
                platform.fill_live()
        from adapters.config_check import problems

        found = problems(self)
        if found:
            raise ValueError("\n".join(found))
        return self

    def platform_settings(self) -> tuple[PlatformSettings, ...]:
        return (self.kakaopay, self.naverpay, self.openbanking, self.tosspayments)

    @property
    def enabled_platforms(self) -> tuple[PayType, ...]:
        """The payTypes orders may be placed with: GONGGU_PLATFORMS, or every platform."""
        if self.platforms is None:
            return tuple(model.pay_type for model in PLATFORM_MODELS)
        return tuple(dict.fromkeys(self.platforms))

    def enabled_settings(self) -> tuple[PlatformSettings, ...]:
        return tuple(p for p in self.platform_settings() if p.pay_type in self.enabled_platforms)

    def timeout_of(self, platform: PlatformSettings) -> float:
        return platform.timeout_s or self.platform_timeout_s

    @property
    def requests_logged(self) -> bool:
        """A log line per request and per platform call costs CPU: on in development only."""
        return self.env == "development" if self.log_requests is None else self.log_requests

    @property
    def toss_checkout_page_url(self) -> str:
        """In sandbox mode, the emulator's widget page that stands in for Toss's widget."""
        if self.payments_mode != "sandbox":
            return ""
        return f"{self.tosspayments.base_url}/widget/checkout"

    @property
    def naver_checkout_page_url(self) -> str:
        """In sandbox mode, the emulator's page that stands in for NaverPay's SDK window."""
        if self.payments_mode != "sandbox":
            return ""
        return f"{self.naverpay.base_url}/sdk/checkout"

    def default_sandbox_url(self) -> str:
        """The emulators listen one port above the service unless GONGGU_SANDBOX_URL says."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.public_base_url)
        port = (parts.port or 8000) + SANDBOX_PORT_OFFSET
        return f"{parts.scheme}://{parts.hostname}:{port}"
