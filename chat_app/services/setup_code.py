"""The first administrator: the setup code, and who may claim the role with it.

On an empty database the first account becomes the administrator. When a stranger could be
the first to reach the server (it listens beyond loopback, or the person registering is not
on this machine), that first registration needs the setup code, which the server prints in
its log and `make run` shows. A database with users and no administrator (an upgrade) gets
the administrator through the same code on /setup, or through the command-line tool.

The code is derived from the signing key with HMAC, so every worker and every restart shows
the same code and nothing is stored in plain. It only works while no active administrator
exists: once claimed it is refused. Wrong codes are throttled per client address like
guessed invite and reset tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, func, select

from chat_app.models import User, utc_now
from chat_app.services import admin_rights, audit, database, token_guesses
from chat_app.services.errors import NotFound, Refused
from chat_app.services.file_links import signing_key
from chat_app.settings import SETTINGS, Settings

logger = logging.getLogger(__name__)
# Letters and digits people cannot confuse (no 0/O, no 1/I): 32 symbols, 5 bits each.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS = 4
GROUP_LENGTH = 4
CODE_LENGTH = GROUPS * GROUP_LENGTH
# Longer input is refused unread (a pasted code with spaces and dashes fits easily).
MAX_INPUT_LENGTH = 64
# Codes of the refusals (i18n/setup.py has their texts).
WRONG = "setup_code_wrong"
MISSING = "setup_code_missing"
ADMIN_EXISTS = "setup_admin_exists"


def code(settings: Settings = SETTINGS) -> str:
    """The setup code of this server, e.g. "K7QM-2XRD-PA9N-WE4H" (same in every worker).

    Args:
        settings: The signing key's configuration.

    Returns:
        Four groups of four symbols of `ALPHABET`, joined by dashes.
    """
    digest = hmac.new(signing_key(settings), b"chat-app:setup-code", hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits: 16 symbols of 5 bits
    symbols = [ALPHABET[(number >> (5 * index)) & 31] for index in range(CODE_LENGTH)]
    groups = ["".join(symbols[i : i + GROUP_LENGTH]) for i in range(0, CODE_LENGTH, GROUP_LENGTH)]
    return "-".join(groups)


def announcement(settings: Settings = SETTINGS) -> str:
    """What the server's log and `make run` say while no administrator exists."""
    return (
        "No administrator yet. The setup code makes the first account the administrator "
        f"(or, on /setup, a signed-in user):\n    {code(settings)}\n"
        "It works once; `python -m chat_app.admin setup-code` shows it again."
    )


def announce_if_no_admin() -> None:
    """Lifespan task, once in every worker at start: the code in the log while it can be used."""
    try:
        with database.session_scope() as session:
            if admin_exists(session=session):
                return
    except SQLAlchemyError as error:
        # A database down at start must not stop the worker (it serves once it is back).
        logger.warning("Could not check for an administrator at start: %s", type(error).__name__)
        return
    logger.warning("%s", announcement())


def _normalized(text: str) -> str:
    """The code as typed, upper-cased, without spaces and dashes."""
    return "".join(char for char in text.upper() if char not in " -\t")


def matches(typed: object, settings: Settings = SETTINGS) -> bool:
    """Whether `typed` is this server's code (any case, spaces and dashes ignored).

    Args:
        typed: What the person entered (untrusted).
        settings: The signing key's configuration.

    Returns:
        True for the right code; the comparison takes the same time for any wrong one.
    """
    if not isinstance(typed, str) or len(typed) > MAX_INPUT_LENGTH:
        return False
    expected = _normalized(code(settings))
    return hmac.compare_digest(_normalized(typed).encode(), expected.encode())


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def code_required(*, client_address: str = "", settings: Settings = SETTINGS) -> bool:
    """Whether the first registration needs the setup code.

    It does when the server listens beyond loopback (`make run`: every interface), and when
    the person registering comes from another machine as seen through the configured
    proxies (a loopback-only backend behind a reverse proxy on a cloud server).

    Args:
        client_address: The registering client's address ("" when not asked about one).
        settings: The listening address.

    Returns:
        False only for a loopback-only server and a client on this machine.
    """
    if not _is_loopback(settings.listen_host):
        return True
    return bool(client_address) and not _is_loopback(client_address)


