"""The members panel: current members only, paged and searched on the server, blocks respected."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.models import Block, User, utc_now
from chat_app.services import group_directory, group_members
from tests.support.groups import make_admin, make_group, make_people

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    return make_people(session, "ann bob cat dan fay", "ann-bob ann-cat ann-dan ann-fay")


def remove(session: Session, actor: int, group: int, user: int):
    return group_members.remove_member(
        session=session, actor_id=actor, conversation_id=group, user_id=user
    )


def test_the_panel_pages_current_members_owner_first_and_searches_on_the_server(session, users):
    ann, bob, cat, dan, fay = (users[n] for n in ("ann", "bob", "cat", "dan", "fay"))
    group = make_group(session, ann, bob, cat, dan, fay)
    make_admin(session, group, ann, dan)
    remove(session, ann, group, fay)
    page = group_directory.members_page(
        session=session, viewer_id=bob, conversation_id=group, offset=0, limit=2
    )
    assert [(m.user_id, m.role) for m in page.members] == [(ann, "owner"), (dan, "admin")]
    assert (page.total, page.has_more) == (4, True)
    rest = group_directory.members_page(
        session=session, viewer_id=bob, conversation_id=group, offset=2, limit=2
    )
    assert [m.user_id for m in rest.members] == [bob, cat]
    assert not rest.has_more
    found = group_directory.members_page(
        session=session, viewer_id=bob, conversation_id=group, query=" CA "
    )
    assert [m.user_id for m in found.members] == [cat]
    none = group_directory.members_page(
        session=session, viewer_id=bob, conversation_id=group, query="fay"
    )
    assert none.members == ()


@pytest.mark.parametrize(
    ("query", "offset", "limit"),
    [(None, None, None), (5, -1, 0), ("%", True, 10**9), ("_", 10**30, "50"), (["a"], 1.5, -5)],
)
def test_the_panel_treats_malformed_paging_and_search_safely(session, users, query, offset, limit):
    group = make_group(session, users["ann"], users["bob"])
    page = group_directory.members_page(
        session=session,
        viewer_id=users["ann"],
        conversation_id=group,
        query=query,
        offset=offset,
        limit=limit,
    )
    assert len(page.members) <= group_directory.PAGE_MAX
    assert page.offset >= 0


def test_a_blocked_member_is_listed_by_username_only(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    user = session.get(User, cat)
    assert user is not None
    user.nickname, user.avatar_file_id = "Secret Name", "a" * 32
    session.add(user)
    session.add(Block(blocker_id=cat, blocked_id=bob, created_at=utc_now()))
    session.commit()
    page = group_directory.members_page(session=session, viewer_id=bob, conversation_id=group)
    (seen,) = [m for m in page.members if m.user_id == cat]
    assert (seen.nickname, seen.avatar_file_id) == ("cat", "")
    by_nickname = group_directory.members_page(
        session=session, viewer_id=bob, conversation_id=group, query="secret"
    )
    assert by_nickname.members == ()
    for_ann = group_directory.members_page(
        session=session, viewer_id=ann, conversation_id=group, query="secret"
    )
    assert [m.nickname for m in for_ann.members] == ["Secret Name"]
