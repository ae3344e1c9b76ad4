"""The browser's outbox on plain data: its entries, their storage format, caps and merging.

A message the server has accepted but not yet acknowledged lives in the tab's browser storage
(`OutboxState.outbox`) until it is stored or deleted, so a crash, a restart, a dropped socket
or a reload shows it again and re-sends it with the same client id (never a second row).

Browser storage is untrusted (any client can set it at any time) and travels whole in every
(re)connect, so reading it re-checks every entry like a fresh send, keeps only the viewer's
own, and enforces the caps (ARCHITECTURE §6c); refused entries are counted for a note.
No Reflex here: the state adapts it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from chat_app.services import message_text
from chat_app.services.errors import DomainError
from chat_app.services.mentions import PICKED_MAX
from chat_app.states.stored_json import stored_items, stored_value, units

# With the drafts and the login token this stays far under the 200 KB budget of §6c.
MAX_ENTRIES = 30
MAX_UNITS = 100_000
# What the composer's hidden field may carry: an id this server issued (uuid4 hex).
ISSUED_ID = re.compile(r"[0-9a-f]{32}")
_FAILURE = re.compile(r"[a-z_]{1,40}")
# The failures a second try can fix: the store itself failed (database unreachable), the
# sender was over the rate limit, or the id was taken by another text (the entry is then
# re-keyed and Retry sends it as a new message). Every other code is a refusal that stays
# true however often it is repeated (not or no longer friends, a block, the text rules):
# such an entry offers Delete only. Unknown codes (another version's, forged) count as final.
RETRYABLE = frozenset({"error", "try_again", "too_many_messages", "client_id_conflict"})
_SENT_AT = re.compile(r"[0-9T:.+\-]{10,40}")


def derived_client_id(issued: str, body: str) -> str:
    """The client id of a second text sent with an id already used by another text.

    The composer's hidden field keeps the id issued for its next message until the server's
    update reaches the browser; a text typed and sent in that moment arrives with the used
    id. Deriving from the id and the text gives the same id again when that send is
    repeated, so it is stored once, and never the stored message's id.
    """
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{issued}-{digest}"


@dataclass(frozen=True)
class OutboxEntry:
    """One message that left the composer and is not stored yet.

    Attributes:
        user_id: Whose message it is (a browser profile may be shared).
        conversation_id: Where it goes.
        client_id: Its id (the same on every re-send).
        body: The text, as checked.
        sent_at: When it was sent, ISO 8601 (shown on the bubble).
        failure: "" while it is being sent; else why it was not stored (an i18n key).
        mentioned: Whom it mentions (users picked after `@`): kept with the text, so a
            retry or a re-send after a restart stores its mentions too.
        reply_to: The seq of the message it replies to (0: none), kept likewise.
    """

    user_id: int
    conversation_id: int
    client_id: str
    body: str
    sent_at: str
    failure: str = ""
    mentioned: tuple[int, ...] = ()
    reply_to: int = 0

    @property
    def retryable(self) -> bool:
        """Whether this failed entry may succeed when sent again (see RETRYABLE)."""
        return self.failure in RETRYABLE

    def failed(self, code: str) -> OutboxEntry:
        """This entry, failed with `code`."""
        return replace(self, failure=code)

    def sending(self) -> OutboxEntry:
        """This entry, being sent again."""
        return replace(self, failure="")

    def encoded(self) -> dict[str, object]:
        """The entry in storage's short form ("m" and "r" only when it mentions, replies)."""
        encoded: dict[str, object] = {
            "u": self.user_id,
            "c": self.conversation_id,
            "i": self.client_id,
            "b": self.body,
            "t": self.sent_at,
            "f": self.failure,
        }
        if self.mentioned:
            encoded["m"] = list(self.mentioned)
        if self.reply_to:
            encoded["r"] = self.reply_to
        return encoded


@dataclass
class Outbox:
    """One user's outbox, in send order, with how many stored entries were refused."""

    entries: list[OutboxEntry] = field(default_factory=list)
    dropped: int = 0

    def find(self, client_id: str) -> OutboxEntry | None:
        """The entry with this client id, if any."""
        return next((entry for entry in self.entries if entry.client_id == client_id), None)

    def put(self, entry: OutboxEntry) -> None:
        """Add an entry, or replace the one with its client id in place."""
        for index, existing in enumerate(self.entries):
            if existing.client_id == entry.client_id:
                self.entries[index] = entry
                return
        self.entries.append(entry)

    def remove(self, client_id: str) -> None:
        """Forget an entry (stored, or deleted by the user)."""
        self.entries = [entry for entry in self.entries if entry.client_id != client_id]

    def has_room_for(self, body: str, mentioned: tuple[int, ...] = ()) -> bool:
        """Whether one more entry with this text (mentioning these users) fits the caps."""
        if len(self.entries) >= MAX_ENTRIES:
            return False
        # Counted as a reply to the largest seq: a reply and a plain message fit alike.
        probe = OutboxEntry(
            0,
            0,
            "0" * 45,
            body,
            "2000-01-01T00:00:00.000000+00:00",
            mentioned=mentioned,
            reply_to=2**63 - 1,
        )
        return units(self.encode()) + units(stored_value([probe.encoded()])) <= MAX_UNITS

    def of_conversation(self, conversation_id: int) -> list[OutboxEntry]:
        """The entries going to one conversation, in send order."""
        return [entry for entry in self.entries if entry.conversation_id == conversation_id]

    def unsent(self) -> list[OutboxEntry]:
        """The entries still to be sent (not failed), in send order."""
        return [entry for entry in self.entries if not entry.failure]

    def encode(self) -> str:
        """The storage value ("" when empty)."""
        return stored_value([entry.encoded() for entry in self.entries])


