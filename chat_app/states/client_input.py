"""Reflex's own events that carry raw client values, checked before Reflex runs them.

Browser storage (`rx.LocalStorage`, `rx.SessionStorage`, `rx.Cookie`) reaches the server
only through `_apply_client_storage_vars` in reflex/state.py, which Reflex 0.10.1 calls
from exactly two events: `hydrate_and_load` (every (re)connect, `vars` = the browser's
copies) and `update_vars_internal` (any time, any var a client names). It `setattr`s
whatever JSON the client sent: a dict where a str belongs raised tracebacks in our
handlers, and Reflex's field type check logged the value in full. `ClientInputGuard`, a
Reflex middleware, rewrites those payloads first: each storage value must be a string
matching its key's pattern in `STORAGE_PATTERNS`, anything else becomes "" (absent, and
the browser's copy is overwritten with ""); names that are not storage vars are dropped.
So every storage var is validated at one place, at the moment Reflex sets it, and
handlers read only well-formed strings (ARCHITECTURE §6c).

The same middleware bounds `handle_frontend_exception`'s text before Reflex scans it
with its auto-reload patterns, one of which is cubic in the text's length (a 1 MB report
would hold the event loop for hours), and drops malformed reports.
"""

from __future__ import annotations

import re
from typing import Any

from reflex.middleware.middleware import Middleware
from reflex.state import (
    BaseState,
    FrontendEventExceptionState,
    State,
    StateUpdate,
    UpdateVarsInternalState,
)
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import Event

from chat_app import emoji
from chat_app.i18n import TABLES
from chat_app.services import message_text
from chat_app.states import outbox_entries, place_entries

# Browser storage name → the only values the server accepts from it. Every client
# storage var of the app needs an entry (tests/states/test_client_input.py checks).
STORAGE_PATTERNS: dict[str, re.Pattern[str]] = {
    # secrets.token_urlsafe(32) (43 characters), with room for a longer format.
    "chat_session": re.compile(r"[A-Za-z0-9_-]{16,128}"),
    # A conversation id, as ConversationState writes it, and the friend's id older versions
    # wrote instead (ASCII digits: "²".isdigit() is True).
    "chat_open_conversation": re.compile(r"[1-9][0-9]{0,17}"),
    "chat_open_friend": re.compile(r"[1-9][0-9]{0,17}"),
    # The composer's text: at most what set_draft keeps (the same bound, never cut).
    "chat_draft": re.compile(rf"(?s).{{0,{message_text.DRAFT_MAX}}}"),
    # The outbox: a JSON list, each entry re-checked when read (states/outbox_entries.py);
    # twice its cap here, so an over-full copy is read, noted and trimmed, not blanked.
    "chat_outbox": re.compile(rf"(?s)\[.{{0,{2 * outbox_entries.MAX_UNITS}}}\]"),
    # The places and drafts kept per conversation: a JSON list, each entry re-checked when
    # read (states/place_entries.py); twice its cap, like the outbox.
    "chat_places": re.compile(rf"(?s)\[.{{0,{2 * place_entries.MAX_UNITS}}}\]"),
    # The client id issued for the composer's next message (uuid4 hex).
    "chat_next_client_id": outbox_entries.ISSUED_ID,
    # An upload this tab started and that has not ended (states/uploads.py).
    "chat_upload": re.compile("1"),
    "chat_language": re.compile("|".join(re.escape(code) for code in sorted(TABLES))),
    # The message being answered, "<user id>:<conversation id>:<seq>" (states/replies.py).
    "chat_reply": re.compile(r"[1-9][0-9]{0,17}:[1-9][0-9]{0,17}:[1-9][0-9]{0,18}"),
    # Recently used emoji, "<user id>:<emoji> ...": each re-checked when read (chat_app/emoji.py).
    "chat_recent_emoji": re.compile(rf"[1-9][0-9]{{0,17}}:[^\n]{{0,{emoji.MAX_RECENT_STORED}}}"),
}
# Longest frontend error text passed on to Reflex (which scans it with regexes) and to
# the frontend exception handler (which keeps one line of 500).
MAX_REPORT_LENGTH = 2000
MAX_HASHES = 1000

