"""Throttling of password checks (login, change password) and of registrations.

Counts live in the database so every worker sees the same numbers.

Password policy (a stranger can slow an account down, never lock its owner out):

- **Per (username, address) pair**: `CHAT_LOGIN_MAX_FAILURES` (5) failures within
  `CHAT_LOGIN_FAILURE_WINDOW_MINUTES` (15) stop further attempts for that username *from
  that address* until the oldest failure leaves the window. Another address, such as the
  owner's, is not affected by it.
- **Per username, across addresses**: beyond the same number of failures in the window
  from anywhere, each further attempt on the username waits a growing delay after the
  last failure (1 s, 2 s, 4 s, ... capped at `CHAT_LOGIN_MAX_DELAY_SECONDS`, 60): an attacker
  spread over many addresses gets about one guess a minute, the owner waits at most that
  long, never a lock.
- **Per address**: `CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS` (200) failures in the window from
  one address, on any usernames, stop that address (password spraying). A classroom behind
  one NAT, 40 people with a few typos each, stays far below it.
- **A device already logged in as the user** (its session token resolves to that user)
  is never held back by what others did: it is counted on its own (at most the pair limit
  in the window, for login and for the current-password check of "change password", which
  share these counters), and only that device can fill its count.
- An attempt refused by the throttle is not checked and not counted: waiting does not grow.
- A successful login forgets only its own count: its (username, address) pair, or its
  device.

Registrations: at most `CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS` (60) accounts an hour from
one address; a registration through an administrator's valid invite is not counted
(`counted`), one through a group's is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from chat_app.models import LoginFailure, RegistrationRecord, UserAction
from chat_app.services.errors import TooManyAttempts, TooManyRegistrations
from chat_app.settings import SETTINGS, Settings

MAX_KEY_LENGTH = 128
MAX_ADDRESS_LENGTH = 64
MAX_DEVICE_LENGTH = 64
REGISTRATION_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class LoginAttempt:
    """Who tries a password: what the throttle counts a check (login, change password) by.

    Attributes:
        username_key: The lower-cased username being tried.
        client_address: The client's IP address.
        device: The session-token hash of a device already logged in as this user, or "".
            Only pass what the server resolved itself, never a client's claim.
    """

    username_key: str
    client_address: str
    device: str = ""

    def __post_init__(self) -> None:
        """Clip each part to its column (a client chooses the username and the address)."""
        object.__setattr__(self, "username_key", self.username_key[:MAX_KEY_LENGTH])
        object.__setattr__(self, "client_address", self.client_address[:MAX_ADDRESS_LENGTH])
        object.__setattr__(self, "device", self.device[:MAX_DEVICE_LENGTH])


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


def _over_limit_wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of these (sorted) times are left in the window."""
    if len(times) < limit:
        return 0
    # Attempts open again once enough events have aged out to go below the limit.
    return max(1, _seconds_until(times[len(times) - limit] + window, now))


def _failure_times(session: Session, since: datetime, *conditions: Any) -> list[datetime]:
    return list(
        session.exec(
            select(LoginFailure.created_at)
            .where(col(LoginFailure.created_at) > since, *conditions)
            .order_by(col(LoginFailure.created_at))
        ).all()
    )


def _own_count(attempt: LoginAttempt) -> tuple[Any, Any]:
    """Which failures are the attempt's own: its device's once logged in, else its pair's."""
    mine = (
        col(LoginFailure.device) == attempt.device
        if attempt.device
        else col(LoginFailure.client_address) == attempt.client_address
    )
    return col(LoginFailure.username_key) == attempt.username_key, mine


def username_delay(failures: int, settings: Settings = SETTINGS) -> timedelta:
    """The wait after the last failure on a username that has `failures` in the window.

    Args:
        failures: Failures on the username within the window, from every address.
        settings: The free failures (the pair limit) and the cap.

    Returns:
        Zero up to the pair limit, then 1 s doubling per failure, capped.
    """
    extra = failures - settings.login_max_failures_per_pair
    if extra < 0:
        return timedelta(0)
    cap = settings.login_max_delay.total_seconds()
    return timedelta(seconds=min(cap, 2.0 ** min(extra, 32)))


def check_login_allowed(
    *, session: Session, attempt: LoginAttempt, now: datetime, settings: Settings = SETTINGS
) -> None:
    """Refuse a password check (login or change password) that the policy holds back.

    Args:
        session: The database session.
        attempt: Who tries.
        now: The current time.
        settings: Limits and window.

    Raises:
        TooManyAttempts: With the seconds until an attempt is allowed again.
    """
    window = settings.login_failure_window
    since = now - window
    own = _failure_times(session, since, *_own_count(attempt))
    wait = _over_limit_wait(own, settings.login_max_failures_per_pair, window, now)
    if not attempt.device:
        # A device already logged in is held back by its own count alone.
        key, address = attempt.username_key, attempt.client_address
        on_username = _failure_times(session, since, col(LoginFailure.username_key) == key)
        from_address = _failure_times(session, since, col(LoginFailure.client_address) == address)
        delay_wait = (
            _seconds_until(on_username[-1] + username_delay(len(on_username), settings), now)
            if on_username
            else 0
        )
        wait = max(
            wait,
            delay_wait,
            _over_limit_wait(from_address, settings.login_max_failures_per_address, window, now),
        )
    if wait:
        raise TooManyAttempts(wait)


