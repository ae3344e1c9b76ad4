"""Whom a group tab looks up for a page: its senders always, then its reactors (a chip names
them) as far as one look-up has room, never crowding a sender out."""

from __future__ import annotations

from chat_app.services.reaction_views import ReactionView
from chat_app.services.views import MessageView
from chat_app.states.group_timeline import REACTORS_ASKED, _needed

VIEWER = 1


def _message(seq: int, sender: int, reactors: tuple[int, ...] = ()) -> MessageView:
    reactions = (ReactionView(emoji="👍", user_ids=reactors),) if reactors else ()
    return MessageView(
        seq=seq, sender_id=sender, client_id=f"c{seq}", body="hi", sent_at="", reactions=reactions
    )


def test_reactors_are_looked_up_with_the_senders_but_not_the_viewer():
    page = [_message(1, 2, (VIEWER, 3)), _message(2, 4, (5,))]
    assert _needed(page, VIEWER) == {2, 3, 4, 5}


def test_a_crowd_of_reactors_never_crowds_a_sender_out():
    crowd = tuple(range(1_000, 1_000 + 2 * REACTORS_ASKED))
    senders = range(10, 60)
    page = [_message(seq, sender, crowd) for seq, sender in enumerate(senders, 1)]
    needed = _needed(page, VIEWER)
    assert set(senders) <= needed
    assert len(needed) == REACTORS_ASKED
