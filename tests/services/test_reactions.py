"""Reactions: one of the quick emoji on, and off again; who may; what every reader reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Reaction
from chat_app.services import (
    friends,
    history,
    message_deletion,
    message_edits,
    reactions,
)
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.reaction_views import QUICK_REACTIONS, ReactionView, summarize
from chat_app.services.storage import LocalFileStorage
from tests.support.groups import direct_chat, make_group, three_friends
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases

THUMBS, HEART = QUICK_REACTIONS[0], QUICK_REACTIONS[1]


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    return three_friends(session)


def react(session: Session, viewer: int, conversation: object, seq: object, emoji: object):
    return reactions.toggle_reaction(
        session=session, viewer_id=viewer, conversation_id=conversation, seq=seq, emoji=emoji
    )


def on_page(session: Session, viewer: int, conversation: int) -> list[tuple[ReactionView, ...]]:
    page = history.history(session=session, viewer_id=viewer, conversation_id=conversation)
    return [m.reactions for m in page.messages if m.kind == "text"]


def test_summaries_keep_the_quick_order_and_who_reacted_first():
    rows = [(HEART, 3), (THUMBS, 2), (HEART, 1)]
    assert summarize(rows) == (ReactionView(THUMBS, (2,)), ReactionView(HEART, (3, 1)))
    assert summarize([]) == ()


def test_members_react_and_take_it_off_and_everyone_reads_the_same(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    seq = send_text(session, ann, group, "pizza tonight?").message.seq
    send_text(session, ann, group, "or sushi")
    react(session, bob, group, seq, THUMBS)
    react(session, cat, group, seq, THUMBS)
    change = react(session, cat, group, seq, HEART)
    assert change.message.reactions == (
        ReactionView(THUMBS, (bob, cat)),
        ReactionView(HEART, (cat,)),
    )
    assert change.reader_ids == tuple(sorted((ann, bob, cat)))
    assert change.change_seq == 3
    for viewer in (ann, bob, cat):
        assert on_page(session, viewer, group)[0] == change.message.reactions
        assert on_page(session, viewer, group)[1] == ()
    # The same emoji again takes the viewer's off; the others' stay.
    change = react(session, bob, group, seq, THUMBS)
    assert change.message.reactions == (
        ReactionView(THUMBS, (cat,)),
        ReactionView(HEART, (cat,)),
    )


def test_a_reaction_leaves_the_chat_rows_line_alone(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    seq = send_text(session, ann, direct, "newest").message.seq
    assert not react(session, bob, direct, seq, THUMBS).was_last


def test_a_tab_catches_up_on_reactions(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    seq = send_text(session, ann, direct, "hi").message.seq
    react(session, bob, direct, seq, HEART)
    now = history.catch_up(
        session=session, viewer_id=ann, conversation_id=direct, after_seq=seq, after_change=0
    )
    assert [m.reactions for m in now.changes] == [(ReactionView(HEART, (bob,)),)]


def test_an_edit_keeps_the_reactions_and_a_deletion_takes_them(session, people, tmp_path: Path):
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    seq = send_text(session, ann, direct, "v1").message.seq
    react(session, bob, direct, seq, THUMBS)
    edited = message_edits.edit_message(
        session=session, viewer_id=ann, conversation_id=direct, seq=seq, body="v2"
    )
    assert edited is not None
    assert edited.message.reactions == (ReactionView(THUMBS, (bob,)),)
    message_deletion.delete_for_everyone(
        session=session,
        storage=LocalFileStorage(tmp_path),
        viewer_id=ann,
        conversation_id=direct,
        seq=seq,
    )
    assert session.exec(select(func.count()).select_from(Reaction)).one() == 0
    with pytest.raises(NotFound):
        react(session, bob, direct, seq, HEART)


def test_only_the_quick_emoji_on_a_message_still_there(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob)
    seq = send_text(session, ann, group, "hello").message.seq
    system_seq = history.history(session=session, viewer_id=ann, conversation_id=group).messages[0]
    for forged in (
        (group, seq, "<b>"),
        (group, seq, "👍🏿"),
        (group, seq, None),
        (group, seq, ["👍"]),
        (group, 999, THUMBS),
        (group, system_seq.seq, THUMBS),
        ("x", seq, THUMBS),
    ):
        with pytest.raises(NotFound):
            react(session, bob, *forged)
    with pytest.raises(NotFound):  # not a member
        react(session, cat, group, seq, THUMBS)
    assert session.exec(select(func.count()).select_from(Reaction)).one() == 0


def test_an_ex_friend_can_no_longer_react(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    seq = send_text(session, ann, direct, "before").message.seq
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    with pytest.raises(Refused):
        react(session, bob, direct, seq, THUMBS)


def test_reactions_are_limited_per_minute(session, people, monkeypatch):
    monkeypatch.setattr(reactions, "REACTIONS_PER_MINUTE", 2)
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    seq = send_text(session, ann, direct, "hi").message.seq
    react(session, bob, direct, seq, THUMBS)
    react(session, bob, direct, seq, THUMBS)
    with pytest.raises(RateLimited) as refused:
        react(session, bob, direct, seq, HEART)
    assert refused.value.code == "too_many_reactions"
