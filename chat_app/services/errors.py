"""The DomainError tree: every refusal a service can give, with a stable code for the UI."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; `code` selects the message shown to the user."""

    code = "error"

    def __init__(self, code: str | None = None) -> None:
        super().__init__(code or self.code)
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    """One or more form fields are invalid.

    Attributes:
        field_errors: Field name to error code, one entry per invalid field.
    """

    code = "validation_failed"

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__()
        self.field_errors = dict(field_errors)


class InvalidCredentials(DomainError):
    """Unknown user or wrong password: deliberately one error for both."""

    code = "invalid_credentials"


class TooManyAttempts(DomainError):
    """Password checks are throttled for this username, address or device.

    Attributes:
        retry_after_seconds: How long until the oldest counted failure leaves the window.
    """

    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class TooManyRegistrations(DomainError):
    """Too many accounts were created from this client address within the hour.

    Attributes:
        retry_after_seconds: How long until the address may register again.
    """

    code = "too_many_registrations"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class NotAuthenticated(DomainError):
    """The session token is missing, unknown, revoked or expired."""

    code = "not_authenticated"


class NotFound(DomainError):
    """The user or request does not exist *for this viewer* (never says which)."""

    code = "not_found"


class Refused(DomainError):
    """A friends action the rules do not allow; `code` says which rule."""

    code = "refused"


class Forbidden(DomainError):
    """The viewer's role in a group does not allow the action; `code` says which rule."""

    code = "not_allowed"


class RateLimited(DomainError):
    """Too many actions of one kind in the window; `code` names the limit."""

    code = "rate_limited"


class AccountDisabled(Refused):
    """A login with the right password to an account an administrator disabled."""

    code = "account_disabled"
