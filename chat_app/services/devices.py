"""The list of "My devices": my login sessions in words, and logging them out.

A device is one AuthSession row (services/sessions.py). The browser and system are read from
the user agent the device sent when it logged in, by a small table of well-known names, not
a full parser: an unknown agent is simply "Unknown browser" on "Unknown system".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from chat_app.models import AuthSession, utc_now
from chat_app.services.sessions import end_all_sessions
from chat_app.settings import SETTINGS, Settings

# A user sees at most this many devices (the most recently active first).
DEVICES_SHOWN = 50
UNKNOWN = ""

# Checked in order: an agent names several (Edge says "Chrome" and "Safari" too).
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Edge", r"\bEdg(?:e|A|iOS)?/"),
        ("Opera", r"\bOPR/|\bOpera\b"),
        ("Samsung Internet", r"\bSamsungBrowser/"),
        ("Firefox", r"\bFirefox/|\bFxiOS/"),
        ("Chromium", r"\bChromium/"),
        ("Chrome", r"\bChrome/|\bCriOS/|\bHeadlessChrome/"),
        ("Safari", r"\bSafari/"),
    )
)
_SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Android", r"\bAndroid\b"),
        ("iOS", r"\biPhone\b|\biPad\b|\biPod\b"),
        ("ChromeOS", r"\bCrOS\b"),
        ("Windows", r"\bWindows\b"),
        ("macOS", r"\bMac OS X\b|\bMacintosh\b"),
        ("Linux", r"\bLinux\b"),
    )
)


@dataclass(frozen=True)
class DeviceName:
    """A user agent in words: the browser and the operating system ("" when not known)."""

    browser: str
    system: str


def describe_user_agent(user_agent: object) -> DeviceName:
    """Name the browser and system a user agent string describes.

    Args:
        user_agent: The stored user agent (anything else names nothing).

    Returns:
        The names, UNKNOWN ("") for a part that is not recognised.
    """
    if not isinstance(user_agent, str):
        return DeviceName(UNKNOWN, UNKNOWN)
    browser = next((name for name, found in _BROWSERS if found.search(user_agent)), UNKNOWN)
    system = next((name for name, found in _SYSTEMS if found.search(user_agent)), UNKNOWN)
    return DeviceName(browser, system)


@dataclass(frozen=True)
class DeviceView:
    """One device of the viewer, as "My devices" lists it."""

    session_id: int
    browser: str
    system: str
    last_active: datetime
    address: str
    this_device: bool


def devices(
    *,
    session: Session,
    user_id: int,
    current_hash: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> tuple[DeviceView, ...]:
    """The user's live sessions, this device first, then the most recently active.

    Args:
        session: The database session.
        user_id: Whose devices (from the server-side session).
        current_hash: The token hash of the asking device (marked "this device").
        now: The current time.
        settings: Expiry configuration: expired sessions are not listed.

    Returns:
        At most DEVICES_SHOWN devices.
    """
    now = now or utc_now()
    rows = session.exec(
        select(AuthSession)
        .where(
            col(AuthSession.user_id) == user_id,
            col(AuthSession.expires_at) > now,
            col(AuthSession.last_seen_at) > now - settings.session_idle_timeout,
        )
        .order_by(col(AuthSession.last_seen_at).desc(), col(AuthSession.id).desc())
        .limit(DEVICES_SHOWN)
    ).all()
    views = [
        DeviceView(
            session_id=row.id or 0,
            browser=(name := describe_user_agent(row.user_agent)).browser,
            system=name.system,
            last_active=row.last_seen_at,
            address=row.client_address,
            this_device=row.token_hash == current_hash,
        )
        for row in rows
    ]
    return tuple(sorted(views, key=lambda view: not view.this_device))


def end_device(*, session: Session, user_id: int, session_id: object, current_hash: str) -> str:
    """Log out one of the user's other devices.

    Args:
        session: The database session.
        user_id: The viewer (from the server-side session).
        session_id: The device to end (untrusted id).
        current_hash: The asking device's token hash: it is never ended here (that is
            "Log out").

    Returns:
        The ended session's token hash (its tabs are sent to /auth), or "" when the id names
        no other session of this user: a forged id changes nothing and reveals nothing.
    """
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        return ""
    if not 0 < session_id < 2**63:
        return ""
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user_id or row.token_hash == current_hash:
        return ""
    ended = row.token_hash
    session.exec(delete(AuthSession).where(col(AuthSession.id) == session_id))
    session.commit()
    return ended


def end_other_devices(*, session: Session, user_id: int, current_hash: str) -> int:
    """Log out every device of the user but the asking one ("Log out all other devices").

    Sessions the list no longer shows (idle too long, past the first DEVICES_SHOWN) end too:
    a forgotten login on a shared computer is what this is for.

    Args:
        session: The database session.
        user_id: The viewer (from the server-side session).
        current_hash: The asking device's token hash, which stays logged in.

    Returns:
        How many sessions were ended. Without the asking device's hash nothing is ended:
        an empty hash would keep no session at all.
    """
    if not current_hash:
        return 0
    return end_all_sessions(session=session, user_id=user_id, except_hash=current_hash)