def record_login_failure(
    *, session: Session, attempt: LoginAttempt, now: datetime, settings: Settings = SETTINGS
) -> None:
    """Count a failed password check and drop failures that have left the window (commits).

    Args:
        session: The database session.
        attempt: Who tried.
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
            username_key=attempt.username_key,
            client_address=attempt.client_address,
            device=attempt.device,
            created_at=now,
        )
    )
    session.commit()


def clear_login_failures(*, session: Session, attempt: LoginAttempt) -> None:
    """Forget the failures of what just logged in (the caller commits).

    Only its own count: the (username, address) pair, or the device when it was already
    logged in. Failures elsewhere stay, so the owner logging in hands no attacker (on another
    address, or behind the same NAT) a fresh allowance.

    Args:
        session: The database session.
        attempt: What logged in.
    """
    session.exec(delete(LoginFailure).where(*_own_count(attempt)))


def _registration_times(session: Session, address: str, since: datetime) -> list[datetime]:
    return list(
        session.exec(
            select(RegistrationRecord.created_at)
            .where(
                col(RegistrationRecord.client_address) == address,
                col(RegistrationRecord.created_at) > since,
            )
            .order_by(col(RegistrationRecord.created_at))
        ).all()
    )


def reserve_registration(
    *, session: Session, client_address: str, now: datetime, settings: Settings = SETTINGS
) -> None:
    """Count an account about to be created from this address, or refuse it (commits).

    The row is written before the count is checked again, so two workers registering at
    the same moment cannot both take the last place (at worst both are refused).

    Args:
        session: The database session.
        client_address: The client's IP address ("" when unknown: one shared count).
        now: The current time.
        settings: The hourly limit.

    Raises:
        TooManyRegistrations: With the seconds until this address may register again.
    """
    address = client_address[:MAX_ADDRESS_LENGTH]
    since = now - REGISTRATION_WINDOW
    limit = settings.registrations_per_address_per_hour
    session.exec(delete(RegistrationRecord).where(col(RegistrationRecord.created_at) <= since))
    wait = _over_limit_wait(
        _registration_times(session, address, since), limit, REGISTRATION_WINDOW, now
    )
    if wait:
        session.commit()
        raise TooManyRegistrations(wait)
    record = RegistrationRecord(client_address=address, created_at=now)
    session.add(record)
    session.commit()
    times = _registration_times(session, address, since)
    if len(times) > limit:
        # A concurrent registration took the last place between our check and our insert.
        session.delete(record)
        session.commit()
        raise TooManyRegistrations(
            _over_limit_wait(times[:-1], limit, REGISTRATION_WINDOW, now) or 1
        )


# Password checks one account may pass in ACCOUNT_WINDOW: logins that succeed and attempts
# at "change password". Only someone who knows the password (or holds a session) counts
# here, and no person checks it this often; each check is an argon2 hash on the server's
# small pool, which every login and registration waits for.
ACCOUNT_CHECKS = 20
ACCOUNT_WINDOW = timedelta(minutes=10)
_ACCOUNT_CHECK = "password_checks"


def _account_check_times(session: Session, user_id: int, now: datetime) -> list[datetime]:
    session.exec(
        delete(UserAction).where(
            col(UserAction.user_id) == user_id,
            col(UserAction.action) == _ACCOUNT_CHECK,
            col(UserAction.created_at) <= now - ACCOUNT_WINDOW,
        )
    )
    return list(
        session.exec(
            select(UserAction.created_at)
            .where(UserAction.user_id == user_id, UserAction.action == _ACCOUNT_CHECK)
            .order_by(col(UserAction.created_at))
        ).all()
    )


def check_account_checks(*, session: Session, user_id: int, now: datetime) -> None:
    """Refuse a password check of an account at its ACCOUNT_CHECKS, before any hash.

    Raises:
        TooManyAttempts: With the seconds until the oldest counted check leaves the window.
    """
    times = _account_check_times(session, user_id, now)
    wait = _over_limit_wait(times, ACCOUNT_CHECKS, ACCOUNT_WINDOW, now)
    if wait:
        session.commit()
        raise TooManyAttempts(wait)


def record_account_check(*, session: Session, user_id: int, now: datetime) -> None:
    """Count one password check of an account (the caller commits it)."""
    session.add(UserAction(user_id=user_id, action=_ACCOUNT_CHECK, created_at=now))
