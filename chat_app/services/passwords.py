"""Password hashing through the passlib API (the maintained `libpass` fork), argon2id."""

from __future__ import annotations

import threading
from functools import cache

from passlib.context import CryptContext

from chat_app.settings import SETTINGS

# Each argon2 hash holds argon2_memory_kib (19 MiB) while it runs: a flood of logins or
# registrations waits here instead of taking all the memory (one count per process,
# whichever thread or event loop calls).
_HASH_SLOTS = threading.BoundedSemaphore(SETTINGS.argon2_max_concurrent)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


@cache
def _context() -> CryptContext:
    # pbkdf2 stays verifiable so hashes can migrate; `deprecated="auto"` flags them for rehash.
    return CryptContext(
        schemes=["argon2", "pbkdf2_sha256"],
        deprecated="auto",
        argon2__type="ID",
        argon2__memory_cost=SETTINGS.argon2_memory_kib,
        argon2__time_cost=SETTINGS.argon2_time_cost,
        argon2__parallelism=1,
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id. Slow by design: call it off the event loop.

    Args:
        password: The plain password, used in full (never truncated).

    Returns:
        The encoded hash, parameters included.
    """
    with _HASH_SLOTS:
        return _context().hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Check a password and tell whether its hash should be upgraded.

    Args:
        password: The plain password as typed.
        password_hash: The stored hash.

    Returns:
        (matches, new_hash): new_hash is set when the stored hash uses outdated parameters.
    """
    with _HASH_SLOTS:
        return _context().verify_and_update(password, password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against for unknown users, so both failures take the same time."""
    return hash_password("not a real password, only here to spend the same time")
