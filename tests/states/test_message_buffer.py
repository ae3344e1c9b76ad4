"""The message buffer on plain data: banks, window, holes, turning over, paging."""

from __future__ import annotations

import random

import pytest

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import LIVE_BANK, LIVE_SLOTS, MessageBuffer, contiguous_end
from tests.support.buffers import ME, empty, page_order, pending, seqs, stored


def test_messages_in_order_fill_slots_and_record_only_those():
    buffer = empty()
    assert buffer.add([stored(1), stored(2)])
    assert seqs(buffer.live()) == [1, 2]
    assert buffer.changed_slots == {0, 1}
    assert not buffer.window_changed
    assert not buffer.pending_changed
    assert buffer.has_messages
    assert buffer.last_seq() == 2


def test_the_handed_in_lists_are_not_changed():
    window = [stored(1)]
    slots: list[MessageView | None] = [None] * LIVE_SLOTS
    copies = [pending("x")]
    buffer = MessageBuffer(window=window, slots=slots, window_max=150, pending_copies=copies)
    buffer.add([stored(2)])
    buffer.acknowledge("x", stored(3, sender=ME))
    buffer.clear()
    assert window == [stored(1)]
    assert slots == [None] * LIVE_SLOTS
    assert copies == [pending("x")]


def test_duplicates_by_seq_or_by_a_pending_copys_client_id_are_dropped():
    buffer = empty(window=[stored(1)])
    buffer.add([stored(2)])
    buffer.show_pending(pending("mine"))
    buffer.changed_slots.clear()
    # The stored copy of a message still shown as pending: its acknowledgement replaces it.
    stored_copy = MessageView(seq=3, sender_id=ME, client_id="mine", body="", sent_at="")
    assert buffer.add([stored(1), stored(2), stored_copy])
    assert buffer.changed_slots == set()
    assert seqs(buffer.stored()) == [1, 2]
    # In the window, in the banks, and older than both.
    for seq in (1, 2):
        assert buffer.holds(stored(seq))
    assert not buffer.holds(stored(4))
    assert not empty().holds(stored(1))


def test_a_message_twice_in_one_batch_is_shown_once():
    buffer = empty()
    assert buffer.add([stored(1), stored(2), stored(1)])
    assert page_order(buffer) == [1, 2]


def test_a_hole_asks_for_a_catch_up_from_before_it():
    buffer = empty()
    buffer.add([stored(1), stored(2)])
    assert not buffer.add([stored(5)])
    assert buffer.catch_up_after() == 2
    assert buffer.add([stored(3), stored(4)])
    assert seqs(buffer.live()) == [1, 2, 3, 4, 5]
    assert buffer.catch_up_after() == 5


def test_a_filled_hole_goes_in_place_and_re_places_only_the_ones_after_it():
    buffer = empty()
    buffer.add([stored(1), stored(2), stored(5), stored(6)])
    buffer.changed_slots.clear()
    assert buffer.add([stored(3), stored(4)])
    assert page_order(buffer) == [1, 2, 3, 4, 5, 6]
    # Slots 0 and 1 keep 1 and 2; 3 and 4 go in slots 2 and 3, 5 and 6 move to 4 and 5.
    assert buffer.changed_slots == {2, 3, 4, 5}


def test_a_hole_filled_across_the_banks_keeps_the_page_in_seq_order():
    buffer = empty()
    # The second bank is full except one slot; seq 20 is missing.
    present = [seq for seq in range(1, LIVE_SLOTS + 1) if seq != 20]
    buffer.add([stored(seq) for seq in present])
    assert page_order(buffer) == present
    assert buffer.catch_up_after() == 19
    buffer.changed_slots.clear()
    assert buffer.add([stored(20)])
    assert page_order(buffer) == list(range(1, LIVE_SLOTS + 1))
    assert buffer.changed_slots == set(range(19, LIVE_SLOTS))
    assert not buffer.has_older


def test_a_hole_filled_when_the_banks_are_full_turns_them_over_first():
    buffer = empty()
    present = [seq for seq in range(1, LIVE_SLOTS + 2) if seq != LIVE_SLOTS]
    buffer.add([stored(seq) for seq in present])  # 60 slots: 1 … 59, 61
    assert buffer.add([stored(LIVE_SLOTS)])
    assert page_order(buffer) == list(range(LIVE_BANK + 1, LIVE_SLOTS + 2))
    assert buffer.has_older


def test_a_hole_is_found_wherever_it_is_in_window_and_banks():
    """`has_hole` (every message shown) agrees with `contiguous_end` (every catch-up)."""
    rng = random.Random(18)  # noqa: S311 (reproducible test data, not a secret)
    for _ in range(300):
        shown = sorted(rng.sample(range(1, 120), rng.randint(1, 100)))
        split = max(0, len(shown) - rng.randint(0, LIVE_SLOTS - 1))  # the banks never turn
        buffer = empty(window=[stored(seq) for seq in shown[:split]])
        buffer.add([stored(seq) for seq in shown[split:]])
        assert buffer.stored_seqs() == shown
        assert buffer.has_hole() == (contiguous_end(shown) != shown[-1]), shown
        assert buffer.has_hole() == (buffer.catch_up_after() != buffer.last_seq())


