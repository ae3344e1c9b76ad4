"""Message buffers on plain data for the buffer's tests: messages, an empty buffer, the page."""

from __future__ import annotations

from collections.abc import Sequence

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import LIVE_BANK, LIVE_SLOTS, MessageBuffer

ME, FRIEND = 1, 2


def stored(seq: int, sender: int = FRIEND) -> MessageView:
    return MessageView(seq=seq, sender_id=sender, client_id=f"c{seq}", body=f"m{seq}", sent_at="")


def pending(client_id: str, status: str = "sending") -> MessageView:
    return MessageView(
        seq=0, sender_id=ME, client_id=client_id, body=client_id, sent_at="", status=status
    )


def empty(window: list[MessageView] | None = None, window_max: int = 150) -> MessageBuffer:
    return MessageBuffer(window=window or [], slots=[None] * LIVE_SLOTS, window_max=window_max)


def seqs(messages: Sequence[MessageView | None]) -> list[int]:
    return [m.seq for m in messages if m is not None]


def page_order(buffer: MessageBuffer) -> list[int]:
    """What the page shows top to bottom, read the way the page renders it.

    The window, then bank `first_bank` (its slots in index order), then the other bank,
    then the pending copies (seq 0): no sorting, as the DOM has none.
    """
    first = buffer.first_bank * LIVE_BANK
    second = (1 - buffer.first_bank) * LIVE_BANK
    banks = [*buffer.slots[first : first + LIVE_BANK], *buffer.slots[second : second + LIVE_BANK]]
    return seqs([*buffer.window, *banks, *buffer.pending_copies])
