"""The message buffer's pending copies: shown last, replaced by their stored copy, bounded."""

from __future__ import annotations

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import PENDING_MAX
from tests.support.buffers import ME, empty, page_order, pending, seqs, stored


def test_a_pending_copy_shows_last_then_its_stored_copy_takes_its_place():
    buffer = empty()
    buffer.add([stored(1)])
    buffer.changed_slots.clear()
    buffer.show_pending(pending("x"))
    assert buffer.pending("x") == pending("x")
    assert buffer.pending_copies == [pending("x")]
    assert buffer.pending_changed
    assert buffer.changed_slots == set()  # not in a bank
    assert buffer.add([stored(2)])  # a stored message shows before the pending one
    assert [m.client_id for m in buffer.live()] == ["c1", "c2", "x"]
    buffer.changed_slots.clear()
    sent = MessageView(seq=3, sender_id=ME, client_id="x", body="x", sent_at="")
    buffer.acknowledge("x", sent)
    assert buffer.pending("x") is None
    assert buffer.pending_copies == []
    assert buffer.slots[2] == sent
    assert buffer.changed_slots == {2}
    assert seqs(buffer.live()) == [1, 2, 3]


def test_an_acknowledgement_keeps_the_other_pending_copies_in_order():
    buffer = empty()
    for client_id in ("x", "y", "z"):
        buffer.show_pending(pending(client_id))
    buffer.acknowledge("y", MessageView(seq=1, sender_id=ME, client_id="y", body="", sent_at=""))
    assert [m.client_id for m in buffer.live()] == ["y", "x", "z"]
    assert page_order(buffer) == [1, 0, 0]


def test_an_acknowledgement_after_a_catch_up_drops_the_pending_copy():
    buffer = empty()
    buffer.show_pending(pending("x"))
    sent = MessageView(seq=1, sender_id=ME, client_id="y", body="x", sent_at="")
    buffer.add([sent])  # a catch-up brought the stored copy first
    buffer.acknowledge("x", sent)
    assert buffer.live() == [sent]


def test_a_stored_copy_with_a_pending_twin_waits_for_the_acknowledgement():
    buffer = empty()
    buffer.show_pending(pending("x"))
    sent = MessageView(seq=1, sender_id=ME, client_id="x", body="x", sent_at="")
    buffer.add([sent])  # same sender and client id: already shown, as "sending"
    assert buffer.live() == [pending("x")]
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
    buffer.show_pending(pending("w"))
    buffer.show_pending(pending("x"))
    failed = MessageView(
        seq=0, sender_id=ME, client_id="x", body="x", sent_at="", status="failed", error="no"
    )
    buffer.replace_pending("w", None)
    buffer.replace_pending("x", failed)
    assert buffer.pending_copies == [failed]
    assert buffer.pending("x") == failed
    buffer.replace_pending("unknown", None)
    assert buffer.pending_copies == [failed]
    buffer.replace_pending("x", None)
    assert buffer.live() == []
    assert not buffer.has_messages


def test_a_failed_copy_takes_the_place_of_its_sending_copy_or_shows_last():
    """A quick store that fails shows its failed copy, though no "sending" copy was shown."""
    buffer = empty()
    buffer.show_pending(pending("x"))
    failed_y = MessageView(
        seq=0, sender_id=ME, client_id="y", body="y", sent_at="", status="failed", error="no"
    )
    buffer.put_pending("y", failed_y)  # never shown as "sending"
    failed_x = MessageView(
        seq=0, sender_id=ME, client_id="x", body="x", sent_at="", status="failed", error="no"
    )
    buffer.put_pending("x", failed_x)
    assert buffer.pending_copies == [failed_x, failed_y]
    assert buffer.has_messages


def test_pending_copies_are_bounded_and_leave_without_marking_older():
    buffer = empty()
    for index in range(PENDING_MAX + 1):
        buffer.show_pending(pending(f"p{index}"))
    assert len(buffer.pending_copies) == PENDING_MAX
    assert buffer.pending("p0") is None
    assert buffer.pending(f"p{PENDING_MAX}") is not None
    assert not buffer.has_older  # a pending copy leaving is not history
