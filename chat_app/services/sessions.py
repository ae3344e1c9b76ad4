"""Device sessions: bearer tokens stored as sha256, with idle and absolute expiry."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Row
from sqlmodel import Session, col, delete

from chat_app.models import AuthSession, utc_now
from chat_app.services import direct_sql, load_statements, statements
from chat_app.services.people_views import UserView
from chat_app.settings import SETTINGS, Settings

# last_seen (and the address "My devices" shows) is refreshed at most this often, so
# reading a session is not a write per event.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
MAX_TOKEN_LENGTH = 128
MAX_USER_AGENT_LENGTH = 256
MAX_ADDRESS_LENGTH = 64
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")
# The touch of a device that says where it is: last active and its address in one write.
_TOUCH_SESSION_FROM = (
    sa.update(statements.AUTH_SESSION)
    .where(statements.AUTH_SESSION.c.id == sa.bindparam("session"))
    .values(
        last_seen_at=sa.bindparam("now", type_=statements.AUTH_SESSION.c.last_seen_at.type),
        client_address=sa.bindparam("address"),
    )
)

# The sessions among some hashes that still resolve (`live_hashes`), as SESSION_BY_HASH
# finds one: of an account neither disabled nor deleted.
_LIVE_SESSIONS = (
    sa.select(
        statements.AUTH_SESSION.c.token_hash,
        statements.AUTH_SESSION.c.expires_at,
        statements.AUTH_SESSION.c.last_seen_at,
    )
    .join(statements.USER, statements.USER.c.id == statements.AUTH_SESSION.c.user_id)
    .where(
        statements.AUTH_SESSION.c.token_hash.in_(sa.bindparam("hashes", expanding=True)),
        statements.USER.c.disabled_at.is_(None),
        statements.USER.c.deleted_at.is_(None),
    )
)
LIVE_CHECK_BATCH = 500


def hash_token(token: str) -> str:
    """The sha256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_of_sent_token(token: object) -> str:
    """The sha256 of a token as a client sent it ("" for an empty or not token-like one)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return ""
    return hash_token(token)


def is_token_hash(value: object) -> bool:
    """Whether a value has the shape of a stored token hash (64 lowercase hex digits)."""
    return isinstance(value, str) and _TOKEN_HASH.fullmatch(value) is not None


def create_session(
    *,
    session: Session,
    user_id: int,
    user_agent: str = "",
    client_address: str = "",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> str:
    """Add a device session for a user (the caller commits).

    Args:
        session: The database session.
        user_id: The user logging in.
        user_agent: The browser's description, kept to list devices later.
        client_address: Where the device logs in from (shown in "My devices").
        now: The current time (tests pass a fixed one).
        settings: Expiry configuration.

    Returns:
        The new bearer token; only its hash is stored.
    """
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + settings.session_absolute_timeout,
            user_agent=user_agent[:MAX_USER_AGENT_LENGTH],
            client_address=_address(client_address),
        )
    )
    return token


def _address(client_address: object) -> str:
    return client_address[:MAX_ADDRESS_LENGTH] if isinstance(client_address, str) else ""


def resolve_session(
    *, session: Session, token: str, now: datetime | None = None, settings: Settings = SETTINGS
) -> UserView | None:
    """Find the user a token belongs to, ending the session if it has expired.

    Args:
        session: The database session.
        token: The bearer token as the client sent it (untrusted).
        now: The current time.
        settings: Expiry configuration.

    Returns:
        The user, or None for a missing, unknown, revoked or expired token.
    """
    if not (token_hash := hash_of_sent_token(token)):
        return None
    return resolve_session_by_hash(
        session=session, token_hash=token_hash, now=now, settings=settings
    )


def resolve_session_by_hash(
    *,
    session: Session,
    token_hash: str,
    client_address: str = "",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> UserView | None:
    """Like `resolve_session`, from the token's hash (what a tab's state keeps server-side).

    Args:
        session: The database session.
        token_hash: The sha256 hex digest of the bearer token.
        client_address: Where the device is now; written with last active, at most every
            LAST_SEEN_RESOLUTION ("" leaves the stored address as it is).
        now: The current time.
        settings: Expiry configuration.

    Returns:
        The user, or None for a malformed, unknown, revoked or expired hash.
    """
    if not is_token_hash(token_hash):
        return None
    now = now or utc_now()
    connection = session.connection()
    row = direct_sql.run(connection, statements.SESSION_BY_HASH, {"token_hash": token_hash}).first()
    if row is None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= settings.session_idle_timeout:
        connection.execute(statements.DELETE_SESSION, {"session": row.id})
        session.commit()
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        if address := _address(client_address):
            touch = {"session": row.id, "now": now, "address": address}
            connection.execute(_TOUCH_SESSION_FROM, touch)
        else:
            connection.execute(statements.TOUCH_SESSION, {"session": row.id, "now": now})
        session.commit()
    return UserView(
        id=row.user_id,
        username=row.username,
        nickname=row.nickname,
        avatar_file_id=row.avatar_file_id or "",
    )


def live_hashes(
    *,
    session: Session,
    token_hashes: Iterable[str],
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> set[str]:
    """Which of some session hashes still name a live session, as a resolution finds them.

    Nothing is written: a session past its time is ended when it is next resolved.

    Args:
        session: The database session.
        token_hashes: The hashes (a worker's open tabs' sessions).
        now: The current time.
        settings: Expiry configuration.

    Returns:
        Those of an existing, unexpired session of an account neither disabled nor deleted.
    """
    now = now or utc_now()
    wanted = sorted({value for value in token_hashes if is_token_hash(value)})
    live: set[str] = set()
    connection = session.connection()
    for start in range(0, len(wanted), LIVE_CHECK_BATCH):
        batch = {"hashes": wanted[start : start + LIVE_CHECK_BATCH]}
        live.update(
            row.token_hash
            for row in connection.execute(_LIVE_SESSIONS, batch)
            if now < row.expires_at and now - row.last_seen_at < settings.session_idle_timeout
        )
    return live


def end_session(*, session: Session, token: str) -> None:
    """Revoke one device session (logout). Unknown tokens are ignored.

    Args:
        session: The database session.
        token: The bearer token to revoke.
    """
    if not isinstance(token, str) or not token:
        return
    end_session_by_hash(session=session, token_hash=hash_token(token))


def end_session_by_hash(*, session: Session, token_hash: str) -> None:
    """Revoke one device session by its token's hash. Unknown hashes are ignored.

    Args:
        session: The database session.
        token_hash: The sha256 hex digest of the bearer token.
    """
    if not is_token_hash(token_hash):
        return
    session.exec(delete(AuthSession).where(col(AuthSession.token_hash) == token_hash))
    session.commit()


def end_all_sessions(
    *,
    session: Session,
    user_id: int,
    except_token: str | None = None,
    except_hash: str | None = None,
) -> int:
    """Revoke every session of a user, optionally keeping the caller's own.

    Args:
        session: The database session.
        user_id: Whose sessions to end.
        except_token: A token to keep alive (the device changing its password).
        except_hash: The same, given by the token's hash.

    Returns:
        How many sessions were ended.
    """
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    keep = hash_token(except_token) if except_token else except_hash
    if keep:
        statement = statement.where(col(AuthSession.token_hash) != keep)
    result = session.exec(statement)
    session.commit()
    return result.rowcount or 0


@dataclass(frozen=True)
class SessionKey:
    """The login session a tab's download links are bound to (services/file_links.py).

    `started_us`, the row's creation time in microseconds, tells the session from a later
    one that reuses its id (SQLite hands out a deleted row's id again).
    """

    user_id: int
    session_id: int
    started_us: int


def _key_of(row: AuthSession | Row) -> SessionKey:
    started_us = (row.created_at - _EPOCH) // timedelta(microseconds=1)
    return SessionKey(user_id=row.user_id, session_id=row.id or 0, started_us=started_us)


def session_key_of(*, session: Session, token_hash: str) -> SessionKey | None:
    """The key of the session stored under a token's hash (the tab's own session).

    Args:
        session: The database session.
        token_hash: `hash_token` of the tab's token, resolved by the caller.

    Returns:
        The key, or None when no such session exists (any more).
    """
    if not isinstance(token_hash, str) or len(token_hash) != 64:
        return None
    parameters = {"token_hash": token_hash}
    row = session.connection().execute(load_statements.SESSION_KEY, parameters).first()
    return _key_of(row) if row is not None else None


def live_session_key(
    *,
    session: Session,
    session_id: int,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> SessionKey | None:
    """The key of a session that is still live: not ended, expired or idle too long.

    Read only (resolve_session ends expired rows); download links check this, so logging
    out, "log out everywhere" and a password change revoke the links of those sessions.

    Args:
        session: The database session.
        session_id: The session named by a link.
        now: The current time.
        settings: Expiry configuration.

    Returns:
        The key, or None.
    """
    row = session.get(AuthSession, session_id)
    if row is None:
        return None
    now = now or utc_now()
    if now >= row.expires_at or now - row.last_seen_at >= settings.session_idle_timeout:
        return None
    return _key_of(row)
