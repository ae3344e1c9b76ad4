"""The timeline's line for a group event, in the reader's language, with today's names.

A system message stores user ids and values only (services/group_events.py): names change
and readers differ in language, so the line is made when a tab shows it. The result is
plain text holding user-chosen names: the state layer puts it in a var's value, never into
a Var built on the server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from chat_app.i18n import text

# Named one by one up to this many; beyond, "A, B, C and 4 more".
MOST_NAMES = 3
_EVENTS = {"created", "added", "removed", "left", "renamed", "avatar", "owner"}
# Events whose row line says "You …" to the member they name.
_ABOUT_THE_READER = {"added", "removed"}


def user_ids_in(body: str) -> set[int]:
    """The users a system message names (the actor included), to look their names up.

    Args:
        body: The stored body (JSON); anything malformed names nobody.

    Returns:
        Their ids.
    """
    record = _record(body)
    actor = record.get("actor")
    ids = set(_users(record))
    return ids | {actor} if isinstance(actor, int) else ids


def system_line(
    body: str, language: str, name_of: Callable[[int], str], viewer_id: int | None
) -> str:
    """The line a reader sees for a group event.

    Args:
        body: The stored body: {"event": ..., "actor": id, "users": [ids], ...}.
        language: The reader's language.
        name_of: Today's display name of a user id (the state looks them up once).
        viewer_id: The reader, named "You" / "you".

    Returns:
        The line; a neutral "The group was changed" for a body it cannot read.
    """
    record = _record(body)
    event = record.get("event")
    actor = record.get("actor")
    if (event not in _EVENTS and event != "role") or not isinstance(actor, int):
        return text("system_unknown", language)

    def named(user_id: int, subject: bool) -> str:
        if user_id == viewer_id:
            return text("system_you" if subject else "system_you_object", language)
        return name_of(user_id)

    values: dict[str, object] = {
        "actor": named(actor, subject=True),
        "users": _listed([named(uid, subject=False) for uid in _users(record)], language),
        "name": record.get("name") if isinstance(record.get("name"), str) else "",
    }
    if event == "role":
        key = "system_made_admin" if record.get("role") == "admin" else "system_unmade_admin"
    else:
        key = f"system_{event}"
    return text(key, language, **values)


def preview_of(body: str, language: str, viewer_id: int | None = None) -> str:
    """A group event as a chat row's last line: what happened, naming no one but the reader.

    A row names no people for an event: their names would need the viewer's blocks and a
    look-up per row, while the timeline writes the whole line once the chat is open. The
    reader is the exception: "You were removed" is what a removed member must read.

    Args:
        body: The stored body (JSON).
        language: The reader's language.
        viewer_id: The reader (None: unknown, the line names no one).

    Returns:
        One short line ("Members added", "Group renamed to “Trip”"); "Group updated" for a
        body it cannot read.
    """
    record = _record(body)
    event, name = record.get("event"), record.get("name")
    if not isinstance(event, str) or (event not in _EVENTS and event != "role"):
        return text("preview_group_event", language)
    if event in _ABOUT_THE_READER and viewer_id is not None and viewer_id in _users(record):
        return text(f"preview_system_{event}_you", language)
    return text(f"preview_system_{event}", language, name=name if isinstance(name, str) else "")


def _record(body: str) -> Mapping[str, object]:
    try:
        record = json.loads(body)
    except (TypeError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _users(record: Mapping[str, object]) -> list[int]:
    users = record.get("users")
    if not isinstance(users, list):
        return []
    return [uid for uid in users if isinstance(uid, int) and not isinstance(uid, bool)]


def _listed(names: list[str], language: str) -> str:
    """Names as a list: A; A and B; A, B and C; A, B, C and 2 more (and in Chinese)."""
    if not names:
        return ""
    separator = text("system_separator", language)
    if len(names) > MOST_NAMES:
        shown = separator.join(names[:MOST_NAMES])
        return text("system_names_more", language, names=shown, count=len(names) - MOST_NAMES)
    if len(names) == 1:
        return names[0]
    return text("system_and", language, names=separator.join(names[:-1]), last=names[-1])