HYDRATE = f"{State.get_full_name()}.hydrate_and_load"
UPDATE_VARS = f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
FRONTEND_EXCEPTION = f"{FrontendEventExceptionState.get_full_name()}.handle_frontend_exception"


def stored_text(value: object, pattern: re.Pattern[str]) -> str:
    """A browser storage value as the server accepts it.

    Args:
        value: Whatever JSON the client sent.
        pattern: What a well-formed value looks like.

    Returns:
        The value when it is a string matching `pattern` in full, else "" (absent).
    """
    return value if isinstance(value, str) and pattern.fullmatch(value) else ""


def storage_name(key: object) -> str | None:
    """The browser storage name behind a payload key, or None if it is not one.

    Args:
        key: "<state full name>.<var>_rx_state_", as the browser sends it.

    Returns:
        The storage var's `name=` (its browser key), or None for anything else.
    """
    if not isinstance(key, str):
        return None
    state_name, _, var_name = key.rpartition(".")
    var_name = var_name.removesuffix(FIELD_MARKER)
    try:
        state_cls = State.get_class_substate(state_name)
    except ValueError:
        return None
    if not state_cls._is_client_storage(var_name):
        return None
    default = state_cls.get_fields()[var_name].default
    return getattr(default, "name", None) or var_name


def clean_storage_vars(values: object) -> dict[str, str]:
    """The storage part of a `vars` payload, every value checked.

    Args:
        values: The client's `vars` (untrusted: maybe not even a dict).

    Returns:
        Only the keys naming a storage var of the app, each with its checked value.
    """
    if not isinstance(values, dict):
        return {}
    clean: dict[str, str] = {}
    for key, value in values.items():
        name = storage_name(key)
        if name is not None:
            # A storage var without a pattern accepts nothing (the test names it).
            pattern = STORAGE_PATTERNS.get(name)
            clean[key] = stored_text(value, pattern) if pattern is not None else ""
    return clean


def _text(value: object) -> str | None:
    return value[:MAX_REPORT_LENGTH] if isinstance(value, str) else None


def clean_payload(name: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload Reflex may run one of its client-facing events with.

    Args:
        name: The event's full name.
        payload: The client's payload.

    Returns:
        The checked payload, the same payload for other events, or None to drop the
        event (a malformed frontend exception report).
    """
    if name == FRONTEND_EXCEPTION:
        info, stack = _text(payload.get("info")), _text(payload.get("component_stack"))
        if info is None or stack is None:
            return None
        return {"info": info, "component_stack": stack}
    if name == UPDATE_VARS:
        return {"vars": clean_storage_vars(payload.get("vars"))}
    if name == HYDRATE:
        clean: dict[str, Any] = {}
        if payload.get("vars") is not None:
            clean["vars"] = clean_storage_vars(payload["vars"])
        hashes = payload.get("hashes")
        if (
            isinstance(hashes, list)
            and len(hashes) <= MAX_HASHES
            and all(isinstance(item, str) and len(item) <= 64 for item in hashes)
        ):
            clean["hashes"] = hashes
        return clean
    return payload


class ClientInputGuard(Middleware):
    """`app.add_middleware(ClientInputGuard())`: checks the payloads named above."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        """Rewrite the payload in place before Reflex processes the event.

        Args:
            app: The app.
            state: The tab's root state.
            event: The incoming event.

        Returns:
            An empty update to drop the event, else None (process it).
        """
        if event.name not in (HYDRATE, UPDATE_VARS, FRONTEND_EXCEPTION):
            return None
        # The event is frozen, its payload dict is not: rewrite it in place.
        payload = event.payload
        clean = clean_payload(event.name, payload) if isinstance(payload, dict) else None
        if clean is None:
            return StateUpdate()
        payload.clear()
        payload.update(clean)
        return None
