"""Using invite links: what a link offers, registering and joining through it, its limits."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from chat_app import i18n
from chat_app.models import Invite, RegistrationRecord, TokenGuess, User, utc_now
from chat_app.services import (
    friends,
    group_members,
    instance_settings,
    invite_use,
    invites,
    sessions,
)
from chat_app.services.errors import (
    NotFound,
    RateLimited,
    Refused,
    TooManyRegistrations,
    ValidationFailed,
)
from chat_app.settings import load_settings
from tests.support.groups import MANY_GROUPS, events, make_group, make_people, roles
from tests.support.invites import ADDRESS, make_admin, make_invite, register
from tests.support.users import know, make_user


def count(session: Session, table: type) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(table)).one()


def used(session: Session, token: str) -> int:
    session.rollback()
    hashed = sessions.hash_token(token)
    return session.exec(select(Invite.used_count).where(Invite.token_hash == hashed)).one()


def invalid(session: Session, call, /, **kwargs) -> None:
    """`call` gives the one answer for every unusable link, and no account appears."""
    users = count(session, User)
    with pytest.raises(NotFound) as raised:
        call(session=session, **kwargs)
    assert raised.value.code == "invite_invalid"
    assert "invite_invalid" in i18n.EN
    assert count(session, User) == users


def set_mode(session: Session, mode: str, group_invites: bool = True) -> None:
    instance_settings.set_registration_mode(session=session, mode=mode)
    instance_settings.set_group_invites_register(session=session, allowed=group_invites)
    session.commit()


def test_a_server_invite_registers_in_every_mode_logged_in_and_not_counted(session):
    admin = make_admin(session)
    token = make_invite(session, admin, uses=3)
    assert invite_use.describe(session=session, token=token, client_address=ADDRESS) == (
        invite_use.InviteOffer(0, "", True)
    )
    for number, mode in enumerate(("open", "invite", "closed")):
        set_mode(session, mode)
        result = register(session, token, f"user_{number}")
        assert sessions.resolve_session(session=session, token=result.login.token) is not None
        assert (result.conversation_id, result.change) == (0, None)
    assert used(session, token) == 3
    # The per-address registration limit never counted them.
    assert count(session, RegistrationRecord) == 0
    invalid(session, invite_use.describe, token=token, client_address=ADDRESS)


def test_expired_used_up_revoked_unknown_and_malformed_links_get_one_answer(session):
    admin = make_admin(session)
    now = utc_now()
    expired = make_invite(session, admin, expiry="1h", now=now - timedelta(hours=1))
    used_up = make_invite(session, admin, uses=1)
    register(session, used_up, "first")
    revoked = make_invite(session, admin)
    revoked_id = session.exec(select(Invite.id).order_by(col(Invite.id).desc())).first()
    invites.revoke(session=session, actor_id=admin, invite_id=revoked_id)
    unknown = "A" * 43
    for token in (expired, used_up, revoked, unknown, "short", None, 42, "x" * 10_000):
        invalid(session, invite_use.describe, token=token, client_address="198.51.100.1")
        invalid(
            session,
            invite_use.register_with_invite,
            token=token,
            username="someone",
            nickname="Someone",
            password="correct horse",
            password_confirm="correct horse",
            client_address="198.51.100.2",
        )
    # Only the tokens that are nobody's count as guesses (5 of 8, twice).
    assert count(session, TokenGuess) == 10


def test_guessing_is_throttled_per_address_before_any_lookup(session):
    admin = make_admin(session)
    token = make_invite(session, admin)
    for _ in range(20):  # CHAT_TOKEN_GUESSES_PER_HOUR's default
        invalid(session, invite_use.describe, token="B" * 43, client_address="203.0.113.9")
    with pytest.raises(RateLimited):
        invite_use.describe(session=session, token=token, client_address="203.0.113.9")
    with pytest.raises(RateLimited):
        register(session, token, address="203.0.113.9")
    # Another address is not held back.
    assert invite_use.describe(session=session, token=token, client_address=ADDRESS).may_register


def test_an_invite_stops_when_its_creator_is_no_longer_an_administrator(session):
    admin = make_admin(session)
    token = make_invite(session, admin)
    user = session.get(User, admin)
    assert user is not None
    user.role = "user"
    session.add(user)
    session.commit()
    invalid(session, invite_use.describe, token=token, client_address=ADDRESS)


def test_a_group_invite_registers_and_joins_with_an_added_line_by_its_creator(session):
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"], name="Class 7")
    token = make_invite(session, people["ann"], group, uses=2)
    assert invite_use.describe(session=session, token=token, client_address=ADDRESS) == (
        invite_use.InviteOffer(group, "Class 7", True)
    )

    result = register(session, token, "pupil")
    new_id = result.login.user.id
    assert result.conversation_id == group
    assert result.change is not None
    assert result.change.event == "added"
    assert set(result.change.member_ids) == {people["ann"], people["bob"], new_id}
    assert roles(session, group)[new_id] == "member"
    last = events(session, group)[-1]
    assert (last["event"], last["actor"], last["users"]) == ("added", people["ann"], [new_id])
    # Joining a group makes nobody a friend.
    assert friends.friend_ids(session=session, user_id=new_id) == []
    assert used(session, token) == 1


def test_a_group_invites_registrations_count_against_the_address_limit(session):
    # Any group's owner makes group invites, as many as they like: their registrations are
    # held to the per-address limit as the open form's are (25 accounts in 2 s before).
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group, uses=10)
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "2"})
    for number in range(2):
        register(session, token, f"pupil_{number}", settings=settings)
    before = count(session, User)
    with pytest.raises(TooManyRegistrations):
        register(session, token, "pupil_2", settings=settings)
    assert (count(session, User), used(session, token)) == (before, 2)
    assert count(session, RegistrationRecord) == 2


@pytest.mark.parametrize(
    ("mode", "group_invites", "registers"),
    [
        ("open", True, True),
        ("invite", True, True),
        ("invite", False, False),
        ("open", False, False),
        ("closed", True, False),
    ],
)
def test_whether_a_group_invite_creates_accounts_follows_the_mode(
    session, mode, group_invites, registers
):
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group)
    set_mode(session, mode, group_invites)
    offer = invite_use.describe(session=session, token=token, client_address=ADDRESS)
    assert offer.may_register == registers
    if registers:
        assert register(session, token).conversation_id == group
        return
    with pytest.raises(Refused) as raised:
        register(session, token)
    assert raised.value.code == "invite_existing_accounts_only"
    assert "invite_existing_accounts_only" in i18n.ZH
    assert used(session, token) == 0
    # People with an account still join.
    outsider = make_user(session, "outsider")
    joined = invite_use.join_with_invite(
        session=session, user_id=outsider, token=token, client_address=ADDRESS
    )
    assert joined.change is not None
    assert outsider in roles(session, group)


def test_a_full_group_refuses_and_nothing_is_created_or_used(session):
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group)
    two = dataclasses.replace(MANY_GROUPS, group_member_limit=2)
    with pytest.raises(Refused) as raised:
        register(session, token, "pupil", settings=two)
    assert raised.value.code == "group_full"
    assert count(session, User) == 2
    assert used(session, token) == 0
    assert set(roles(session, group)) == {people["ann"], people["bob"]}


def test_a_bad_form_uses_nothing(session):
    admin = make_admin(session)
    token = make_invite(session, admin, uses=1)
    with pytest.raises(ValidationFailed):
        invite_use.register_with_invite(
            session=session,
            token=token,
            username="x",
            nickname="X",
            password="short",
            password_confirm="other",
            client_address=ADDRESS,
        )
    assert used(session, token) == 0
    with pytest.raises(ValidationFailed):
        register(session, token, "root")  # a taken name is a field error too
    assert used(session, token) == 0


def test_a_signed_in_user_joins_once_and_a_member_just_opens_it(session):
    people = make_people(session, "ann bob cat", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group, uses=5)
    # Cat blocked Ann: joining the group through her link is still Cat's own choice.
    know(session, people["cat"], people["ann"])
    friends.block_user(session=session, viewer_id=people["cat"], target_id=people["ann"])

    first = invite_use.join_with_invite(
        session=session, user_id=people["cat"], token=token, client_address=ADDRESS
    )
    again = invite_use.join_with_invite(
        session=session, user_id=people["cat"], token=token, client_address=ADDRESS
    )
    member = invite_use.join_with_invite(
        session=session, user_id=people["bob"], token=token, client_address=ADDRESS
    )
    assert first.change is not None
    assert first.conversation_id == group
    assert (again.change, member.change) == (None, None)
    assert again.conversation_id == member.conversation_id == group
    assert used(session, token) == 1
    assert [e["event"] for e in events(session, group)].count("added") == 1


def test_a_server_invite_opened_signed_in_says_you_have_an_account(session):
    admin = make_admin(session)
    token = make_invite(session, admin)
    with pytest.raises(Refused) as raised:
        invite_use.join_with_invite(
            session=session, user_id=admin, token=token, client_address=ADDRESS
        )
    assert raised.value.code == "invite_have_account"
    assert used(session, token) == 0


def test_a_group_invite_stops_when_its_creator_is_no_longer_a_manager(session):
    people = make_people(session, "ann bob cat", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group)
    group_members.leave(session=session, actor_id=people["ann"], conversation_id=group)
    invalid(session, invite_use.describe, token=token, client_address=ADDRESS)
    invalid(
        session,
        invite_use.join_with_invite,
        user_id=people["cat"],
        token=token,
        client_address=ADDRESS,
    )


def test_registration_limits_do_not_apply_but_others_still_count(session):
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "1"})
    admin = make_admin(session)
    token = make_invite(session, admin, uses=3)
    for name in ("one", "two", "three"):
        register(session, token, name, settings=settings)
    assert count(session, User) == 4


def test_a_removed_member_comes_back_by_being_added_not_by_a_link(session):
    people = make_people(session, "ann bob cat", "ann-bob ann-cat")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    token = make_invite(session, ann, group, uses=5)

    def join(user: int) -> invite_use.InviteJoin:
        return invite_use.join_with_invite(
            session=session, user_id=user, token=token, client_address=ADDRESS
        )

    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=bob)
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    # Removed: the class's link does not undo it (it did: any active link let him in).
    with pytest.raises(Refused) as refused:
        join(bob)
    assert refused.value.code == "invite_removed"
    assert used(session, token) == 0
    assert bob not in roles(session, group)
    # Left of her own accord: the link brings her back.
    assert join(cat).change is not None
    # Added back by the owner, then leaving himself: the link works for him again.
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[bob])
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    assert join(bob).change is not None
