"""One settings model per payment platform, read from `GONGGU_{PLATFORM}_{FIELD}`.

Each model knows its own sandbox defaults (the emulators' built-in credentials), its live base
URL, which of its fields are credentials a contract issues, and which values are known test
values that must never reach production. Adding a platform adds one model here.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.pay_type import PayType

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
    "contract_account_num": "1234567890123",
    "recv_client_name": "gonggu",
    "recv_client_bank_code": "097",
    "recv_client_account_num": "1234567890123",
    "wd_pass_phrase": "NONE",
}
SANDBOX_TOSSPAYMENTS = {
    "widget": ("test_gsk_sandboxGonggu0000000000", "test_gck_sandboxGonggu0000000000"),
    "api": ("test_sk_sandboxGonggu000000000000", "test_ck_sandboxGonggu000000000000"),
}
SANDBOX_TOSSPAYMENTS_SECRET_KEY = SANDBOX_TOSSPAYMENTS["widget"][0]

KAKAOPAY_TEST_CID = "TC0ONETIME"
TESTBED_BANK_CODE = "097"  # 오픈은행, the KFTC testbed's bank
NAVERPAY_DEV_API = "https://dev-pay.paygate.naver.com"

LIVE_BASE_URLS = {
    "kakaopay": "https://open-api.kakaopay.com",
    "naverpay": "https://pay.paygate.naver.com",
    "openbanking": "https://openapi.openbanking.or.kr",
    "tosspayments": "https://api.tosspayments.com",
}

TossIntegration = Literal["widget", "api"]
TOSS_KEY = re.compile(r"^(test|live)_(gsk|gck|sk|ck)_")
TOSS_KEY_KINDS = {"widget": ("gsk", "gck"), "api": ("sk", "ck")}


class PlatformSettings(BaseModel):
    """What every platform has: where its API lives and how long a call may take."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    name: ClassVar[str]
    pay_type: ClassVar[PayType]
    credentials: ClassVar[tuple[str, ...]]
    """The fields a contract with the platform issues; all required when it is enabled."""

    base_url: str | None = None
    timeout_s: float | None = Field(default=None, gt=0)
    """Seconds per call; unset, the service-wide `GONGGU_PLATFORM_TIMEOUT_S`."""

    def env(self, field: str) -> str:
        return f"GONGGU_{self.name.upper()}_{field.upper()}"

    def fill_sandbox(self, root: str) -> None:
        self.base_url = self.base_url or f"{root}/{self.name}"

    def fill_live(self) -> None:
        self.base_url = self.base_url or LIVE_BASE_URLS[self.name]

    def missing(self) -> list[str]:
        """The variables of credentials that are not set."""
        return [self.env(f) for f in self.credentials if not str(getattr(self, f) or "").strip()]

    def problems(self) -> list[str]:
        """Values that are wrong whatever the environment (a key of the wrong kind...)."""
        return []

    def test_values(self) -> list[str]:
        """One line per known test credential, refused in production."""
        return []


class KakaoPaySettings(PlatformSettings):
    name = "kakaopay"
    pay_type = PayType.KAKAO_PAY
    credentials = ("secret_key", "cid")

    secret_key: str | None = None
    cid: str = KAKAOPAY_TEST_CID
    """The merchant's 가맹점 코드; the default is KakaoPay's test CID, refused in production."""

    def fill_sandbox(self, root: str) -> None:
        super().fill_sandbox(root)
        self.secret_key = self.secret_key or SANDBOX_KAKAOPAY_SECRET_KEY

    def test_values(self) -> list[str]:
        lines = []
        if self.cid.strip().upper() == KAKAOPAY_TEST_CID:
            lines.append(
                f"{self.env('cid')}={KAKAOPAY_TEST_CID} is KakaoPay's test CID: "
                "set the CID of your KakaoPay contract"
            )
        if self.secret_key == SANDBOX_KAKAOPAY_SECRET_KEY:
            lines.append(
                f"{self.env('secret_key')} is the emulator's key: set the Secret key (prod) "
                "of your KakaoPay app"
            )
        return lines


class NaverPaySettings(PlatformSettings):
    name = "naverpay"
    pay_type = PayType.NAVER_PAY
    credentials = ("partner_id", "client_id", "client_secret", "chain_id")

    partner_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    chain_id: str | None = None
    mode: Literal["development", "production"] | None = None
    """The JS SDK's `mode`; unset, it follows the payments mode (sandbox -> development)."""
    apply_timeout_s: float = Field(default=60.0, gt=0)
    """결제승인 may take NaverPay up to a minute; its integrations wait 60 s."""

    def fill_sandbox(self, root: str) -> None:
        super().fill_sandbox(root)
        self.mode = self.mode or "development"
        for field, value in SANDBOX_NAVERPAY.items():
            setattr(self, field, getattr(self, field) or value)

    def fill_live(self) -> None:
        self.mode = self.mode or "production"
        # the SDK window and the API host must be the same environment
        dev = self.mode == "development"
        self.base_url = self.base_url or (NAVERPAY_DEV_API if dev else LIVE_BASE_URLS[self.name])

    def test_values(self) -> list[str]:
        lines = []
        if self.mode == "development":
            lines.append(
                f"{self.env('mode')}=development opens NaverPay's development window, where "
                "nothing is paid: unset it (production follows GONGGU_PAYMENTS_MODE=live)"
            )
        elif self.base_url and "dev" in self.base_url.split("//")[-1].split(".")[0]:
            lines.append(f"{self.env('base_url')}={self.base_url} is NaverPay's development API")
        if any(getattr(self, f) == v for f, v in SANDBOX_NAVERPAY.items()):
            lines.append(f"GONGGU_NAVERPAY_* holds the emulator's credentials: {_set_live(self)}")
        return lines


