"""Password hashing through the passlib API (the maintained `libpass` fork), argon2id."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache

from passlib.context import CryptContext

from chat_app.settings import SETTINGS

# Each argon2 hash holds argon2_memory_kib (19 MiB) while it runs: a flood of logins or
# registrations queues here instead of taking all the memory. The hashes run on these few
# threads only, not on whichever thread calls: glibc keeps a freed 19 MiB block in the
# calling thread's malloc arena, so hashing on many threads (even a few at a time) left
# one block resident per thread (measured: 24 callers, +285 MiB with a semaphore alone).
_HASHERS = ThreadPoolExecutor(
    max_workers=SETTINGS.argon2_max_concurrent, thread_name_prefix="argon2"
)

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
    return _HASHERS.submit(_context().hash, password).result()


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Check a password and tell whether its hash should be upgraded.

    Args:
        password: The plain password as typed.
        password_hash: The stored hash.

    Returns:
        (matches, new_hash): new_hash is set when the stored hash uses outdated parameters.
    """
    return _HASHERS.submit(_context().verify_and_update, password, password_hash).result()


@cache
def dummy_hash() -> str:
    """A hash to verify against for unknown users, so both failures take the same time."""
    return hash_password("not a real password, only here to spend the same time")
