"""Every tunable of the app, read from the environment once and validated.

This module is a leaf: any layer may import it, and it imports nothing of the app.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Where Reflex 0.10.1's backend listens unless told otherwise (rx.Config.backend_host).
REFLEX_DEFAULT_HOST = "0.0.0.0"  # noqa: S104  (read, not bound here)
# Azure's rule: 3-63 lowercase letters, digits and single hyphens, a letter or digit at each end.
_CONTAINER_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot run with."""


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one app process."""

    database_url: str
    data_dir: Path
    # The data folder of earlier versions (Reflex's public upload folder), whose contents
    # are moved into data_dir at start-up; None when CHAT_DATA_DIR is set explicitly.
    legacy_data_dir: Path | None
    session_idle_timeout: timedelta
    session_absolute_timeout: timedelta
    login_failure_window: timedelta
    login_max_failures_per_pair: int
    login_max_delay: timedelta
    login_max_failures_per_address: int
    registrations_per_address_per_hour: int
    argon2_memory_kib: int
    argon2_time_cost: int
    argon2_max_concurrent: int
    message_rate_count: int
    message_rate_window: timedelta
    friend_request_rate_per_hour: int
    block_rate_per_hour: int
    search_rate_per_hour: int
    group_member_limit: int
    group_creations_per_hour: int
    max_upload_bytes: int
    user_quota_bytes: int
    file_url_ttl: timedelta
    secret_key: str
    azure_connection_string: str
    azure_container: str
    # The address people open the app at (scheme://host[:port][/path]), for invite and
    # password-reset links; "" when unknown (links then use the admin page's own origin).
    public_url: str
    # Wrong invite, reset or setup tokens one client address may try per hour.
    token_guesses_per_hour: int
    # The address the backend listens on: `reflex run --backend-host` passes it to the
    # workers as REFLEX_BACKEND_HOST; without it Reflex listens on every interface.
    listen_host: str

    @property
    def max_upload_mb(self) -> int:
        """The upload limit in whole megabytes, as shown to users."""
        return self.max_upload_bytes // (1024 * 1024)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _container(env: Mapping[str, str]) -> str:
    name = env.get("CHAT_AZURE_CONTAINER", "").strip() or "chat-files"
    if not (3 <= len(name) <= 63 and _CONTAINER_NAME.fullmatch(name)):
        raise SettingsError(
            "CHAT_AZURE_CONTAINER must be 3 to 63 lowercase letters, digits and single "
            f"hyphens, starting and ending with a letter or digit, got {name!r}"
        )
    return name


def _public_url(env: Mapping[str, str]) -> str:
    url = env.get("CHAT_PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            "CHAT_PUBLIC_URL must be an http(s) address such as https://chat.example.org, "
            f"without a query or fragment; got {url!r}"
        )
    return url


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from environment variables.

    Args:
        env: The variables to read; the process environment when omitted.

    Returns:
        The validated settings.

    Raises:
        SettingsError: A variable is malformed or out of range.
    """
    env = os.environ if env is None else env
    # Private: never inside Reflex's upload folder (uploaded_files/), which Reflex serves.
    data_dir = Path(env.get("CHAT_DATA_DIR") or PROJECT_DIR / "data").resolve()
    legacy_data_dir = None if env.get("CHAT_DATA_DIR") else PROJECT_DIR / "uploaded_files"
    database_url = env.get("REFLEX_DB_URL") or f"sqlite:///{PROJECT_DIR / 'chat.db'}"
    idle_days = _int(env, "CHAT_SESSION_IDLE_DAYS", 7, 1, 365)
    absolute_days = _int(env, "CHAT_SESSION_ABSOLUTE_DAYS", 30, 1, 3650)
    if idle_days > absolute_days:
        raise SettingsError("CHAT_SESSION_IDLE_DAYS must not exceed CHAT_SESSION_ABSOLUTE_DAYS")
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        legacy_data_dir=legacy_data_dir,
        session_idle_timeout=timedelta(days=idle_days),
        session_absolute_timeout=timedelta(days=absolute_days),
        login_failure_window=timedelta(
            minutes=_int(env, "CHAT_LOGIN_FAILURE_WINDOW_MINUTES", 15, 1, 24 * 60)
        ),
        # Failures per (username, address) and per logged-in device before that one pair
        # waits; beyond it, every address trying the username waits a growing delay.
        login_max_failures_per_pair=_int(env, "CHAT_LOGIN_MAX_FAILURES", 5, 1, 1000),
        login_max_delay=timedelta(seconds=_int(env, "CHAT_LOGIN_MAX_DELAY_SECONDS", 60, 1, 3600)),
        # A classroom or office shares one public address (40 people with a few typos
        # each stay well below); only password spraying reaches it.
        login_max_failures_per_address=_int(
            env, "CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS", 200, 1, 1_000_000
        ),
        # A classroom behind one NAT signs up in the same hour.
        registrations_per_address_per_hour=_int(
            env, "CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS", 60, 1, 1_000_000
        ),
        # OWASP's argon2id baseline: 19 MiB, two passes.
        argon2_memory_kib=_int(env, "CHAT_ARGON2_MEMORY_KIB", 19456, 8, 4 * 1024 * 1024),
        argon2_time_cost=_int(env, "CHAT_ARGON2_TIME_COST", 2, 1, 100),
        # Hashes running at once in one process (each holds argon2_memory_kib).
        argon2_max_concurrent=_int(
            env, "CHAT_ARGON2_MAX_CONCURRENT", min(4, os.cpu_count() or 1), 1, 256
        ),
        message_rate_count=_int(env, "CHAT_MESSAGE_RATE_COUNT", 10, 1, 1_000_000),
        message_rate_window=timedelta(seconds=_int(env, "CHAT_MESSAGE_RATE_SECONDS", 10, 1, 3600)),
        friend_request_rate_per_hour=_int(env, "CHAT_FRIEND_REQUESTS_PER_HOUR", 20, 1, 10_000),
        # Blocks and unblocks together, and exact-name searches: every attempt counts,
        # so probing ids or guessing usernames is slow whatever the answers.
        block_rate_per_hour=_int(env, "CHAT_BLOCKS_PER_HOUR", 30, 1, 10_000),
        search_rate_per_hour=_int(env, "CHAT_SEARCHES_PER_HOUR", 120, 1, 100_000),
        # Members of one group, its owner included (a classroom or a company fits).
        group_member_limit=_int(env, "CHAT_GROUP_MEMBER_LIMIT", 256, 2, 10_000),
        # New groups per user; every member added is one more row and fan-out target.
        group_creations_per_hour=_int(env, "CHAT_GROUPS_PER_HOUR", 20, 1, 10_000),
        max_upload_bytes=_int(env, "CHAT_MAX_UPLOAD_MB", 25, 1, 10_000) * 1024 * 1024,
        user_quota_bytes=_int(env, "CHAT_USER_QUOTA_MB", 1024, 1, 10_000_000) * 1024 * 1024,
        file_url_ttl=timedelta(minutes=_int(env, "CHAT_FILE_URL_TTL_MINUTES", 720, 1, 10_080)),
        secret_key=env.get("CHAT_SECRET_KEY", ""),
        # Set: uploaded files live in this Azure Blob Storage container, not data_dir.
        azure_connection_string=env.get("CHAT_AZURE_STORAGE_CONNECTION_STRING", "").strip(),
        azure_container=_container(env),
        public_url=_public_url(env),
        token_guesses_per_hour=_int(env, "CHAT_TOKEN_GUESSES_PER_HOUR", 20, 1, 100_000),
        listen_host=env.get("REFLEX_BACKEND_HOST", "").strip() or REFLEX_DEFAULT_HOST,
    )


SETTINGS = load_settings()
