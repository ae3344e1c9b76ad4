"""The outbox's rules on plain data: reading untrusted storage, the caps, merging copies."""

from __future__ import annotations

import json

import pytest

from chat_app.services.mentions import PICKED_MAX
from chat_app.services.message_text import CLIENT_ID_PATTERN, MAX_MESSAGE_LENGTH
from chat_app.states.outbox import pending_view
from chat_app.states.outbox_entries import (
    MAX_ENTRIES,
    MAX_UNITS,
    Outbox,
    OutboxEntry,
    derived_client_id,
    merge,
    read,
    units,
)

ANN, BOB = 1, 2
AT = "2026-12-02T10:00:00.000000+00:00"


def entry(client_id: str, body: str = "hi", user: int = ANN, failure: str = "") -> OutboxEntry:
    return OutboxEntry(user, 7, client_id, body, AT, failure)


def stored(*entries: OutboxEntry) -> str:
    return Outbox(list(entries)).encode()


def test_an_outbox_reads_back_what_it_wrote():
    outbox = Outbox([entry("a"), entry("b", "line 1\nline 2 😀", failure="too_many_messages")])
    assert read(outbox.encode(), ANN) == outbox
    assert Outbox().encode() == ""


def test_whom_an_entry_mentions_reads_back_and_an_older_entry_mentions_nobody():
    mentioning = OutboxEntry(ANN, 7, "a", "@Bob @Cat hi", AT, mentioned=(BOB, 3))
    outbox = Outbox([mentioning, entry("b")])
    assert read(outbox.encode(), ANN) == outbox
    assert mentioning.encoded()["m"] == [BOB, 3]
    # An entry that mentions nobody is stored as before, and one without "m" reads as such.
    assert "m" not in entry("b").encoded()
    assert read(stored(entry("b")), ANN).entries[0].mentioned == ()


@pytest.mark.parametrize(
    "forged",
    [
        "2",
        {"2": True},
        [BOB, "3"],
        [BOB, True],
        [BOB, 2.0],
        [BOB, 0],
        [BOB, -3],
        [BOB, 2**63],
        [[BOB]],
        list(range(1, PICKED_MAX + 2)),
    ],
)
def test_a_malformed_mention_list_costs_the_mentions_never_the_text(forged: object):
    stored_value = json.dumps([{**entry("a", "@Bob hi").encoded(), "m": forged}])
    outbox = read(stored_value, ANN)
    assert [(e.body, e.mentioned) for e in outbox.entries] == [("@Bob hi", ())]
    assert outbox.dropped == 0


def test_what_an_entry_replies_to_reads_back_and_a_forged_one_costs_only_the_quote():
    answering = OutboxEntry(ANN, 7, "a", "yes", AT, reply_to=41)
    outbox = Outbox([answering, entry("b")])
    assert read(outbox.encode(), ANN) == outbox
    assert answering.encoded()["r"] == 41
    assert "r" not in entry("b").encoded()
    for forged in ("41", 41.0, True, 0, -1, 2**63, [41], None):
        stored_value = json.dumps([{**entry("a", "yes").encoded(), "r": forged}])
        read_back = read(stored_value, ANN)
        assert [(e.body, e.reply_to) for e in read_back.entries] == [("yes", 0)]


def test_a_reply_and_a_plain_message_fit_the_caps_alike():
    body = "x" * 3000
    outbox = Outbox()
    while outbox.has_room_for(body):
        number = len(outbox.entries)
        outbox.put(OutboxEntry(ANN, 7, f"n{number}", body, AT, reply_to=2**63 - 1 - number))
    assert units(outbox.encode()) <= MAX_UNITS
    assert read(outbox.encode(), ANN) == outbox


def test_a_repeated_mention_reads_once():
    stored_value = json.dumps([{**entry("a").encoded(), "m": [BOB, 3, BOB]}])
    assert read(stored_value, ANN).entries[0].mentioned == (BOB, 3)


def test_the_caps_count_the_mentions_too():
    many = tuple(range(10**17, 10**17 + PICKED_MAX))
    body = "x" * 3000
    outbox = Outbox()
    while outbox.has_room_for(body, many):
        outbox.put(OutboxEntry(ANN, 7, f"n{len(outbox.entries)}", body, AT, mentioned=many))
    assert units(outbox.encode()) <= MAX_UNITS
    # What was written all reads back: no entry over the cap is refused at the next read.
    assert read(outbox.encode(), ANN) == outbox
    assert _longest_fitting(Outbox(), many) < _longest_fitting(Outbox())


