"""Login throttling: failures per username and per client address in a sliding window.

Failures live in the database so every worker sees the same counts.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlmodel import Session, col, delete, select

from chat_app.models import LoginFailure
from chat_app.services.errors import TooManyAttempts
from chat_app.settings import SETTINGS, Settings

MAX_KEY_LENGTH = 128
MAX_ADDRESS_LENGTH = 64


def _retry_after(
    session: Session, column: str, value: str, limit: int, now: datetime, settings: Settings
) -> int:
    since = now - settings.login_failure_window
    times = session.exec(
        select(LoginFailure.created_at)
        .where(getattr(LoginFailure, column) == value, col(LoginFailure.created_at) > since)
        .order_by(col(LoginFailure.created_at))
    ).all()
    if len(times) < limit:
        return 0
    # Attempts open again once enough failures have aged out to go below the limit.
    frees_at = times[len(times) - limit] + settings.login_failure_window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def check_login_allowed(
    *,
    session: Session,
    username_key: str,
    client_address: str,
    now: datetime,
    settings: Settings = SETTINGS,
) -> None:
    """Refuse a login attempt while its username or address is over the failure limit.

    Args:
        session: The database session.
        username_key: The lower-cased username being tried.
        client_address: The client's IP address.
        now: The current time.
        settings: Limits and window.

    Raises:
        TooManyAttempts: With the seconds until an attempt is allowed again.
    """
    wait = max(
        _retry_after(
            session,
            "username_key",
            username_key[:MAX_KEY_LENGTH],
            settings.login_max_failures_per_username,
            now,
            settings,
        ),
        _retry_after(
            session,
            "client_address",
            client_address[:MAX_ADDRESS_LENGTH],
            settings.login_max_failures_per_address,
            now,
            settings,
        ),
    )
    if wait:
        raise TooManyAttempts(wait)


def record_login_failure(
    *,
    session: Session,
    username_key: str,
    client_address: str,
    now: datetime,
    settings: Settings = SETTINGS,
) -> None:
    """Count a failed login and drop failures that have left the window.

    Args:
        session: The database session.
        username_key: The lower-cased username that was tried.
        client_address: The client's IP address.
        now: The current time.
        settings: The window length.
    """
    session.exec(
        delete(LoginFailure).where(
            col(LoginFailure.created_at) <= now - settings.login_failure_window
        )
    )
    session.add(
        LoginFailure(
            username_key=username_key[:MAX_KEY_LENGTH],
            client_address=client_address[:MAX_ADDRESS_LENGTH],
            created_at=now,
        )
    )
    session.commit()


def clear_login_failures(*, session: Session, username_key: str) -> None:
    """Forget a username's failures after a successful login (the caller commits).

    Args:
        session: The database session.
        username_key: The lower-cased username that logged in.
    """
    session.exec(
        delete(LoginFailure).where(col(LoginFailure.username_key) == username_key[:MAX_KEY_LENGTH])
    )
