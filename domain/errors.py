"""Domain errors. Each names a business reason; the HTTP adapter maps them in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the business rules raise."""

    order_id: int | None = None
    transaction_id: str | None = None
    """The order the error is about, when it is about one (502/503/504 answers carry it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def concerning(self, order_id: int | None, transaction_id: str | None) -> DomainError:
        """Names the order this error is about (kept if already named)."""
        if self.order_id is None:
            self.order_id, self.transaction_id = order_id, transaction_id
        return self


class NotFound(DomainError):
    """A referenced entity does not exist."""


class InvalidInput(DomainError):
    """A request breaks a business rule on its values (amounts, shares, options)."""


class IllegalTransition(DomainError):
    """A state change that the state machine does not allow."""


class Conflict(DomainError):
    """The request contradicts what was recorded before (e.g. a group id reused)."""


class Forbidden(DomainError):
    """The caller may not act on this resource."""


class GroupRuleViolation(DomainError):
    """A group match breaks the matching rules; names the offending orders."""

    def __init__(self, message: str, order_ids: list[int]) -> None:
        super().__init__(message)
        self.order_ids = order_ids


class PaymentPlatformError(DomainError):
    """The platform answered with a definite refusal or error."""

    def __init__(self, platform: str, message: str, code: str | None = None) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform
        self.code = code
        self.platform_message = message


class PaymentNotOwned(PaymentPlatformError):
    """The platform took money, but not for the order in hand (another order's payment id, a
    merchant key that is not this order's). The approval is refused for this order, and the
    money is recorded as an orphan payment and given back."""

    def __init__(
        self,
        platform: str,
        message: str,
        code: str | None = None,
        *,
        platform_tx_id: str,
        amount: int,
        merchant_ref: str | None = None,
    ) -> None:
        super().__init__(platform, message, code)
        self.platform_tx_id = platform_tx_id
        self.amount = amount
        self.merchant_ref = merchant_ref


class PaymentOutcomeUnknown(DomainError):
    """The platform may have acted but we did not hear its answer (timeout, connection lost)."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform


class RequestInProgress(DomainError):
    """The same logical request is already being handled."""


class StorageUnavailable(DomainError):
    """The records could not be read or written; the request changed nothing."""
