"""Disabling, enabling and deleting accounts: what ends, what stays, who may."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from chat_app.models import (
    Block,
    ConversationMember,
    FoundUser,
    FriendRequest,
    Friendship,
    StoredFile,
    User,
)
from chat_app.services import (
    account_status,
    admin_rights,
    auth,
    chat_list,
    friend_pane,
    friends,
    history,
    sessions,
)
from chat_app.services.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    Refused,
    TooManyAttempts,
    ValidationFailed,
)
from chat_app.services.passwords import hash_password
from chat_app.settings import load_settings
from tests.services.test_group_races import at_once
from tests.support.accounts import audit_actions, fresh_user, make_admin_user, session_count
from tests.support.groups import avatar_file, events, make_group, roles
from tests.support.users import know, log_in, make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases
PASSWORD = "correct horse"


def with_password(session: Session, user_id: int) -> None:
    user = fresh_user(session, user_id)
    user.password_hash = hash_password(PASSWORD)
    session.add(user)
    session.commit()


def test_disabling_ends_sessions_hands_groups_over_and_blocks_login(session: Session):
    ann = make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    make_friends(session, bob, cat)
    group = make_group(session, bob, cat)
    with_password(session, bob)
    token, _ = log_in(session, bob)
    change = account_status.set_disabled(
        session=session, actor_id=ann, target_id=bob, disabled=True
    )
    assert change.user_id == bob
    assert [c.event for c in change.group_changes] == ["owner"]
    assert roles(session, group) == {bob: "member", cat: "owner"}
    assert session_count(session, bob) == 0
    assert sessions.resolve_session(session=session, token=token) is None
    with pytest.raises(Refused) as refused:
        auth.login(session=session, username="bob", password=PASSWORD, client_address="1.2.3.4")
    assert refused.value.code == "account_disabled"
    # A wrong password still reads as wrong: the state of the account is not revealed.
    with pytest.raises(Exception) as wrong:
        auth.login(session=session, username="bob", password="nope" * 3, client_address="1.2.3.4")
    assert wrong.value.code == "invalid_credentials"  # type: ignore[attr-defined]
    account_status.set_disabled(session=session, actor_id=ann, target_id=bob, disabled=False)
    assert fresh_user(session, bob).disabled_at is None
    result = auth.login(
        session=session, username="bob", password=PASSWORD, client_address="1.2.3.4"
    )
    assert result.user.id == bob
    assert audit_actions(session) == [("ann", "disable", "bob"), ("ann", "enable", "bob")]


def test_a_session_of_a_disabled_user_resolves_to_nobody(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    token, _ = log_in(session, bob)
    user = fresh_user(session, bob)
    user.disabled_at = user.created_at
    session.add(user)
    session.commit()
    assert sessions.resolve_session(session=session, token=token) is None
    assert ann


def test_an_admin_cannot_disable_themselves_nor_the_last_admin_be_disabled(session: Session):
    ann = make_admin_user(session, "ann")
    with pytest.raises(Refused) as refused:
        account_status.set_disabled(session=session, actor_id=ann, target_id=ann, disabled=True)
    assert refused.value.code == "cannot_disable_self"
    with pytest.raises(Refused) as refused:
        account_status.set_disabled(session=session, actor_id=None, target_id=ann, disabled=True)
    assert refused.value.code == "last_admin"
    with pytest.raises(Refused) as refused:
        account_status.delete_account(session=session, actor_id=ann, target_id=ann)
    assert refused.value.code == "last_admin"
    assert admin_rights.is_admin(session=session, user_id=ann)
    assert audit_actions(session) == []


@pytest.mark.parametrize("forged", [True, "2", 2.0, -2, 0, 10**30])
def test_plain_users_and_forged_ids_change_nothing(session: Session, forged):
    make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    with pytest.raises(Forbidden):
        account_status.set_disabled(session=session, actor_id=bob, target_id=cat, disabled=True)
    with pytest.raises(Forbidden):
        account_status.delete_account(session=session, actor_id=bob, target_id=cat)
    with pytest.raises(Forbidden):
        account_status.delete_account(session=session, actor_id=forged, target_id=cat)  # type: ignore[arg-type]
    assert fresh_user(session, cat).deleted_at is None
    assert fresh_user(session, cat).disabled_at is None
    assert audit_actions(session) == []


def test_deleting_blanks_the_account_and_keeps_what_others_read(session: Session):
    ann = make_admin_user(session, "ann")
    bob, cat, dan, eve = (make_user(session, name) for name in ("bob", "cat", "dan", "eve"))
    make_friends(session, bob, cat)
    make_friends(session, bob, dan)
    group = make_group(session, bob, cat, dan)
    direct = friends.friend_ids(session=session, user_id=cat)
    assert direct == [bob]
    conversation = session.exec(
        select(ConversationMember.conversation_id).where(
            ConversationMember.user_id == cat, col(ConversationMember.conversation_id) != group
        )
    ).one()
    sent = send_text(session, bob, conversation, "hello cat")
    know(session, eve, bob)
    friends.send_request(session=session, viewer_id=eve, target_id=bob)
    friends.block_user(session=session, viewer_id=dan, target_id=bob)
    user = fresh_user(session, bob)
    user.avatar_file_id = avatar_file(session, bob, "pic1")
    session.add(user)
    session.commit()
    log_in(session, bob)

    change = account_status.delete_account(session=session, actor_id=ann, target_id=bob)

    user = fresh_user(session, bob)
    assert (user.username, user.username_key, user.nickname, user.avatar_file_id) == (
        "bob",
        "bob",
        "",
        None,
    )
    assert user.role == "user"
    assert user.deleted_at is not None
    assert change.storage_keys == ("pic1-thumb",)
    assert session.get(StoredFile, "pic1") is None
    assert session_count(session, bob) == 0
    assert change.friend_ids == {cat, dan, eve}
    for table, columns in (
        (Friendship, (Friendship.user_low_id, Friendship.user_high_id)),
        (FriendRequest, (FriendRequest.from_user_id, FriendRequest.to_user_id)),
        (Block, (Block.blocker_id, Block.blocked_id)),
        (FoundUser, (FoundUser.viewer_id, FoundUser.user_id)),
    ):
        for column in columns:
            assert session.exec(select(table).where(column == bob)).all() == []
    # The direct conversation stays readable for cat, read-only, with bob's message in it.
    member = session.exec(
        select(ConversationMember).where(
            ConversationMember.conversation_id == conversation, ConversationMember.user_id == cat
        )
    ).one()
    assert member.left_seq is not None
    assert member.left_seq >= sent.message.seq
    # The group goes on without bob, who handed it over and left with a line.
    assert roles(session, group) == {cat: "owner", dan: "member"} or roles(session, group) == {
        cat: "owner"
    }
    assert [e["event"] for e in events(session, group)][-2:] == ["owner", "left"]
    assert {c.event for c in change.group_changes} == {"left"}
    # The username stays reserved and nobody logs in as bob.
    with pytest.raises(ValidationFailed):
        auth.register(
            session=session,
            username="BOB",
            nickname="B",
            password=PASSWORD,
            password_confirm=PASSWORD,
        )
    with pytest.raises(Exception) as refused:
        auth.login(session=session, username="bob", password="x" * 8, client_address="a")
    assert refused.value.code == "invalid_credentials"  # type: ignore[attr-defined]
    assert audit_actions(session) == [("ann", "delete", "bob")]
    with pytest.raises(Refused) as again:
        account_status.delete_account(session=session, actor_id=ann, target_id=bob)
    assert again.value.code == "account_deleted"


def test_deleting_my_own_account_needs_my_password_and_counts_failures(session: Session):
    make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    with_password(session, bob)
    token, _ = log_in(session, bob)
    device = sessions.hash_token(token)
    few = load_settings({"CHAT_LOGIN_MAX_FAILURES": "2"})
    for _ in range(2):
        with pytest.raises(ValidationFailed) as wrong:
            account_status.delete_own_account(
                session=session,
                user_id=bob,
                password="wrong password",
                client_address="1.1.1.1",
                device_hash=device,
                settings=few,
            )
        assert wrong.value.field_errors == {"password": "current_password_wrong"}
    with pytest.raises(TooManyAttempts):
        account_status.delete_own_account(
            session=session,
            user_id=bob,
            password=PASSWORD,
            client_address="1.1.1.1",
            device_hash=device,
            settings=few,
        )
    assert fresh_user(session, bob).deleted_at is None
    change = account_status.delete_own_account(
        session=session, user_id=bob, password=PASSWORD, client_address="1.1.1.1", device_hash=""
    )
    assert change.user_id == bob
    assert fresh_user(session, bob).deleted_at is not None
    assert audit_actions(session) == [("bob", "delete", "bob")]
    with pytest.raises(NotAuthenticated):
        account_status.delete_own_account(
            session=session, user_id=bob, password=PASSWORD, client_address="", device_hash=""
        )


def test_the_last_admin_cannot_delete_their_own_account(session: Session):
    ann = make_admin_user(session, "ann")
    with_password(session, ann)
    with pytest.raises(Refused) as refused:
        account_status.delete_own_account(
            session=session, user_id=ann, password=PASSWORD, client_address="", device_hash=""
        )
    assert refused.value.code == "last_admin"
    assert fresh_user(session, ann).deleted_at is None


def test_two_admins_disabling_each_other_at_once_leave_one(session: Session, engine):
    ann = make_admin_user(session, "ann")
    bob = make_admin_user(session, "bob")
    results = at_once(
        engine,
        lambda own: account_status.set_disabled(
            session=own, actor_id=ann, target_id=bob, disabled=True
        ),
        lambda own: account_status.delete_account(session=own, actor_id=bob, target_id=ann),
    )
    live = [u for u in (ann, bob) if admin_rights.is_admin(session=session, user_id=u)]
    assert len(live) == 1
    assert sum(isinstance(result, account_status.AccountChange) for result in results) == 1
    assert session.exec(select(User).where(col(User.deleted_at).is_not(None))).all() in (
        [],
        [fresh_user(session, ann)],
    )


@pytest.mark.parametrize("forged", [1, "true", None])
def test_a_disabled_flag_that_is_not_a_bool_changes_nothing(session: Session, forged):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    with pytest.raises(Refused):
        account_status.set_disabled(session=session, actor_id=ann, target_id=bob, disabled=forged)
    assert fresh_user(session, bob).disabled_at is None
    assert audit_actions(session) == []


def test_the_other_side_lists_the_deleted_users_conversation_by_an_empty_name(session: Session):
    ann = make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    make_friends(session, bob, cat)
    conversation = session.exec(
        select(ConversationMember.conversation_id).where(ConversationMember.user_id == cat)
    ).one()
    send_text(session, bob, conversation, "hello")
    account_status.delete_account(session=session, actor_id=ann, target_id=bob)
    rows = chat_list.chat_rows(session=session, viewer_id=cat)
    assert [(row.conversation_id, row.name, row.preview) for row in rows] == [
        (conversation, "", "hello")
    ]
    past = friend_pane.snapshot(session=session, user_id=cat).past
    assert [(c.user_id, c.nickname, c.conversation_id) for c in past] == [(bob, "", conversation)]
    page = history.history(session=session, viewer_id=cat, conversation_id=conversation)
    assert [m.body for m in page.messages] == ["hello"]


def test_nobody_finds_or_befriends_a_deleted_account(session: Session):
    ann = make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    make_friends(session, bob, cat)
    account_status.delete_account(session=session, actor_id=ann, target_id=bob)
    with pytest.raises(NotFound):
        friend_pane.search(session=session, viewer_id=cat, username="bob")
    # Cat still has a relation to bob (their conversation) but cannot ask again.
    with pytest.raises(NotFound):
        friends.send_request(session=session, viewer_id=cat, target_id=bob)
    with pytest.raises(NotFound):
        friends.block_user(session=session, viewer_id=cat, target_id=bob)
    assert session.exec(select(FriendRequest)).all() == []
