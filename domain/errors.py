"""Domain errors. Each names a business reason; the HTTP adapter maps them in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the business rules raise."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class PaymentOutcomeUnknown(DomainError):
    """The platform may have acted but we did not hear its answer (timeout, connection lost)."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform


class RequestInProgress(DomainError):
    """The same logical request is already being handled."""


class StorageUnavailable(DomainError):
    """The records could not be read or written; the request changed nothing."""
