"""What a reply shows of the message it answers: who wrote it and the start of it.

Pure data (no database): the message view holds one (services/views.py); the page finds the
quoted sender's name itself (the friend, "You", or a group's look-up), so no name rides on
a message.
"""

from __future__ import annotations

from dataclasses import dataclass

# A quote shows at most this many characters of the message it answers (one line).
QUOTE_CHARS = 100
# Kinds of message a reply may answer (a group's event line is not one).
QUOTABLE_KINDS = ("text", "image", "file")


@dataclass(frozen=True)
class ReplyView:
    """The message a reply answers, as the reply shows it.

    Attributes:
        seq: Its place in the conversation (a press on the quote goes there).
        sender_id: Who wrote it.
        kind: "text", "image" or "file".
        text: Its first QUOTE_CHARS characters on one line, or the file's name; "" once
            it was deleted for everyone.
        deleted: It was deleted for everyone.
        earlier: It is older than the reader's membership of the group: neither its text
            nor its sender is the reader's to see (`sender_id` is 0, `text` "").
    """

    seq: int
    sender_id: int
    kind: str
    text: str
    deleted: bool = False
    earlier: bool = False


def withheld(quote: ReplyView) -> ReplyView:
    """The quote as a reader who joined after the quoted message sees it: only its seq."""
    return ReplyView(seq=quote.seq, sender_id=0, kind="text", text="", earlier=True)


def quote_of(seq: int, sender_id: int, kind: str, body: str, deleted: bool) -> ReplyView:
    """The quote of a stored message.

    Args:
        seq: Its seq.
        sender_id: Its sender.
        kind: Its kind.
        body: Its text (a file's name for a file).
        deleted: Whether it was deleted for everyone (its body is empty then).

    Returns:
        The quote, its text on one line and cut.
    """
    line = " ".join(body.split())
    if len(line) > QUOTE_CHARS:
        line = line[: QUOTE_CHARS - 1] + "…"
    return ReplyView(seq=seq, sender_id=sender_id, kind=kind, text=line, deleted=deleted)
