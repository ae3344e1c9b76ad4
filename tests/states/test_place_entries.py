"""The places' rules on plain data: reading untrusted storage, the caps, keeping and taking."""

from __future__ import annotations

import json

from chat_app.services.message_text import DRAFT_MAX
from chat_app.states.place_entries import (
    BOTTOM,
    MAX_PLACES,
    MAX_UNITS,
    Place,
    Places,
    joined,
    read,
    units,
)

ANN, BOB = 1, 2


def place(conversation: int, anchor: int = BOTTOM, draft: str = "", user: int = ANN) -> Place:
    return Place(user, conversation, anchor, draft)


def test_places_read_back_what_they_wrote():
    places = Places([place(7, 120), place(8, draft="line 1\nline 2 😀 草稿"), place(9, 3, "x")])
    assert read(places.encode(), ANN) == places
    assert Places().encode() == ""
    assert read("", ANN) == Places()


def test_another_users_places_are_left_out_and_counted():
    places = read(Places([place(7, 5), place(7, 9, "theirs", user=BOB)]).encode(), ANN)
    assert places.entries == [place(7, 5)]
    assert places.dropped == 1


def test_forged_entries_are_refused_one_by_one():
    good = place(7, 5, "hi").encoded()
    forged = [
        good,
        "not an entry",
        [1, 2, 3],
        {**good, "c": 8, "u": True},  # a bool is not the user's id
        {**good, "c": "9"},
        {**good, "c": 0},
        {**good, "c": 2**63},
        {**good, "c": 10, "a": -1},
        {**good, "c": 11, "a": 1.5},
        {**good, "c": 12, "d": {"text": "hi"}},
        {**good, "c": 13, "d": "x" * (DRAFT_MAX + 1)},  # never cut: refused whole
        {**good, "c": 14, "a": 0, "d": ""},  # the default: nothing to keep
        {**good, "a": 6},  # the same conversation again: the later one counts
    ]
    places = read(json.dumps(forged), ANN)
    assert places.entries == [place(7, 6, "hi")]
    assert places.dropped == len(forged) - 1


def test_malformed_or_oversized_storage_gives_no_places():
    for raw in ("{", '{"u": 1}', "null", "[" + " " * (2 * MAX_UNITS) + "]", 42):
        places = read(raw, ANN)
        assert places.entries == []
        assert places.dropped == (0 if raw == 42 else 1)


def test_a_ten_thousand_character_draft_is_kept_whole():
    draft = ("草稿 draft 😀 " * 1000)[:10_000]
    places = Places()
    assert places.keep(place(7, 42, draft))
    assert read(places.encode(), ANN).entries == [place(7, 42, draft)]
    assert places.take(7) == place(7, 42, draft)
    assert places.entries == []


def test_keeping_the_bottom_without_a_draft_keeps_nothing():
    places = Places([place(7, 40)])
    assert places.keep(place(7))
    assert places.entries == []


def test_the_oldest_positions_make_room_never_a_draft():
    places = Places()
    for conversation in range(1, MAX_PLACES + 1):
        draft = "kept" if conversation % 2 else ""
        assert places.keep(place(conversation, conversation, draft))
    assert places.keep(place(100, 1))
    # The oldest position went; every draft stayed.
    assert [p.conversation_id for p in places.entries][:3] == [1, 3, 4]
    assert all(p.draft == "kept" for p in places.entries if p.conversation_id % 2)
    assert len(places.entries) == MAX_PLACES


def test_a_draft_that_does_not_fit_is_refused_and_nothing_changes():
    big = "d" * (DRAFT_MAX - 10)
    places = Places()
    for conversation in (1, 2):
        assert places.keep(place(conversation, draft=big))
    assert places.keep(place(3, 30))
    before = list(places.entries)
    # A third long draft would go over the units cap: the position gives way, then refused.
    assert not places.keep(place(4, draft=big))
    assert places.entries == before
    assert units(places.encode()) <= MAX_UNITS
    # Positions only: the newest gives way last, and keeping one never fails.
    assert places.keep(place(5, 50))
    full = Places([place(n, draft="x") for n in range(1, MAX_PLACES + 1)])
    assert full.keep(place(99, 9))
    assert full.find(99) is None
    assert len(full.entries) == MAX_PLACES
    assert not full.keep(place(98, draft="one more"))


def test_reading_over_the_caps_keeps_the_most_recent():
    entries = [place(n, n).encoded() for n in range(1, MAX_PLACES + 6)]
    places = read(json.dumps(entries), ANN)
    assert [p.conversation_id for p in places.entries] == list(range(6, MAX_PLACES + 6))
    assert places.dropped == 5


def test_a_draft_is_joined_with_text_already_in_the_composer_when_both_fit():
    assert joined("kept", "") == "kept"
    assert joined("", "typed") == "typed"
    assert joined("same", "same") == "same"
    assert joined("kept", "typed") == "kept\n\ntyped"
    assert joined("k" * DRAFT_MAX, "typed") is None