def _longest_fitting(outbox: Outbox, mentioned: tuple[int, ...] = ()) -> int:
    """The longest text one more entry (mentioning these users) may have."""
    low, high = 0, MAX_UNITS
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (
            (middle, high) if outbox.has_room_for("x" * middle, mentioned) else (low, middle - 1)
        )
    return low


def test_another_users_entries_are_left_out_and_counted():
    outbox = read(stored(entry("a"), entry("b", user=BOB)), ANN)
    assert [e.client_id for e in outbox.entries] == ["a"]
    assert outbox.dropped == 1


def test_forged_entries_are_refused_one_by_one():
    good = entry("good").encoded()
    forged = [
        good,
        "not an entry",
        {**good, "i": "other", "u": True},  # a bool is not the user's id
        {**good, "i": "dict-body", "b": {"text": "hi"}},
        {**good, "i": "blank", "b": "   "},
        {**good, "i": "too-long", "b": "x" * (MAX_MESSAGE_LENGTH + 1)},
        {**good, "i": "bad id!"},
        {**good, "i": "conv", "c": -3},
        {**good, "i": "conv-str", "c": "7"},
        {**good, "i": "failure", "f": "<b>"},
        {**good, "i": "time", "t": "<script>"},
        {**good, "b": "the same id, another text"},
        [1, 2, 3],
    ]
    outbox = read(json.dumps(forged), ANN)
    assert [e.client_id for e in outbox.entries] == ["good"]
    assert outbox.dropped == len(forged) - 1


def test_malformed_or_oversized_storage_reads_as_empty_with_a_note():
    for raw in ("{", '{"u": 1}', "null", "x" * (MAX_UNITS * 2 + 1)):
        assert read(raw, ANN) == Outbox(dropped=1)
    assert read(None, ANN) == Outbox()


def test_thousands_of_entries_keep_the_first_that_fit_the_caps():
    many = [entry(f"id{n}").encoded() for n in range(2_000)]
    outbox = read(json.dumps(many), ANN)
    assert len(outbox.entries) == MAX_ENTRIES
    assert outbox.dropped == 2_000 - MAX_ENTRIES
    # Ten thousand are over twice the byte cap: not even parsed.
    huge = [entry(f"id{n}").encoded() for n in range(10_000)]
    assert read(json.dumps(huge), ANN) == Outbox(dropped=1)


def test_the_caps_count_entries_and_utf16_units():
    big = "😀" * 2000  # 2,000 characters, 4,000 UTF-16 units
    assert units(big) == 4000
    outbox = Outbox()
    while outbox.has_room_for(big):
        outbox.put(entry(f"n{len(outbox.entries)}", big))
    assert units(outbox.encode()) <= MAX_UNITS
    assert len(outbox.entries) < MAX_ENTRIES
    small = Outbox([entry(f"s{n}") for n in range(MAX_ENTRIES)])
    assert not small.has_room_for("hi")


def test_merging_keeps_the_newer_copy_of_each_entry_and_entries_of_both():
    browser = Outbox([entry("a"), entry("b")])
    server = Outbox([entry("b", failure="too_many_messages"), entry("c")])
    merged = merge(newer=server, older=browser)
    assert [(e.client_id, e.failure) for e in merged.entries] == [
        ("a", ""),
        ("b", "too_many_messages"),
        ("c", ""),
    ]


def test_a_derived_client_id_is_stable_per_text_and_a_valid_id():
    issued = "0123456789abcdef0123456789abcdef"
    one, again, other = (derived_client_id(issued, t) for t in ("ok", "ok", "ok!"))
    assert one == again != other
    assert one != issued
    assert CLIENT_ID_PATTERN.fullmatch(one)


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        ("", "sending"),
        # A retry may store these: the store failed, the rate limit, a re-keyed conflict.
        ("error", "failed"),
        ("try_again", "failed"),
        ("too_many_messages", "failed"),
        ("client_id_conflict", "failed"),
        # No retry changes these: Delete only.
        ("not_friends", "refused"),
        ("message_empty", "refused"),
        ("message_too_long", "refused"),
        ("message_invalid", "refused"),
        ("message_invalid_characters", "refused"),
        ("message_invisible", "refused"),
        ("conversation_gone", "refused"),
        ("made_up_by_a_client", "refused"),
    ],
)
def test_only_failures_a_retry_can_fix_show_as_retryable(failure: str, status: str):
    failed = entry("a", failure=failure)
    assert failed.retryable == (status == "failed")
    shown = pending_view(failed, "zh")
    assert shown.status == status
    if failure == "not_friends":
        assert shown.error == "只能给好友发送消息。"
