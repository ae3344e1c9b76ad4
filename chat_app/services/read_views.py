"""Who has read how far: the outcome of a read and what "Read by N" shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadReceipt:
    """`reader_id` has read the conversation up to `seq`."""

    conversation_id: int
    reader_id: int
    # The other member of a direct conversation (whose tabs show the receipt); 0 in a group.
    friend_id: int
    seq: int
    # Messages from the friend still unread after this receipt (for the reader's other tabs).
    unread_left: int = 0
    # False while either blocks the other: only the reader's own tabs hear of it.
    shared: bool = True
    # Whether the reader is a current member: once they left, nobody hears of their reads.
    told: bool = True
    # The users in a block with the reader, either way: they never hear of the reads.
    hidden_from: frozenset[int] = frozenset()
    # Where the reader's cursor was before: the messages in (previous_seq, seq] were read.
    previous_seq: int = 0

    def heard_by(self, member_id: int) -> bool:
        """Whether another current member of the conversation hears of this read.

        Args:
            member_id: A current member (the caller knows them to be one).

        Returns:
            True but for the reader, a departed reader's reads and a block between the two.
        """
        return self.told and member_id != self.reader_id and member_id not in self.hidden_from


@dataclass(frozen=True)
class Readers:
    """Who has read a conversation up to `seq` ("Read by N"; "Read" when all have)."""

    conversation_id: int
    seq: int
    # The members who have, in id order.
    reader_ids: tuple[int, ...]
    # The members who could have: the message's sender and the asker's blocks left out.
    member_count: int
