"""Configuration from the environment (prefix GONGGU_), as DESIGN.md's table says."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SANDBOX_PORT_OFFSET = 1

# Credentials the built-in emulators accept; never valid anywhere else.
SANDBOX_KAKAOPAY_SECRET_KEY = "DEVSANDBOXKAKAOPAYSECRETKEY"
SANDBOX_NAVERPAY = {
    "partner_id": "np_sandbox",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
    "chain_id": "sandbox-chain",
}
SANDBOX_OPENBANKING = {
    "client_id": "sandbox-ob-client",
    "client_secret": "sandbox-ob-secret",
    "institution_code": "M202300001",
}
SANDBOX_TOSSPAYMENTS_SECRET_KEY = "test_sk_sandboxGonggu000000000000"

LIVE_BASE_URLS = {
    "kakaopay": "https://open-api.kakaopay.com",
    "naverpay": "https://pay.paygate.naver.com",
    "openbanking": "https://openapi.openbanking.or.kr",
    "tosspayments": "https://api.tosspayments.com",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGGU_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./gonggu.db"
    public_base_url: str = "http://127.0.0.1:8000"
    auth_mode: Literal["test", "jwt"] | None = None
    jwt_secret: str | None = None
    service_token: str | None = None
    payments_mode: Literal["sandbox", "live"] | None = None
    sandbox_url: str | None = None
    platform_timeout_s: float = 10.0

    kakaopay_base_url: str | None = None
    kakaopay_secret_key: str | None = None
    kakaopay_cid: str = "TC0ONETIME"

    naverpay_base_url: str | None = None
    naverpay_partner_id: str | None = None
    naverpay_client_id: str | None = None
    naverpay_client_secret: str | None = None
    naverpay_chain_id: str | None = None

    openbanking_base_url: str | None = None
    openbanking_client_id: str | None = None
    openbanking_client_secret: str | None = None
    openbanking_institution_code: str | None = Field(default=None, min_length=10, max_length=10)
    openbanking_contract_account_num: str = "1234567890123"
    openbanking_recv_client_name: str = "gonggu"
    openbanking_recv_client_bank_code: str = "097"
    openbanking_recv_client_account_num: str = "1234567890123"

    naverpay_mode: Literal["development", "production"] | None = None

    tosspayments_base_url: str | None = None
    tosspayments_secret_key: str | None = None
    tosspayments_client_key: str = ""

    rabbitmq_url: str | None = None
    reconcile_after_s: float = 60.0
    abandon_after_s: float = 1800.0
    refund_retry_base_s: float = 5.0
    refund_retry_max_s: float = 1800.0
    refund_alert_after_s: float = 3600.0
    unmatched_refund_after_s: float = 7 * 24 * 3600.0
    idempotency_ttl_s: float = 24 * 3600.0

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
        if self.naverpay_mode is None:
            self.naverpay_mode = "production" if production else "development"
        if production and self.auth_mode == "test":
            raise ValueError("production refuses to start with GONGGU_AUTH_MODE=test")
        if self.auth_mode == "jwt" and not self.jwt_secret:
            raise ValueError("GONGGU_JWT_SECRET is required when GONGGU_AUTH_MODE=jwt")
        if self.payments_mode == "sandbox":
            self._fill_sandbox_defaults()
        else:
            self.kakaopay_base_url = self.kakaopay_base_url or LIVE_BASE_URLS["kakaopay"]
            self.naverpay_base_url = self.naverpay_base_url or LIVE_BASE_URLS["naverpay"]
            self.openbanking_base_url = self.openbanking_base_url or LIVE_BASE_URLS["openbanking"]
            self.tosspayments_base_url = (
                self.tosspayments_base_url or LIVE_BASE_URLS["tosspayments"]
            )
        return self

    def _fill_sandbox_defaults(self) -> None:
        root = (self.sandbox_url or self.default_sandbox_url()).rstrip("/")
        self.sandbox_url = root
        self.kakaopay_base_url = self.kakaopay_base_url or f"{root}/kakaopay"
        self.kakaopay_secret_key = self.kakaopay_secret_key or SANDBOX_KAKAOPAY_SECRET_KEY
        self.naverpay_base_url = self.naverpay_base_url or f"{root}/naverpay"
        self.naverpay_partner_id = self.naverpay_partner_id or SANDBOX_NAVERPAY["partner_id"]
        self.naverpay_client_id = self.naverpay_client_id or SANDBOX_NAVERPAY["client_id"]
        self.naverpay_client_secret = (
            self.naverpay_client_secret or SANDBOX_NAVERPAY["client_secret"]
        )
        self.naverpay_chain_id = self.naverpay_chain_id or SANDBOX_NAVERPAY["chain_id"]
        self.openbanking_base_url = self.openbanking_base_url or f"{root}/openbanking"
        self.openbanking_client_id = self.openbanking_client_id or SANDBOX_OPENBANKING["client_id"]
        self.openbanking_client_secret = (
            self.openbanking_client_secret or SANDBOX_OPENBANKING["client_secret"]
        )
        self.openbanking_institution_code = (
            self.openbanking_institution_code or SANDBOX_OPENBANKING["institution_code"]
        )
        self.tosspayments_base_url = self.tosspayments_base_url or f"{root}/tosspayments"
        self.tosspayments_secret_key = (
            self.tosspayments_secret_key or SANDBOX_TOSSPAYMENTS_SECRET_KEY
        )

    @property
    def requests_logged(self) -> bool:
        """A log line per request and per platform call costs CPU: on in development only."""
        return self.env == "development" if self.log_requests is None else self.log_requests

    @property
    def toss_checkout_page_url(self) -> str:
        """In sandbox mode, the emulator's widget page that stands in for Toss's widget."""
        if self.payments_mode != "sandbox":
            return ""
        return f"{self.tosspayments_base_url}/widget/checkout"

    @property
    def naver_checkout_page_url(self) -> str:
        """In sandbox mode, the emulator's page that stands in for NaverPay's SDK window."""
        if self.payments_mode != "sandbox":
            return ""
        return f"{self.naverpay_base_url}/sdk/checkout"

    def default_sandbox_url(self) -> str:
        """The emulators listen one port above the service unless GONGGU_SANDBOX_URL says."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.public_base_url)
        port = (parts.port or 8000) + SANDBOX_PORT_OFFSET
        return f"{parts.scheme}://{parts.hostname}:{port}"
