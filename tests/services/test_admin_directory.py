"""The admin page's user list (searched, paged, with storage) and the instance's numbers."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from chat_app.models import ConversationMember, utc_now
from chat_app.services import admin_directory
from chat_app.services.errors import Forbidden
from tests.support.accounts import fresh_user, make_admin_user
from tests.support.groups import avatar_file
from tests.support.users import make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


def names(views) -> list[str]:
    return [view.username for view in views]


def test_users_are_listed_by_username_with_their_storage(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob", "Bobby")
    make_user(session, "Cat")
    avatar_file(session, bob, "f1", size=1000)
    avatar_file(session, bob, "f2", size=24)
    views, total = admin_directory.list_users(session=session, viewer_id=ann, query="", page=0)
    assert (names(views), total) == (["ann", "bob", "Cat"], 3)
    by_name = {view.username: view for view in views}
    assert by_name["bob"].storage_bytes == 1024
    assert by_name["ann"].storage_bytes == 0
    assert by_name["ann"].role == "admin"
    assert by_name["bob"].nickname == "Bobby"
    assert not by_name["bob"].disabled
    assert not by_name["bob"].deleted


def test_search_finds_substrings_of_usernames_and_nicknames_with_wildcards_literal(
    session: Session,
):
    ann = make_admin_user(session, "ann")
    make_user(session, "bob_smith", "Robert")
    make_user(session, "bobxsmith", "Bob 100%")
    make_user(session, "carol", "Mrs ROBinson")

    def search(query: object) -> list[str]:
        return names(
            admin_directory.list_users(session=session, viewer_id=ann, query=query, page=0)[0]
        )

    assert search("ROB") == ["bob_smith", "carol"]
    assert search("b_s") == ["bob_smith"]
    assert search("100%") == ["bobxsmith"]
    assert search("%") == ["bobxsmith"]
    assert search(None) == ["ann", "bob_smith", "bobxsmith", "carol"]
    assert search("zzz") == []
    # The box's hint writes a username with "@": nicknames ("Robert") are not searched.
    assert search("@ROB") == []
    assert search("@SMITH") == ["bob_smith", "bobxsmith"]
    assert search(" @ b_s ") == ["bob_smith"]
    assert search("@") == ["ann", "bob_smith", "bobxsmith", "carol"]


def test_pages_hold_fifty_users(session: Session):
    ann = make_admin_user(session, "a000")
    for number in range(1, 61):
        make_user(session, f"u{number:03d}")
    first, total = admin_directory.list_users(session=session, viewer_id=ann, query="", page=0)
    second, _ = admin_directory.list_users(session=session, viewer_id=ann, query="", page=1)
    assert total == 61
    assert len(first) == 50
    assert len(second) == 11
    assert second[-1].username == "u060"
    for forged in (-1, "1", True, 1.5):
        assert names(
            admin_directory.list_users(session=session, viewer_id=ann, query="", page=forged)[0]
        ) == names(first)


def test_only_admins_list_users_or_see_numbers(session: Session):
    make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    with pytest.raises(Forbidden):
        admin_directory.list_users(session=session, viewer_id=bob, query="", page=0)
    with pytest.raises(Forbidden):
        admin_directory.instance_numbers(session=session, viewer_id=bob)


def test_instance_numbers_count_live_users_messages_and_files(session: Session):
    ann = make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    make_friends(session, bob, cat)
    conversation = session.exec(
        select(ConversationMember.conversation_id).where(col(ConversationMember.user_id) == bob)
    ).one()
    send_text(session, bob, conversation, "one")
    send_text(session, cat, conversation, "two")
    avatar_file(session, bob, "f1", size=300)
    user = fresh_user(session, cat)
    user.deleted_at = utc_now()
    session.add(user)
    session.commit()
    numbers = admin_directory.instance_numbers(session=session, viewer_id=ann)
    assert numbers == admin_directory.InstanceNumbers(
        users=2, messages=2, files=1, storage_bytes=300
    )
