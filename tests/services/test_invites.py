"""Making, listing and revoking invites: who may, for which scope, and what is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from chat_app import i18n
from chat_app.models import AuditEntry, Invite, User, utc_now
from chat_app.services import group_members, invites, sessions
from chat_app.services.errors import Forbidden, NotFound, ValidationFailed
from tests.support.groups import make_admin as make_group_admin
from tests.support.groups import make_group, make_people
from tests.support.invites import make_admin, make_invite, register
from tests.support.users import make_user


def count(session: Session, table: type) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(table)).one()


def test_an_admin_creates_a_server_invite_stored_by_hash_and_audited(session):
    admin = make_admin(session)
    now = utc_now()
    created = invites.create(session=session, actor_id=admin, expiry="7d", max_uses=10, now=now)

    assert len(created.token) == 43
    row = session.exec(select(Invite)).one()
    assert row.token_hash == sessions.hash_token(created.token)
    assert created.token not in row.token_hash
    assert (row.conversation_id, row.max_uses, row.used_count) == (None, 10, 0)
    assert row.expires_at == now + timedelta(days=7)
    view = created.invite
    assert (view.state, view.creator_name, view.max_uses, view.used_count) == (
        "active",
        "root",
        10,
        0,
    )
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor_name, entry.action) == ("root", "invite_create")


@pytest.mark.parametrize(
    ("expiry", "uses", "field"),
    [
        ("2h", 5, "expiry"),
        (None, 5, "expiry"),
        ("1d", 0, "max_uses"),
        ("1d", 1001, "max_uses"),
        ("1d", True, "max_uses"),
        ("1d", "5", "max_uses"),
    ],
)
def test_only_the_offered_expiries_and_1_to_1000_uses(session, expiry, uses, field):
    admin = make_admin(session)
    with pytest.raises(ValidationFailed) as raised:
        invites.create(session=session, actor_id=admin, expiry=expiry, max_uses=uses)
    assert field in raised.value.field_errors
    assert raised.value.field_errors[field] in i18n.EN
    assert count(session, Invite) == 0


def test_a_non_admin_a_disabled_or_deleted_admin_makes_no_server_invite(session):
    plain = make_user(session, "plain")
    disabled = make_admin(session, "gone")
    deleted = make_admin(session, "deleted")
    for user_id, column in ((disabled, "disabled_at"), (deleted, "deleted_at")):
        user = session.get(User, user_id)
        setattr(user, column, utc_now())
        session.add(user)
    session.commit()
    for actor in (plain, disabled, deleted, 999, True, "1"):
        with pytest.raises(Forbidden):
            invites.create(session=session, actor_id=actor, expiry="1d", max_uses=1)  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            invites.list_invites(session=session, actor_id=actor)  # type: ignore[arg-type]
    assert count(session, Invite) == 0
    assert count(session, AuditEntry) == 0


def test_group_invites_by_the_owner_or_an_admin_only(session):
    people = make_people(session, "ann bob cat dan", "ann-bob ann-cat")
    group = make_group(session, people["ann"], people["bob"], people["cat"])
    make_group_admin(session, group, people["ann"], people["bob"])

    make_invite(session, people["ann"], group)
    make_invite(session, people["bob"], group)
    with pytest.raises(Forbidden) as raised:
        make_invite(session, people["cat"], group)
    assert raised.value.code == "group_admins_only"
    for outsider_group in (group, 999, "1", True, None):
        if outsider_group is None:
            # A group admin is no server administrator.
            with pytest.raises(Forbidden):
                make_invite(session, people["ann"], None)
            continue
        with pytest.raises(NotFound):
            invites.create(
                session=session,
                actor_id=people["dan"],
                conversation_id=outsider_group,
                expiry="1d",
                max_uses=1,
            )
    assert count(session, Invite) == 2
    # Group invites are no administrator action: nothing in the audit log.
    assert count(session, AuditEntry) == 0


def test_each_scope_lists_only_its_own_invites_with_their_state(session):
    admin = make_admin(session)
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    now = utc_now()
    server_tokens = [make_invite(session, admin, uses=1, now=now) for _ in range(4)]
    make_invite(session, people["ann"], group, now=now)
    register(session, server_tokens[0], "first", now=now)
    invites.revoke(session=session, actor_id=admin, invite_id=_id_of(session, server_tokens[1]))
    expired = make_invite(session, admin, expiry="1h", now=now - timedelta(hours=2))

    listed, total = invites.list_invites(session=session, actor_id=admin, now=now)
    assert total == 5
    states = {view.id: view.state for view in listed}
    assert states[_id_of(session, server_tokens[0])] == "used_up"
    assert states[_id_of(session, server_tokens[1])] == "revoked"
    assert states[_id_of(session, server_tokens[2])] == "active"
    assert states[_id_of(session, expired)] == "expired"
    used = next(view for view in listed if view.id == _id_of(session, server_tokens[0]))
    assert (used.used_count, used.max_uses) == (1, 1)
    assert all(view.conversation_id == 0 for view in listed)

    in_group, group_total = invites.list_invites(
        session=session, actor_id=people["ann"], conversation_id=group
    )
    assert group_total == 1
    assert in_group[0].conversation_id == group
    with pytest.raises(Forbidden):
        invites.list_invites(session=session, actor_id=people["bob"], conversation_id=group)


def test_the_list_is_paged_at_20(session):
    admin = make_admin(session)
    for _ in range(23):
        make_invite(session, admin)
    first, total = invites.list_invites(session=session, actor_id=admin, page=0)
    second, _ = invites.list_invites(session=session, actor_id=admin, page=1)
    forged, _ = invites.list_invites(session=session, actor_id=admin, page="1")
    assert (len(first), len(second), total) == (20, 3, 23)
    assert {view.id for view in first}.isdisjoint(view.id for view in second)
    assert [view.id for view in forged] == [view.id for view in first]


def test_revoke_only_within_the_scope_and_forged_ids_change_nothing(session):
    admin = make_admin(session)
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    server_invite = _id_of(session, make_invite(session, admin))
    group_invite = _id_of(session, make_invite(session, people["ann"], group))

    for forged in (group_invite, 999, "1", True, None, -1):
        with pytest.raises(NotFound):
            invites.revoke(session=session, actor_id=admin, invite_id=forged)
    with pytest.raises(NotFound):
        invites.revoke(
            session=session, actor_id=people["ann"], invite_id=server_invite, conversation_id=group
        )
    with pytest.raises(Forbidden):
        invites.revoke(session=session, actor_id=people["ann"], invite_id=server_invite)
    session.rollback()
    assert all(row.revoked_at is None for row in session.exec(select(Invite)).all())

    invites.revoke(
        session=session, actor_id=people["ann"], invite_id=group_invite, conversation_id=group
    )
    invites.revoke(session=session, actor_id=admin, invite_id=server_invite)
    invites.revoke(session=session, actor_id=admin, invite_id=server_invite)  # again: no-op
    session.rollback()
    assert all(row.revoked_at is not None for row in session.exec(select(Invite)).all())
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("invite_revoke") == 1


def _id_of(session: Session, token: str) -> int:
    row = session.exec(select(Invite).where(Invite.token_hash == sessions.hash_token(token))).one()
    assert row.id is not None
    return row.id


def test_a_scopes_managers_are_its_administrators_or_its_groups_owner_and_admins(
    session: Session,
):
    root, gone = make_admin(session, "root"), make_admin(session, "gone")
    disabled = session.get(User, gone)
    assert disabled is not None
    disabled.disabled_at = utc_now()
    session.add(disabled)
    session.commit()
    assert invites.manager_ids(session=session, conversation_id=0) == [root]

    people = make_people(session, "ann bob cat dan", "ann-bob ann-cat ann-dan")
    ann, bob, dan = people["ann"], people["bob"], people["dan"]
    group = make_group(session, ann, bob, people["cat"], dan)
    make_group_admin(session, group, ann, bob)
    make_group_admin(session, group, ann, dan)
    group_members.leave(session=session, actor_id=dan, conversation_id=group)
    assert sorted(invites.manager_ids(session=session, conversation_id=group)) == sorted([ann, bob])


def test_audit_details_written_before_the_expiry_time_still_read():
    older = invites.audited_terms("7d, 12 uses")
    assert older is not None
    assert (older.expiry, older.uses, older.expires_at) == ("7d", "12", None)
    # A revocation's entry before it named the link's terms: shown as it is.
    assert invites.audited_terms("#3") is None
    assert invites.audited_terms("7d, 12 uses, expires never") is None
