"""Files in a group: a signed link re-checks the membership each time it is opened.

A file goes to the members whose membership holds its message's seq, in
(joined_seq, left_seq]; a group's avatar to its current members.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_app.services import conversations, friends, group_members, groups
from chat_app.services.errors import Refused
from chat_app.services.storage import LocalFileStorage
from tests.support.delivery import may_download, remove, send_file
from tests.support.groups import avatar_file

pytestmark = pytest.mark.both_databases


def test_a_departed_member_downloads_only_the_files_sent_while_they_were_in(
    session, users, group, tmp_path: Path
):
    ann, bob, cat, dan, eve = (users[n] for n in ("ann", "bob", "cat", "dan", "eve"))
    storage = LocalFileStorage(tmp_path / "files")
    before = send_file(session, ann, group, storage)
    assert sorted(before.recipient_ids) == sorted([bob, cat])
    remove(session, ann, group, cat)
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    later = send_file(session, ann, group, storage)
    first = before.message.attachment
    second = later.message.attachment
    assert first is not None
    assert second is not None
    assert [may_download(session, u, first.file_id) for u in (ann, bob, cat, dan, eve)] == [
        True,
        True,
        True,
        False,  # sent before dan joined
        False,
    ]
    assert [may_download(session, u, second.file_id) for u in (ann, bob, cat, dan, eve)] == [
        True,
        True,
        False,  # sent after cat was removed
        True,
        False,
    ]


def test_a_removed_member_cannot_send_a_file(session, users, group, tmp_path: Path):
    ann, cat = users["ann"], users["cat"]
    storage = LocalFileStorage(tmp_path / "files")
    remove(session, ann, group, cat)
    with pytest.raises(Refused) as raised:
        send_file(session, cat, group, storage)
    assert raised.value.code == "conversation_gone"
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").iterdir())


def test_a_groups_avatar_is_for_its_current_members(session, users, group):
    ann, bob, cat, eve = users["ann"], users["bob"], users["cat"], users["eve"]
    picture = avatar_file(session, ann, "a" * 32)
    groups.set_avatar(session=session, actor_id=ann, conversation_id=group, file_id=picture)
    assert [may_download(session, u, picture) for u in (ann, bob, cat, eve)] == [
        True,
        True,
        True,
        False,
    ]
    remove(session, ann, group, cat)
    assert not may_download(session, cat, picture)


def test_direct_files_follow_the_same_rule(session, users, tmp_path: Path):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    storage = LocalFileStorage(tmp_path / "files")
    direct = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    sent = send_file(session, ann, direct, storage)
    assert sent.recipient_ids == (bob,)
    assert sent.message.attachment is not None
    file_id = sent.message.attachment.file_id
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    # Both keep the history they shared, its files included; nobody else gets them.
    assert [may_download(session, u, file_id) for u in (ann, bob, cat)] == [True, True, False]
