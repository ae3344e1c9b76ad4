"""A refused form's words: one message, or one per field, in the tab's language."""

from __future__ import annotations

import math

from chat_app.i18n import TABLES, in_every_language, text
from chat_app.services.errors import (
    DomainError,
    TooManyAttempts,
    TooManyRegistrations,
    ValidationFailed,
)


def refusal_text(error: DomainError, language: str) -> str:
    """A refused form's message; a throttle's with its wait, in seconds when under a minute."""
    if not isinstance(error, TooManyAttempts | TooManyRegistrations):
        return text(error.code, language)
    wait = error.retry_after_seconds
    if error.code == "too_many_attempts" and wait < 60:
        return text("too_many_attempts_seconds", language, seconds=max(1, wait))
    return text(error.code, language, minutes=math.ceil(wait / 60))


def refusal_words(error: DomainError) -> dict[str, str]:
    """`refusal_text` in each language, by language (a state shows it with `ui.said`)."""
    return {language: refusal_text(error, language) for language in TABLES}


def field_texts(error: ValidationFailed, language: str) -> dict[str, str]:
    """Each invalid field's message, by field name."""
    return {field: text(code, language) for field, code in error.field_errors.items()}


def field_words(error: ValidationFailed) -> dict[str, dict[str, str]]:
    """Each invalid field's message in each language, by field name, then language."""
    return {field: in_every_language(code) for field, code in error.field_errors.items()}


def empty_login_words(username: str, password: str) -> dict[str, str]:
    """A login form's message for a field left empty, in each language ({} with both filled).

    Not "wrong username or password" for a field nobody typed in, and no password hash
    spent on it: the login page's form and the invite page's say the same.
    """
    return in_every_language("login_fill_both") if not username.strip() or not password else {}
