"""A member who left a group sees it by the name it had then, not by a later rename."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.services import chat_list, group_members, groups, history, search
from tests.support.groups import make_group, three_friends

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

    # Added again, Bob is a member: the group's name is his again, and so are its renames.
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[bob])
    assert set(_names(session, bob, group)) == {"Just me"}
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Back again")
    assert set(_names(session, bob, group)) == {"Back again"}
    assert set(_names(session, cat, group)) == {"Without Bob"}
