"""Runs in a group's buffer: the first message of each sender's run is marked `lead`.

A run breaks at another sender, a system line or a message not shown before it (a hole,
the top of the list), and a filled hole or an older page marks again what follows it.
"""

from __future__ import annotations

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import LIVE_SLOTS, MessageBuffer

ANN, BOB = 1, 2


def message(seq: int, sender: int, kind: str = "text") -> MessageView:
    return MessageView(
        seq=seq, sender_id=sender, client_id=f"c{seq}", body=f"m{seq}", sent_at="", kind=kind
    )


def group_buffer(window: list[MessageView] | None = None) -> MessageBuffer:
    buffer = MessageBuffer(window=[], slots=[None] * LIVE_SLOTS, window_max=150, marks_runs=True)
    buffer.show_page(window or [], has_older=False)
    return buffer


def leads(buffer: MessageBuffer) -> list[tuple[int, bool]]:
    return [(m.seq, m.lead) for m in buffer.stored()]


def test_a_page_marks_the_first_of_each_run():
    buffer = group_buffer(
        [
            message(1, ANN, "system"),
            message(2, BOB),
            message(3, BOB),
            message(4, ANN),
            message(5, BOB),
        ]
    )
    assert leads(buffer) == [(1, False), (2, True), (3, False), (4, True), (5, True)]


def test_live_messages_continue_or_start_a_run_after_the_window():
    buffer = group_buffer([message(1, BOB)])
    buffer.add([message(2, BOB), message(3, ANN), message(4, ANN)])
    assert leads(buffer) == [(1, True), (2, False), (3, True), (4, False)]


def test_a_filled_hole_marks_again_the_message_after_it():
    buffer = group_buffer([message(1, BOB)])
    assert not buffer.add([message(3, BOB)])
    # Whose message came before is unknown: the name shows.
    assert leads(buffer) == [(1, True), (3, True)]
    assert buffer.add([message(2, BOB)])
    assert leads(buffer) == [(1, True), (2, False), (3, False)]


def test_an_older_page_marks_the_old_top_of_the_list_again():
    buffer = group_buffer([message(3, BOB), message(4, BOB)])
    buffer.show_older([message(1, ANN), message(2, BOB)], has_older=False)
    assert leads(buffer) == [(1, True), (2, True), (3, False), (4, False)]


def test_a_direct_chats_buffer_marks_nothing():
    buffer = MessageBuffer(window=[], slots=[None] * LIVE_SLOTS, window_max=150)
    buffer.show_page([message(1, BOB)], has_older=False)
    buffer.add([message(2, ANN), message(3, BOB)])
    assert leads(buffer) == [(1, False), (2, False), (3, False)]
