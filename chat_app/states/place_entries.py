"""Where the reader was in each conversation, and the drafts left there, on plain data.

Switching to another conversation keeps the one left's place: "bottom", or the message the
reader was reading (its seq), and the draft from the composer. Both come back when the reader
returns (`PlaceState`, in the tab's browser storage, so a restarted server still knows).

Browser storage is untrusted (any client can set it at any time), shared by every user of
the browser profile and sent whole in every (re)connect, so reading re-checks every entry,
keeps only the viewer's own, and enforces the caps (ARCHITECTURE §6c). When the caps are
reached, the oldest positions make room (a position is cheap to lose); a draft is never
dropped to make room: keeping one that does not fit is refused, visibly, by the caller.
No Reflex here: the state adapts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeGuard

from chat_app.services.message_text import DRAFT_MAX
from chat_app.states.stored_json import stored_items, stored_value, units

# The §6c budget (200 KB) is shared: the outbox may use 100,000 UTF-16 units, the open
# conversation's draft 20,000 (DRAFT_MAX), the login token and ids a few hundred; this
# leaves room for three drafts of the longest kind, or many short ones.
MAX_PLACES = 20
MAX_UNITS = 60_000
BOTTOM = 0
_MAX_ID = 2**63


@dataclass(frozen=True)
class Place:
    """One conversation's place for one user.

    Attributes:
        user_id: Whose place it is (a browser profile may be shared).
        conversation_id: The conversation.
        anchor: The seq of the message the reader was reading, or BOTTOM.
        draft: The composer's text left there ("" for none).
    """

    user_id: int
    conversation_id: int
    anchor: int = BOTTOM
    draft: str = ""

    def encoded(self) -> dict[str, object]:
        """The entry in storage's short form."""
        return {"u": self.user_id, "c": self.conversation_id, "a": self.anchor, "d": self.draft}


@dataclass
class Places:
    """One user's places, least recently left first, with how many stored entries were refused."""

    entries: list[Place] = field(default_factory=list)
    dropped: int = 0

    def find(self, conversation_id: int) -> Place | None:
        """The place kept for a conversation, if any."""
        return next((p for p in self.entries if p.conversation_id == conversation_id), None)

    def take(self, conversation_id: int) -> Place | None:
        """Remove and return a conversation's place (its draft goes back to the composer)."""
        found = self.find(conversation_id)
        if found is not None:
            self.entries = [p for p in self.entries if p is not found]
        return found

    def keep(self, place: Place) -> bool:
        """Keep a conversation's place as the most recently left one.

        Oldest positions (places without a draft) give way when the caps are reached; a
        draft never does. Keeping the bottom without a draft keeps nothing (the default).

        Returns:
            False, changing nothing, when the place holds a draft that does not fit even
            after every other position gave way.
        """
        before = list(self.entries)
        self.take(place.conversation_id)
        if place.anchor == BOTTOM and not place.draft:
            return True
        self.entries.append(place)
        while not self._fits():
            oldest_position = next((p for p in self.entries if not p.draft), None)
            if oldest_position is None:
                self.entries = before
                return False
            self.entries.remove(oldest_position)
        return True

    def _fits(self) -> bool:
        return len(self.entries) <= MAX_PLACES and units(self.encode()) <= MAX_UNITS

    def encode(self) -> str:
        """The storage value ("" when empty)."""
        return stored_value([p.encoded() for p in self.entries])


def joined(kept: str, current: str) -> str | None:
    """The draft to show on opening: the one kept there, and text the composer held already.

    Returns:
        One of them when the other is empty (or both are the same), both one after the
        other, or None when together they do not fit the composer (nothing is dropped).
    """
    if not kept or not current or kept == current:
        return kept or current
    both = f"{kept}\n\n{current}"
    return both if len(both) <= DRAFT_MAX else None


def read(raw: object, user_id: int) -> Places:
    """The viewer's places from a storage value, every entry checked.

    Args:
        raw: The storage value (untrusted: forged, another user's, another version's).
        user_id: The tab's user; other users' entries are left out, and counted.

    Returns:
        The most recently left entries that fit the caps, in their order, with the number of
        entries refused (malformed, another user's, a repeated conversation, over a cap).
    """
    items = stored_items(raw, MAX_UNITS)
    if items is None:
        return Places(dropped=1)
    places = Places()
    # The most recent last: read from there, so the caps keep the newest.
    for item in reversed(items):
        place = _place_of(item, user_id)
        if place is None or places.find(place.conversation_id) is not None:
            places.dropped += 1
            continue
        places.entries.insert(0, place)
        if not places._fits():
            places.entries.pop(0)
            places.dropped += 1
    return places


def _is_id(value: object, low: int) -> TypeGuard[int]:
    return type(value) is int and low <= value < _MAX_ID


def _place_of(item: object, user_id: int) -> Place | None:
    """A place from storage, or None when it is not a valid place of this user."""
    if not isinstance(item, dict) or item.get("u") != user_id or type(item.get("u")) is not int:
        return None
    conversation_id, anchor, draft = item.get("c"), item.get("a", BOTTOM), item.get("d", "")
    if not _is_id(conversation_id, 1) or not _is_id(anchor, 0):
        return None
    # Never cut: a longer draft was not written by this app (set_draft keeps at most this).
    if not isinstance(draft, str) or len(draft) > DRAFT_MAX:
        return None
    if anchor == BOTTOM and not draft:
        return None
    return Place(user_id, conversation_id, anchor, draft)