def code_field_needed(
    *, session: Session, client_address: str, settings: Settings = SETTINGS
) -> bool:
    """Whether the register form asks for the setup code: no account yet, and it is required."""
    return not users_exist(session=session) and code_required(
        client_address=client_address, settings=settings
    )


def users_exist(*, session: Session) -> bool:
    """Whether any account exists (deleted ones included: their rows stay)."""
    return session.exec(select(User.id).limit(1)).first() is not None


def admin_exists(*, session: Session) -> bool:
    """Whether an active administrator exists (role admin, neither disabled nor deleted)."""
    return admin_rights.active_admin_count(session) > 0


def check_first_registration(
    *, session: Session, typed: object, client_address: str, now: datetime, settings: Settings
) -> str | None:
    """Check the setup code of a registration that would be the first account.

    Call it only while no account exists; a wrong code is counted (that commits).

    Args:
        session: The database session (nothing uncommitted in it).
        typed: The code as entered (untrusted; "" when the form had none).
        client_address: The client's address, for the requirement and the throttle.
        now: The current time.
        settings: Listening address, signing key and guess limit.

    Returns:
        None when the registration may go on, else the field error code.

    Raises:
        RateLimited: This address guessed wrong too often within the hour.
    """
    if not code_required(client_address=client_address, settings=settings):
        return None
    token_guesses.check_allowed(
        session=session, client_address=client_address, now=now, settings=settings
    )
    if not isinstance(typed, str) or not _normalized(typed):
        return MISSING
    if matches(typed, settings):
        return None
    token_guesses.count_wrong_guess(
        session=session, client_address=client_address, kind="setup", now=now
    )
    return WRONG


def lock_for_first_account(*, session: Session) -> bool:
    """Take the administrators' lock; then whether no account exists (the next is the admin).

    Call it before the transaction's first write (admin_rights.lock_admins).
    """
    admin_rights.lock_admins(session)
    return session.exec(select(func.count()).select_from(User)).one() == 0


def claim(
    *,
    session: Session,
    user_id: int,
    code: object,
    client_address: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> None:
    """Make a signed-in user the administrator with the setup code (one transaction, audited).

    Args:
        session: The database session (nothing uncommitted in it).
        user_id: The user claiming (from the server-side session).
        code: The code as entered (untrusted).
        client_address: The client's address, for the throttle.
        now: The current time.
        settings: Signing key and guess limit.

    Raises:
        RateLimited: This address guessed wrong too often within the hour.
        Refused: "setup_admin_exists" (an administrator exists: the code was used), or
            "setup_code_wrong" / "setup_code_missing".
        NotFound: The user is gone, disabled or deleted.
    """
    now = now or utc_now()
    token_guesses.check_allowed(
        session=session, client_address=client_address, now=now, settings=settings
    )
    if admin_exists(session=session):
        raise Refused(ADMIN_EXISTS)
    if not isinstance(code, str) or not _normalized(code):
        raise Refused(MISSING)
    if not matches(code, settings):
        token_guesses.count_wrong_guess(
            session=session, client_address=client_address, kind="setup", now=now
        )
        raise Refused(WRONG)
    session.rollback()  # end the reads above: the lock must be this transaction's first write
    admin_rights.lock_admins(session)
    user = session.get(User, user_id, populate_existing=True)
    if user is None or user.disabled_at is not None or user.deleted_at is not None:
        session.rollback()
        raise NotFound()
    if admin_exists(session=session):
        session.rollback()
        raise Refused(ADMIN_EXISTS)
    user.role = "admin"
    session.add(user)
    audit.record(session=session, actor=user, action="setup_claim", target=user, now=now)
    session.commit()
