"""Signed download links, bound to one user, one login session, one file and a time.

A chat's export has links of the same kind: for a chat instead of a file, its language in
place of the variant, minutes long (the route checks the chat again).

A link names the login session it was made for (`v`, the AuthSession row id) and its
HMAC covers that session's creation time, so it opens files only while that session is
live: logging out, "log out everywhere" and a password change (which ends the other
sessions) revoke the links of the sessions they end, with no list of revoked links. A
link is made once when a message is shown, never re-signed on later renders.

Every part of a request is checked for its exact shape before anything else (ASCII
digits of bounded length, lowercase hex), so a malformed link is an ordinary refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlmodel import Session

from chat_app.i18n import TABLES
from chat_app.models import utc_now
from chat_app.services import sessions
from chat_app.services.sessions import SessionKey
from chat_app.settings import SETTINGS, Settings

VARIANTS = ("file", "thumb")
# A chat's export link is for starting the download now, not for keeping.
EXPORT_LINK_TTL = timedelta(minutes=10)
# An export's variant names its language ("export-en"): the signature covers it.
EXPORT_VARIANT = "export-"
_FILE_ID = re.compile(r"[0-9a-f]{32}")
# Ids and times as ASCII digits, at most 18 of them: every value fits a 64-bit integer
# ("²" or "٣" pass str.isdigit() but not this, nor do 5,000 digits).
_NUMBER = re.compile(r"[0-9]{1,18}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class LinkClaim:
    """A download request of the right shape, not yet verified.

    `file_id` names what is downloaded: a stored file, or a chat for an export.
    """

    file_id: str
    variant: str
    user_id: int
    session_id: int
    expires: int
    signature: str


@cache
def _stored_secret(path: Path) -> bytes:
    """The key kept with the data (made on first use), read once per process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive create: two workers starting together end up with the same key.
        with path.open("xb") as out:
            path.chmod(0o600)
            out.write(secrets.token_bytes(32))
    except FileExistsError:
        pass
    return path.read_bytes()


def signing_key(settings: Settings = SETTINGS) -> bytes:
    """The key links are signed with: CHAT_SECRET_KEY, else one kept with the data.

    Args:
        settings: The configured secret and the data root.

    Returns:
        The key (generated once and kept with the data, so links survive a restart).
    """
    if settings.secret_key:
        return settings.secret_key.encode()
    return _stored_secret(settings.data_dir / ".secret_key")


def _signature(
    key: SessionKey, file_id: str, variant: str, expires: int, settings: Settings
) -> str:
    message = (
        f"file-link:{key.user_id}:{key.session_id}:{key.started_us}:{file_id}:{variant}:{expires}"
    ).encode()
    return hmac.new(signing_key(settings), message, hashlib.sha256).hexdigest()


def signed_url(
    *,
    key: SessionKey,
    file_id: str,
    variant: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> str:
    """A download path for one login session and one file that stops working after the TTL.

    Args:
        key: The viewer's login session (sessions.session_key_of).
        file_id: The stored file.
        variant: "file" (the original) or "thumb" (the re-encoded thumbnail or avatar).
        now: The current time.
        settings: Secret and TTL.

    Returns:
        A path such as /files/<id>/file?u=1&v=9&e=1700000000&s=<hmac>.
    """
    now = now or utc_now()
    expires = int((now + settings.file_url_ttl).timestamp())
    signature = _signature(key, file_id, variant, expires, settings)
    return (
        f"/files/{file_id}/{variant}?u={key.user_id}&v={key.session_id}&e={expires}&s={signature}"
    )


def parse_link(file_id: str, variant: str, query: Mapping[str, str]) -> LinkClaim | None:
    """The claim a request makes, if every part has its exact shape (no database).

    Args:
        file_id: From the path (untrusted).
        variant: From the path (untrusted).
        query: The query parameters (untrusted): u, v, e and s.

    Returns:
        The claim, or None for anything malformed.
    """
    if variant not in VARIANTS or _FILE_ID.fullmatch(file_id) is None:
        return None
    return _claim(file_id, variant, query)


def signed_export_url(
    *,
    key: SessionKey,
    conversation_id: int,
    language: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> str:
    """A download path for one chat's export, for one login session, good for minutes.

    Args:
        key: The viewer's login session.
        conversation_id: The chat (the route checks again that the user may read it).
        language: The export's language ("en" or "zh").
        now: The current time.
        settings: The secret.

    Returns:
        A path such as /exports/12/en?u=1&v=9&e=1700000000&s=<hmac>.
    """
    now = now or utc_now()
    expires = int((now + EXPORT_LINK_TTL).timestamp())
    subject, variant = str(conversation_id), EXPORT_VARIANT + language
    signature = _signature(key, subject, variant, expires, settings)
    return (
        f"/exports/{subject}/{language}?u={key.user_id}&v={key.session_id}&e={expires}"
        f"&s={signature}"
    )


def parse_export_link(
    conversation_id: str, language: str, query: Mapping[str, str]
) -> LinkClaim | None:
    """The claim an export request makes, if every part has its exact shape.

    Args:
        conversation_id: From the path (untrusted).
        language: From the path (untrusted).
        query: The query parameters (untrusted): u, v, e and s.

    Returns:
        The claim (its `file_id` is the conversation's id), or None for anything malformed.
    """
    if language not in TABLES or _NUMBER.fullmatch(conversation_id) is None:
        return None
    return _claim(conversation_id, EXPORT_VARIANT + language, query)


def _claim(subject: str, variant: str, query: Mapping[str, str]) -> LinkClaim | None:
    parts = [query.get(name, "") for name in ("u", "v", "e")]
    signature = query.get("s", "")
    if _SIGNATURE.fullmatch(signature) is None or not all(
        _NUMBER.fullmatch(part) for part in parts
    ):
        return None
    user_id, session_id, expires = map(int, parts)
    return LinkClaim(subject, variant, user_id, session_id, expires, signature)


def link_user(
    *,
    session: Session,
    claim: LinkClaim,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> int | None:
    """The user a link was made for, if it is genuine, unexpired and its session is live.

    Args:
        session: The database session.
        claim: The parsed request.
        now: The current time.
        settings: Secret and session expiry.

    Returns:
        The user id, or None.
    """
    now = now or utc_now()
    if claim.expires < now.timestamp():
        return None
    key = sessions.live_session_key(
        session=session, session_id=claim.session_id, now=now, settings=settings
    )
    if key is None or key.user_id != claim.user_id:
        return None
    expected = _signature(key, claim.file_id, claim.variant, claim.expires, settings)
    return key.user_id if hmac.compare_digest(expected, claim.signature) else None