def read(raw: object, user_id: int) -> Outbox:
    """The viewer's outbox from a storage value, every entry checked like a fresh send.

    Args:
        raw: The storage value (untrusted: forged, another user's, another version's).
        user_id: The tab's user; other users' entries are left out, and counted.

    Returns:
        At most MAX_ENTRIES entries within MAX_UNITS, first ones first, with the number of
        entries refused (malformed, another user's, a repeated client id, over a cap).
    """
    items = stored_items(raw, MAX_UNITS)
    if items is None:
        return Outbox(dropped=1)
    outbox = Outbox()
    for item in items:
        entry = _entry_of(item, user_id)
        if (
            entry is None
            or outbox.find(entry.client_id)
            or not outbox.has_room_for(entry.body, entry.mentioned)
        ):
            outbox.dropped += 1
            continue
        outbox.entries.append(entry)
    return outbox


def _entry_of(item: object, user_id: int) -> OutboxEntry | None:
    """An entry from storage, or None when it is not a valid entry of this user."""
    if not isinstance(item, dict) or item.get("u") != user_id or type(item.get("u")) is not int:
        return None
    conversation_id, client_id = item.get("c"), item.get("i")
    sent_at, failure = item.get("t"), item.get("f", "")
    if type(conversation_id) is not int or not 0 < conversation_id < 2**63:
        return None
    if not isinstance(client_id, str) or len(client_id) > 64:
        return None
    if not isinstance(sent_at, str) or not _SENT_AT.fullmatch(sent_at):
        return None
    if not isinstance(failure, str) or (failure and not _FAILURE.fullmatch(failure)):
        return None
    try:
        client_id = message_text.client_id_of(client_id)
        body = message_text.clean_body(item.get("b"))
    except DomainError:
        return None
    mentioned = _mentioned_of(item.get("m", []))
    # Like the mentions: a malformed "r" costs the quote, never the text; the service
    # checks a well-formed one again at every store.
    reply_to = item.get("r", 0)
    if type(reply_to) is not int or not 0 < reply_to < 2**63:
        reply_to = 0
    return OutboxEntry(
        user_id, conversation_id, client_id, body, sent_at, failure, mentioned, reply_to
    )


def _mentioned_of(value: object) -> tuple[int, ...]:
    """Whom a stored entry mentions: none when "m" is absent (an older entry) or malformed.

    A malformed list costs the mentions, never the text. Valid ids are still untrusted: the
    service checks them again at every store, so they only ever become mentions of current
    members outside a block, and reveal nothing.
    """
    if not isinstance(value, list) or len(value) > PICKED_MAX:  # pyright: ignore[reportUnknownArgumentType]
        return ()
    ids: list[object] = list(value)  # pyright: ignore[reportUnknownArgumentType]
    users = [user for user in ids if type(user) is int and 0 < user < 2**63]
    return tuple(dict.fromkeys(users)) if len(users) == len(ids) else ()


def merge(newer: Outbox, older: Outbox) -> Outbox:
    """Entries of both copies by client id; where both hold one, the newer copy's wins.

    The server keeps the last value it wrote (newer: a send it accepted whose update never
    reached the browser is in it); the browser's copy (older) comes back at every hydrate
    and may be stale, or hold entries of a duplicated tab.

    Returns:
        The older copy's order with the newer copy's entries, then the newer-only entries,
        within the caps.
    """
    merged = Outbox(dropped=newer.dropped + older.dropped)
    newer_ids = {entry.client_id for entry in newer.entries}
    for entry in older.entries:
        chosen = newer.find(entry.client_id) if entry.client_id in newer_ids else entry
        if chosen is not None and merged.has_room_for(chosen.body, chosen.mentioned):
            merged.entries.append(chosen)
    for entry in newer.entries:
        if merged.find(entry.client_id) is None and merged.has_room_for(
            entry.body, entry.mentioned
        ):
            merged.entries.append(entry)
    return merged