def test_contiguous_end():
    assert contiguous_end([]) == 0
    assert contiguous_end([3, 4, 5]) == 5
    assert contiguous_end([3, 4, 7, 8]) == 4


@pytest.mark.parametrize("wraps", [1, 2, 3])
def test_the_page_reads_in_seq_order_after_the_banks_turn_over(wraps: int):
    buffer = empty(window=[stored(seq) for seq in range(1, 11)])
    # The banks first turn when a message comes to two full banks, then every LIVE_BANK more.
    last = 10 + LIVE_SLOTS + 1 + (wraps - 1) * LIVE_BANK
    turned_at: list[int] = []
    for seq in range(11, last + 1):
        bank = buffer.first_bank
        buffer.changed_slots.clear()
        assert buffer.add([stored(seq)])
        if buffer.first_bank != bank:
            turned_at.append(seq)
            # The bank shown first was emptied and now comes last: its slots went to None
            # and the new message took the first of them.
            assert buffer.changed_slots == set(range(bank * LIVE_BANK, (bank + 1) * LIVE_BANK))
        else:
            assert len(buffer.changed_slots) == 1
        shown = page_order(buffer)
        assert shown == sorted(shown)
        assert shown[-1] == seq
        assert shown == list(range(shown[0], seq + 1))
    assert len(turned_at) == wraps
    assert turned_at[0] == 10 + LIVE_SLOTS + 1
    # Bounded: between one and two banks of messages, the window gone at the first turn.
    assert buffer.window == []
    assert page_order(buffer) == list(range(last - LIVE_BANK, last + 1))
    assert buffer.first_bank == wraps % 2
    assert buffer.has_older
    assert buffer.last_seq() == last


def test_the_first_turn_drops_the_window_once():
    buffer = empty(window=[stored(1)])
    buffer.add([stored(seq) for seq in range(2, 2 + LIVE_SLOTS)])
    assert not buffer.has_older
    assert not buffer.window_changed
    assert buffer.add([stored(2 + LIVE_SLOTS)])
    # The window was older than every slot: it goes whole, one short delta.
    assert buffer.window == []
    assert buffer.window_changed
    assert buffer.has_older
    assert page_order(buffer) == list(range(2 + LIVE_BANK, 3 + LIVE_SLOTS))


def test_a_turn_while_browsing_older_keeps_the_leaving_bank_in_the_window():
    buffer = empty(window=[stored(1), stored(2)], window_max=40)
    buffer.browsing_older = True
    buffer.add([stored(seq) for seq in range(3, 3 + LIVE_SLOTS + 1)])
    # Bounded by window_max, the oldest go first.
    assert seqs(buffer.window) == list(range(1, 3 + LIVE_BANK))[-40:]
    assert page_order(buffer) == list(range(1, 4 + LIVE_SLOTS))
    assert buffer.has_older
    small = empty(window=[stored(1), stored(2)], window_max=3)
    small.browsing_older = True
    small.add([stored(seq) for seq in range(3, 3 + LIVE_SLOTS + 1)])
    assert seqs(small.window) == [LIVE_BANK, LIVE_BANK + 1, LIVE_BANK + 2]


def test_loading_older_folds_the_banks_into_the_window_bounded():
    buffer = empty(window=[stored(seq) for seq in range(50, 60)], window_max=25)
    buffer.add([stored(60), stored(61)])
    buffer.show_pending(pending("x"))
    buffer.changed_slots.clear()
    buffer.show_older([stored(seq) for seq in range(40, 50)], has_older=True)
    assert seqs(buffer.window) == list(range(40, 62))
    assert buffer.changed_slots == {0, 1}
    assert [m.client_id for m in buffer.live()] == ["x"]  # pending copies stay
    assert page_order(buffer) == [*range(40, 62), 0]
    assert buffer.browsing_older
    assert buffer.has_older
    assert not buffer.has_newer
    buffer.show_older([stored(seq) for seq in range(30, 40)], has_older=False)
    assert seqs(buffer.window) == list(range(30, 55))  # the newest are dropped
    assert buffer.has_newer
    assert not buffer.has_older


def test_loading_older_after_a_turn_folds_both_banks_in_order():
    buffer = empty()
    buffer.add([stored(seq) for seq in range(100, 101 + LIVE_SLOTS)])
    assert buffer.first_bank == 1
    first_shown = 100 + LIVE_BANK  # the first bank (100 …) left at the turn
    buffer.show_older([stored(seq) for seq in range(first_shown - 10, first_shown)], True)
    assert seqs(buffer.window) == list(range(first_shown - 10, 101 + LIVE_SLOTS))
    assert seqs(buffer.slots) == []
    assert page_order(buffer) == seqs(buffer.window)


