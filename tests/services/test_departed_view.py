"""A member who left a group sees it as it was then: its name, and the reactions made then."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import (
    chat_export,
    chat_list,
    group_members,
    groups,
    history,
    reactions,
    search,
)
from chat_app.services.storage import LocalFileStorage
from tests.support.groups import make_group, three_friends
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


def _names(session: Session, viewer: int, group: int) -> tuple[str, ...]:
    """The group's name in the viewer's chat list, header, page and search scope."""
    rows = chat_list.chat_rows(session=session, viewer_id=viewer)
    (row,) = [r for r in rows if r.conversation_id == group]
    header, _ = history.group_header(session=session, viewer_id=viewer, conversation_id=group)
    page = history.history(session=session, viewer_id=viewer, conversation_id=group)
    scope = search.scope_title(session=session, viewer_id=viewer, conversation_id=group)
    assert header is not None
    assert page.group is not None
    return row.name, header.name, page.group.name, scope


def test_a_rename_after_leaving_or_removal_is_not_shown_to_them(session: Session):
    people = three_friends(session)
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat, name="Friday football")
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Without Bob")
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=cat)
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Just me")

    assert set(_names(session, bob, group)) == {"Friday football"}
    assert set(_names(session, cat, group)) == {"Without Bob"}
    assert set(_names(session, ann, group)) == {"Just me"}
    # Nor how many are in it now: their header counts nobody; Ann's counts herself.
    counts = {
        who: history.group_header(session=session, viewer_id=who, conversation_id=group)[0]
        for who in (ann, bob, cat)
    }
    assert {who: (h.member_count, h.my_role) for who, h in counts.items() if h} == {
        ann: (1, "owner"),
        bob: (0, ""),
        cat: (0, ""),
    }

    # Added again, Bob is a member: the group's name is his again, and so are its renames.
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[bob])
    assert set(_names(session, bob, group)) == {"Just me"}
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Back again")
    assert set(_names(session, bob, group)) == {"Back again"}
    assert set(_names(session, cat, group)) == {"Without Bob"}


def _reactions_seen(session: Session, viewer: int, group: int, seq: int, tmp: Path) -> list[dict]:
    """The message's reactions in the viewer's page, catch-up and export, as (emoji, count)."""
    page = history.history(session=session, viewer_id=viewer, conversation_id=group)
    caught = history.catch_up(
        session=session, viewer_id=viewer, conversation_id=group, after_seq=0, after_change=0
    )
    plan = chat_export.plan_export(
        session=session, viewer_id=viewer, conversation_id=group, language="en"
    )
    archive = b"".join(chat_export.export_chunks(plan, LocalFileStorage(tmp)))
    exported = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("messages.json"))
    (record,) = [m for m in exported["messages"] if m.get("seq") == seq]
    seen = [record.get("reactions", {})]
    for views in (page.messages, caught.messages, caught.changes):
        for view in views:
            if view.seq == seq:
                seen.append({r.emoji: len(r.user_ids) for r in view.reactions})
    return seen


def test_reactions_made_after_they_left_are_not_shown_to_them(session: Session, tmp_path: Path):
    people = three_friends(session)
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    seq = send_text(session, ann, group, "pizza on Friday?").message.seq
    start = utc_now()

    def react(who: int, emoji: str, minutes: int) -> None:
        reactions.toggle_reaction(
            session=session,
            viewer_id=who,
            conversation_id=group,
            seq=seq,
            emoji=emoji,
            now=start + timedelta(minutes=minutes),
        )

    react(bob, "👍", 1)
    react(cat, "👍", 2)
    group_members.leave(
        session=session, actor_id=bob, conversation_id=group, now=start + timedelta(minutes=3)
    )
    react(ann, "❤️", 4)
    react(cat, "😂", 5)

    for seen in _reactions_seen(session, bob, group, seq, tmp_path):
        assert seen == {"👍": 2}
    for seen in _reactions_seen(session, cat, group, seq, tmp_path):
        assert seen == {"👍": 2, "❤️": 1, "😂": 1}
