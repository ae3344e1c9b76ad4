"""Field rules for account forms. Each check returns an error code or None."""

from __future__ import annotations

import re
import unicodedata

from chat_app import i18n
from chat_app.services import text_rules
from chat_app.services.errors import NotFound
from chat_app.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

MAX_USERNAME_LENGTH = 32
USERNAME_PATTERN = re.compile(rf"[A-Za-z0-9_]{{3,{MAX_USERNAME_LENGTH}}}")
MAX_NICKNAME_LENGTH = 32
# Reflex's internal Var marker (reflex_base.constants; services do not import reflex). In a
# string Reflex parses it freezes or breaks the parser: see chat_app/states/safe_text.py.
VAR_MARKER_TAGS = ("<reflex.Var>", "</reflex.Var>")
# What a tag becomes in stored names: the same text with full-width angle brackets.
NEUTRAL_MARKER_TAGS = ("\uff1creflex.Var\uff1e", "\uff1c/reflex.Var\uff1e")


def valid_id(value: object) -> int:
    """A positive database id, or NotFound for anything else a client may send.

    Args:
        value: The untrusted value.

    Returns:
        The id.

    Raises:
        NotFound: Not a positive int below 2**63 (bools, strings, floats, huge numbers:
            a forged `true` must not become user 1, nor 10**30 overflow the driver).
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise NotFound()
    return value


# Far past any list a server holds; keeps `page * page size` a small offset for the driver.
MAX_PAGE_NUMBER = 1_000_000


def page_number(value: object) -> int:
    """A zero-based page number a client asked for: 0 for anything else, at most 1,000,000.

    Args:
        value: The untrusted value (a forged `true`, a string or 10**30 read page 0 or the
            last allowed page, never an error from the database).

    Returns:
        The page number.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, MAX_PAGE_NUMBER)


def like_pattern(text: str) -> str:
    """A LIKE pattern (backslash its escape character) matching `text` anywhere, literally.

    Args:
        text: What to find (untrusted: its own %, _ and backslashes are taken as they are).

    Returns:
        The pattern, for `.like(pattern, escape=...)` or `.ilike(...)` with a backslash.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ordered_pair(a: int, b: int) -> tuple[int, int]:
    """Two user ids as (lower, higher): how pairs of users are stored."""
    return (a, b) if a < b else (b, a)


def username_key(username: str) -> str:
    """The case-insensitive form a username is unique under."""
    return username.strip().lower()


def check_username(username: str) -> str | None:
    """Check a username: 3-32 letters, digits or underscores.

    Args:
        username: The name as typed.

    Returns:
        An error code, or None when the name is acceptable.
    """
    if not username.strip():
        return "username_required"
    if not USERNAME_PATTERN.fullmatch(username.strip()):
        return "username_invalid"
    return None


def normalize_nickname(nickname: str) -> str:
    """NFC-normalise and trim a nickname, so equal-looking names are stored alike."""
    return unicodedata.normalize("NFC", nickname).strip()


def has_var_marker(text: str) -> bool:
    """Whether `text` holds anything like Reflex's Var marker tags (any letter case)."""
    lowered = text.lower()
    return "<reflex." in lowered or "</reflex." in lowered


def neutralize_var_markers(text: str) -> str:
    """`text` with Reflex's Var marker tags written with full-width angle brackets.

    Same length and still readable (U+FF1C/U+FF1E), but no longer a marker. One pass is
    complete: a replacement holds no "<" or ">", so it cannot form a new tag.

    Args:
        text: A name to store.

    Returns:
        The text without marker tags.
    """
    for tag, neutral in zip(VAR_MARKER_TAGS, NEUTRAL_MARKER_TAGS, strict=True):
        text = text.replace(tag, neutral)
    return text


def check_nickname(nickname: str) -> str | None:
    """Check a (normalised) nickname: 1-32 characters of any script, no control characters.

    Args:
        nickname: The output of `normalize_nickname`.

    Returns:
        An error code, or None when the nickname is acceptable.
    """
    problem = display_name_problem(nickname, MAX_NICKNAME_LENGTH)
    if problem:
        return f"nickname_{problem}"
    if _folded(nickname) in _RESERVED_NICKNAMES:
        return "nickname_reserved"
    return None


def _folded(name: str) -> str:
    """A name as compared with the reserved ones: full-width letters as plain, any case."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


# The words the app shows in a person's place: for the reader ("You removed Bob", "我:" in
# a search result) and for a deleted account. A nickname equal to one would make a group's
# timeline say "You removed Bob" to Carol when Mallory did it.
_RESERVED_NICKNAMES = frozenset(
    _folded(word)
    for key in ("system_you", "system_you_object", "message_search_you", "deleted_user")
    for word in i18n.in_every_language(key).values()
)


def display_name_problem(name: str, max_length: int) -> str | None:
    """What is wrong with a (normalised) name others see: a nickname or a group's name.

    Format characters (bidi overrides, zero-width joiners used to spoof) are refused
    because they let a name display differently from what it is; Reflex's Var marker
    because names are shown in toasts built on the server (defence in depth: those go
    through `literal_text` too).

    Args:
        name: The output of `normalize_nickname`.
        max_length: The most characters allowed.

    Returns:
        "required", "too_long" or "invalid", or None when the name is acceptable.
    """
    if not name:
        return "required"
    if len(name) > max_length:
        return "too_long"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        return "invalid"
    if not text_rules.has_visible(name):
        # Fillers (U+3164...), the braille blank or lone combining marks: a blank name.
        return "invalid"
    if has_var_marker(name):
        return "invalid"
    return None


def check_password(password: str) -> str | None:
    """Check a new password's length: 8-128 characters, used as typed.

    Args:
        password: The new password.

    Returns:
        An error code, or None when the password is acceptable.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "password_too_long"
    return None


def check_new_password(password: str, confirmation: str) -> dict[str, str]:
    """Check a new password and its confirmation.

    Args:
        password: The new password.
        confirmation: The same password typed again.

    Returns:
        Field name to error code for each failing field (empty when both are fine).
    """
    errors: dict[str, str] = {}
    if (error := check_password(password)) is not None:
        errors["password"] = error
    elif password != confirmation:
        errors["password_confirm"] = "password_mismatch"
    return errors


def check_new_account(
    username: str, nickname: str, password: str, confirmation: str
) -> dict[str, str]:
    """Check the fields of a new account (not whether the username is taken).

    Args:
        username: The username, stripped.
        nickname: The nickname, normalised.
        password: The password.
        confirmation: The same password typed again.

    Returns:
        Field name to error code for each failing field (empty when all are fine).
    """
    errors: dict[str, str] = {}
    if (error := check_username(username)) is not None:
        errors["username"] = error
    if (error := check_nickname(nickname)) is not None:
        errors["nickname"] = error
    errors.update(check_new_password(password, confirmation))
    return errors
