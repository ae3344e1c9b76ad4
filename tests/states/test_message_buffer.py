"""The message buffer on plain data: ring, window, holes, pending copies, eviction, paging."""

from __future__ import annotations

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import (
    LIVE_SLOTS,
    PENDING_ORDER,
    LiveSlot,
    MessageBuffer,
    contiguous_end,
)

ME, FRIEND = 1, 2


def stored(seq: int, sender: int = FRIEND) -> MessageView:
    return MessageView(seq=seq, sender_id=sender, client_id=f"c{seq}", body=f"m{seq}", sent_at="")


def pending(client_id: str, status: str = "sending") -> MessageView:
    return MessageView(
        seq=0, sender_id=ME, client_id=client_id, body=client_id, sent_at="", status=status
    )


def empty(window: list[MessageView] | None = None, window_max: int = 150) -> MessageBuffer:
    return MessageBuffer(window=window or [], slots=[None] * LIVE_SLOTS, window_max=window_max)


def seqs(messages: list[MessageView]) -> list[int]:
    return [m.seq for m in messages]


def test_messages_in_order_fill_slots_and_record_only_those():
    buffer = empty()
    assert buffer.add([stored(1), stored(2)])
    assert seqs(buffer.live()) == [1, 2]
    assert buffer.changed_slots == {0, 1}
    assert not buffer.window_changed
    assert buffer.has_messages
    assert buffer.last_seq() == 2


def test_the_handed_in_lists_are_not_changed():
    window = [stored(1)]
    slots: list[LiveSlot | None] = [None] * LIVE_SLOTS
    buffer = MessageBuffer(window=window, slots=slots, window_max=150)
    buffer.add([stored(2)])
    buffer.clear()
    assert window == [stored(1)]
    assert slots == [None] * LIVE_SLOTS


def test_duplicates_by_seq_or_client_id_are_dropped():
    buffer = empty(window=[stored(1)])
    buffer.add([stored(2)])
    buffer.changed_slots.clear()
    same_client_id = MessageView(seq=9, sender_id=FRIEND, client_id="c2", body="", sent_at="")
    assert buffer.add([stored(1), stored(2), same_client_id])
    assert buffer.changed_slots == set()
    assert seqs(buffer.stored()) == [1, 2]


def test_a_hole_asks_for_a_catch_up_from_before_it():
    buffer = empty()
    buffer.add([stored(1), stored(2)])
    assert not buffer.add([stored(5)])
    assert buffer.catch_up_after() == 2
    assert buffer.add([stored(3), stored(4)])
    assert seqs(buffer.live()) == [1, 2, 3, 4, 5]
    assert buffer.catch_up_after() == 5


def test_contiguous_end():
    assert contiguous_end([]) == 0
    assert contiguous_end([3, 4, 5]) == 5
    assert contiguous_end([3, 4, 7, 8]) == 4


def test_a_pending_copy_sorts_last_then_its_stored_copy_takes_its_place():
    buffer = empty()
    buffer.add([stored(1)])
    buffer.show_pending(pending("x"))
    assert buffer.pending("x") == pending("x")
    assert buffer.slots[1] == LiveSlot(order=PENDING_ORDER + 1, message=pending("x"))
    assert buffer.add([stored(2)])  # a stored message sorts before the pending one
    assert [m.client_id for m in buffer.live()] == ["c1", "c2", "x"]
    sent = MessageView(seq=3, sender_id=ME, client_id="x", body="x", sent_at="")
    buffer.acknowledge("x", sent)
    assert buffer.pending("x") is None
    assert buffer.slots[1] == LiveSlot(order=3, message=sent)
    assert seqs(buffer.live()) == [1, 2, 3]


def test_an_acknowledgement_after_a_catch_up_drops_the_pending_copy():
    buffer = empty()
    buffer.show_pending(pending("x"))
    sent = MessageView(seq=1, sender_id=ME, client_id="y", body="x", sent_at="")
    buffer.add([sent])  # a catch-up brought the stored copy first
    buffer.acknowledge("x", sent)
    assert buffer.live() == [sent]