def test_a_new_page_replaces_everything_but_pending_copies():
    buffer = empty(window=[stored(1)])
    buffer.browsing_older = True
    buffer.has_newer = True
    buffer.add([stored(2)])
    buffer.show_pending(pending("x"))
    buffer.changed_slots.clear()
    buffer.pending_changed = False
    buffer.show_page([stored(5), stored(6)], has_older=True)
    assert seqs(buffer.window) == [5, 6]
    assert buffer.changed_slots == {0}  # only the slot that held a message
    assert not buffer.pending_changed
    assert [m.client_id for m in buffer.live()] == ["x"]
    assert buffer.has_older
    assert not buffer.has_newer
    assert not buffer.browsing_older
    buffer.clear()
    assert buffer.window == []
    assert buffer.live() == []
    assert buffer.pending_changed
    assert (buffer.has_messages, buffer.has_older, buffer.has_newer) == (False, False, False)


def test_a_new_page_after_a_turn_keeps_the_page_in_order_as_messages_come():
    buffer = empty()
    buffer.add([stored(seq) for seq in range(1, 2 + LIVE_SLOTS)])
    assert buffer.first_bank == 1
    buffer.show_page([stored(seq) for seq in range(20, 2 + LIVE_SLOTS)], has_older=True)
    assert seqs(buffer.slots) == []
    for seq in range(2 + LIVE_SLOTS, 2 + 3 * LIVE_SLOTS):
        assert buffer.add([stored(seq)])
        shown = page_order(buffer)
        assert shown == list(range(shown[0], seq + 1))


def test_changes_name_only_what_changed():
    buffer = empty()
    buffer.add([stored(1)])
    buffer.changed_slots.clear()
    buffer.show_page([], has_older=False)
    buffer.changed_slots.clear()
    buffer.clear()  # the slots were empty already
    assert buffer.changed_slots == set()
    assert not buffer.pending_changed


def test_rewriting_bodies_by_seq_names_only_the_slots_and_window_it_changed():
    window = [stored(1), stored(2)]
    slots: list[MessageView | None] = [None] * LIVE_SLOTS
    buffer = MessageBuffer(window=window, slots=slots, window_max=150, marks_runs=True)
    buffer.add([stored(3), stored(4), stored(5)])
    buffer.show_pending(pending("x"))
    before = [*buffer.window, *buffer.live()]
    buffer.changed_slots.clear()
    buffer.window_changed = buffer.pending_changed = False

    # Seq 4 in a slot; seq 9 is not shown, seq 5 already reads so.
    buffer.rewrite({4: "four", 9: "nine", 5: "m5"})
    assert [m.body for m in [*buffer.window, *buffer.live()]] == [
        "m1", "m2", "m3", "four", "m5", "x"
    ]  # fmt: skip
    assert buffer.changed_slots == {1}
    assert not buffer.window_changed
    assert not buffer.pending_changed
    # Only the body changed: seq, sender, run marks as before.
    after = [*buffer.window, *buffer.live()]
    assert [(m.seq, m.sender_id, m.lead) for m in after] == [
        (m.seq, m.sender_id, m.lead) for m in before
    ]

    buffer.changed_slots.clear()
    buffer.rewrite({1: "one"})
    assert buffer.window_changed
    assert buffer.changed_slots == set()
    assert [m.body for m in buffer.window] == ["one", "m2"]
    # The handed-in lists are as given (the state assigns back what changed).
    assert window == [stored(1), stored(2)]
    assert slots == [None] * LIVE_SLOTS


@pytest.mark.parametrize("last_seq", [0, 7])
def test_a_first_message_lost_on_an_empty_page_is_a_hole_too(last_seq: int):
    # The page showed nothing (a new chat, or nothing since joining); the push of the
    # next message never arrived, the one after it did.
    buffer = empty()
    buffer.show_page([], has_older=False, last_seq=last_seq)
    assert buffer.catch_up_after() == last_seq
    assert buffer.add([stored(last_seq + 2)]) is False
    assert buffer.catch_up_after() == last_seq
    # The catch-up brings the missing one: whole, and the stored messages anchor the order.
    assert buffer.add([stored(last_seq + 1)]) is True
    assert buffer.first_expected == 0
    assert buffer.add([stored(last_seq + 3)]) is True


def test_an_empty_page_expects_the_next_seq_until_it_is_here_then_forgets_it():
    buffer = empty()
    buffer.show_page([], has_older=False, last_seq=3)
    assert buffer.add([stored(4)]) is True
    assert buffer.first_expected == 0
    # The banks turn over later: the first shown message leaving is no hole.
    for seq in range(5, 5 + LIVE_SLOTS + 3):
        assert buffer.add([stored(seq)]) is True
    # A page with messages anchors itself.
    buffer.show_page([stored(9)], has_older=True, last_seq=9)
    assert buffer.first_expected == 0