class OpenBankingSettings(PlatformSettings):
    name = "openbanking"
    pay_type = PayType.OPEN_BANKING
    credentials = (
        "client_id",
        "client_secret",
        "institution_code",
        "contract_account_num",
        "recv_client_name",
        "recv_client_bank_code",
        "recv_client_account_num",
        "wd_pass_phrase",
    )

    client_id: str | None = None
    client_secret: str | None = None
    institution_code: str | None = Field(default=None, min_length=10, max_length=10)
    contract_account_num: str | None = None
    recv_client_name: str | None = None
    recv_client_bank_code: str | None = None
    recv_client_account_num: str | None = None
    wd_pass_phrase: str | None = None
    """입금이체용 암호문구 issued to the institution; the testbed accepts `NONE`."""
    withdraw_purpose: str = Field(default="ST", pattern=r"^[A-Z]{2}$")
    """이체용도 of a payment's 출금이체: `ST` (결제), the payer pays the shop."""
    deposit_purpose: str = Field(default="TR", pattern=r"^[A-Z]{2}$")
    """이체용도 of a refund's 입금이체: `TR` (송금), the shop sends money back."""
    req_client_name: str | None = None
    """요청고객성명 of a refund deposit (the institution asks for it); unset, recv_client_name."""

    def fill_sandbox(self, root: str) -> None:
        super().fill_sandbox(root)
        for field, value in SANDBOX_OPENBANKING.items():
            setattr(self, field, getattr(self, field) or value)

    def test_values(self) -> list[str]:
        lines = []
        if self.recv_client_bank_code == TESTBED_BANK_CODE:
            lines.append(
                f"{self.env('recv_client_bank_code')}={TESTBED_BANK_CODE} is the KFTC testbed's "
                "bank: set the bank of your contract account"
            )
        for field in ("contract_account_num", "recv_client_account_num"):
            if getattr(self, field) == SANDBOX_OPENBANKING[field]:
                lines.append(f"{self.env(field)} is the testbed account: set your own")
        if self.wd_pass_phrase == SANDBOX_OPENBANKING["wd_pass_phrase"]:
            lines.append(
                f"{self.env('wd_pass_phrase')}=NONE only works on the testbed: set the pass "
                "phrase KFTC issued to your institution"
            )
        if self.base_url and "testapi" in self.base_url:
            lines.append(f"{self.env('base_url')}={self.base_url} is the KFTC testbed")
        if any(getattr(self, f) == SANDBOX_OPENBANKING[f] for f in ("client_id", "client_secret")):
            lines.append(
                f"GONGGU_OPENBANKING_* holds the emulator's credentials: {_set_live(self)}"
            )
        return lines


class TossPaymentsSettings(PlatformSettings):
    name = "tosspayments"
    pay_type = PayType.TOSS_PAYMENTS
    credentials = ("secret_key", "client_key")

    integration: TossIntegration = "widget"
    """`widget` (결제위젯: `*_gsk_*` / `*_gck_*` keys) or `api` (API 개별 연동: `*_sk_*` /
    `*_ck_*`); Toss refuses a confirm signed with the other kind's secret key."""
    secret_key: str | None = None
    client_key: str | None = None

    def fill_sandbox(self, root: str) -> None:
        super().fill_sandbox(root)
        secret, client = SANDBOX_TOSSPAYMENTS[self.integration]
        self.secret_key = self.secret_key or secret
        self.client_key = self.client_key or client

    def problems(self) -> list[str]:
        secret_kind, client_kind = TOSS_KEY_KINDS[self.integration]
        lines = []
        for field, kind in (("secret_key", secret_kind), ("client_key", client_kind)):
            value = getattr(self, field)
            if not value:
                continue
            match = TOSS_KEY.match(value)
            if match is None or match.group(2) != kind:
                found = match.group(2) if match else "unrecognised"
                lines.append(
                    f"{self.env(field)} is a {found} key, but "
                    f"{self.env('integration')}={self.integration} needs a "
                    f"test_{kind}_/live_{kind}_ key"
                )
        return lines

    def test_values(self) -> list[str]:
        return [
            f"{self.env(field)} is a test key: set the live_ key of your Toss Payments contract"
            for field in ("secret_key", "client_key")
            if (getattr(self, field) or "").startswith("test_")
        ]


PLATFORM_MODELS: tuple[type[PlatformSettings], ...] = (
    KakaoPaySettings,
    NaverPaySettings,
    OpenBankingSettings,
    TossPaymentsSettings,
)


def _set_live(platform: PlatformSettings) -> str:
    return (
        "set the ones of your contract (" + ", ".join(map(platform.env, platform.credentials)) + ")"
    )