def test_an_acknowledgement_without_a_pending_copy_adds_the_message_prepared():
    buffer = empty()
    sent = stored(1, sender=ME)
    marked = MessageView(seq=1, sender_id=ME, client_id="c1", body="linked", sent_at="")
    buffer.acknowledge("c1", sent, prepare=lambda views: [marked for _ in views])
    assert buffer.live() == [marked]


def test_a_failed_copy_keeps_its_place_and_can_be_sent_again():
    buffer = empty()
    buffer.show_pending(pending("x"))
    failed = MessageView(
        seq=0, sender_id=ME, client_id="x", body="x", sent_at="", status="failed", error="no"
    )
    buffer.replace_pending("x", failed)
    assert buffer.slots[0] == LiveSlot(order=PENDING_ORDER + 1, message=failed)
    assert buffer.pending("x") == failed
    buffer.replace_pending("x", None)
    assert buffer.live() == []
    assert not buffer.has_messages


def test_a_full_ring_evicts_the_oldest_and_drops_the_window():
    buffer = empty(window=[stored(1)])
    buffer.add([stored(seq) for seq in range(2, 2 + LIVE_SLOTS)])
    assert not buffer.has_older
    buffer.changed_slots.clear()
    assert buffer.add([stored(2 + LIVE_SLOTS)])
    # The window was older than every slot: it goes whole, one short delta.
    assert buffer.window == []
    assert buffer.window_changed
    assert buffer.changed_slots == {0}  # the slot of seq 2, the oldest
    assert seqs(buffer.live()) == list(range(3, 3 + LIVE_SLOTS))
    assert buffer.has_older


def test_a_full_ring_while_browsing_older_keeps_the_evicted_in_the_window():
    buffer = empty(window=[stored(1), stored(2)], window_max=3)
    buffer.browsing_older = True
    buffer.add([stored(seq) for seq in range(3, 3 + LIVE_SLOTS + 2)])
    assert seqs(buffer.window) == [2, 3, 4]  # bounded by window_max, oldest go first
    assert seqs(buffer.live()) == list(range(5, 5 + LIVE_SLOTS))
    assert buffer.has_older


def test_pending_copies_count_for_eviction_without_marking_older():
    buffer = empty()
    for index in range(LIVE_SLOTS):
        buffer.show_pending(pending(f"p{index}"))
    buffer.add([stored(1)])
    assert buffer.pending("p0") is None
    assert not buffer.has_older  # a pending copy leaving is not history


def test_loading_older_folds_the_ring_into_the_window_bounded():
    buffer = empty(window=[stored(seq) for seq in range(50, 60)], window_max=25)
    buffer.add([stored(60), stored(61)])
    buffer.show_pending(pending("x"))
    buffer.show_older([stored(seq) for seq in range(40, 50)], has_older=True)
    assert seqs(buffer.window) == list(range(40, 62))
    assert [m.client_id for m in buffer.live()] == ["x"]  # pending copies stay in the ring
    assert buffer.browsing_older
    assert buffer.has_older
    assert not buffer.has_newer
    buffer.show_older([stored(seq) for seq in range(30, 40)], has_older=False)
    assert seqs(buffer.window) == list(range(30, 55))  # the newest are dropped
    assert buffer.has_newer
    assert not buffer.has_older


def test_a_new_page_replaces_everything_but_pending_copies():
    buffer = empty(window=[stored(1)])
    buffer.browsing_older = True
    buffer.has_newer = True
    buffer.add([stored(2)])
    buffer.show_pending(pending("x"))
    buffer.show_page([stored(5), stored(6)], has_older=True)
    assert seqs(buffer.window) == [5, 6]
    assert [m.client_id for m in buffer.live()] == ["x"]
    assert buffer.has_older
    assert not buffer.has_newer
    assert not buffer.browsing_older
    buffer.clear()
    assert buffer.window == []
    assert buffer.live() == []
    assert (buffer.has_messages, buffer.has_older, buffer.has_newer) == (False, False, False)
