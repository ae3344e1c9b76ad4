"""Who is an administrator, making and unmaking them, and never losing the last one."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import admin_rights
from chat_app.services.errors import Forbidden, NotFound, Refused
from tests.services.test_group_races import at_once
from tests.support.accounts import audit_actions, fresh_user, make_admin_user
from tests.support.users import make_user

pytestmark = pytest.mark.both_databases


def test_an_admin_is_the_role_on_a_live_account(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    assert admin_rights.is_admin(session=session, user_id=ann)
    assert not admin_rights.is_admin(session=session, user_id=bob)
    user = fresh_user(session, ann)
    user.disabled_at = utc_now()
    session.add(user)
    session.commit()
    assert not admin_rights.is_admin(session=session, user_id=ann)
    with pytest.raises(Forbidden):
        admin_rights.require_admin(session=session, user_id=ann)


@pytest.mark.parametrize("forged", [None, True, "1", 1.0, -1, 0, 10**30, 999])
def test_require_admin_refuses_forged_ids(session: Session, forged):
    make_admin_user(session, "ann")
    with pytest.raises(Forbidden):
        admin_rights.require_admin(session=session, user_id=forged)


def test_an_admin_promotes_and_demotes_with_an_audit_entry(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    admin_rights.set_admin(session=session, actor_id=ann, target_id=bob, admin=True)
    assert admin_rights.is_admin(session=session, user_id=bob)
    admin_rights.set_admin(session=session, actor_id=bob, target_id=ann, admin=False)
    assert not admin_rights.is_admin(session=session, user_id=ann)
    assert audit_actions(session) == [("ann", "promote", "bob"), ("bob", "demote", "ann")]


def test_a_plain_user_changes_nobody(session: Session):
    make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    with pytest.raises(Forbidden):
        admin_rights.set_admin(session=session, actor_id=bob, target_id=bob, admin=True)
    assert fresh_user(session, bob).role == "user"
    assert audit_actions(session) == []


def test_the_last_admin_cannot_unmake_themselves(session: Session):
    ann = make_admin_user(session, "ann")
    with pytest.raises(Refused) as refused:
        admin_rights.set_admin(session=session, actor_id=ann, target_id=ann, admin=False)
    assert refused.value.code == "last_admin"
    assert admin_rights.is_admin(session=session, user_id=ann)
    # Nor from the command line.
    with pytest.raises(Refused):
        admin_rights.set_admin(session=session, actor_id=None, target_id=ann, admin=False)
    assert audit_actions(session) == []


def test_a_disabled_admin_does_not_count_as_the_other_one(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_admin_user(session, "bob")
    user = fresh_user(session, bob)
    user.disabled_at = utc_now()
    session.add(user)
    session.commit()
    with pytest.raises(Refused):
        admin_rights.set_admin(session=session, actor_id=ann, target_id=ann, admin=False)


def test_the_command_line_promotes_by_name_and_is_audited(session: Session):
    make_user(session, "Bob_1")
    bob = admin_rights.user_id_by_name(session=session, username="bob_1")
    admin_rights.set_admin(session=session, actor_id=None, target_id=bob, admin=True)
    assert admin_rights.is_admin(session=session, user_id=bob)
    assert audit_actions(session) == [("command line", "promote", "Bob_1")]
    with pytest.raises(NotFound):
        admin_rights.user_id_by_name(session=session, username="nobody")


def test_unknown_or_deleted_targets_are_refused(session: Session):
    ann = make_admin_user(session, "ann")
    with pytest.raises(NotFound):
        admin_rights.set_admin(session=session, actor_id=ann, target_id=999, admin=True)
    bob = make_user(session, "bob")
    user = fresh_user(session, bob)
    user.deleted_at = utc_now()
    session.add(user)
    session.commit()
    with pytest.raises(Refused) as refused:
        admin_rights.set_admin(session=session, actor_id=ann, target_id=bob, admin=True)
    assert refused.value.code == "account_deleted"


def test_two_admins_unmaking_each_other_at_once_leave_one(session: Session, engine):
    ann = make_admin_user(session, "ann")
    bob = make_admin_user(session, "bob")
    for _ in range(3):
        results = at_once(
            engine,
            lambda own: admin_rights.set_admin(
                session=own, actor_id=ann, target_id=bob, admin=False
            ),
            lambda own: admin_rights.set_admin(
                session=own, actor_id=bob, target_id=ann, admin=False
            ),
        )
        admins = [u for u in (ann, bob) if admin_rights.is_admin(session=session, user_id=u)]
        assert len(admins) == 1
        assert sum(result is None for result in results) == 1
        assert all(result is None or isinstance(result, Forbidden | Refused) for result in results)
        # Both admins again for the next round.
        admin_rights.set_admin(session=session, actor_id=None, target_id=ann, admin=True)
        admin_rights.set_admin(session=session, actor_id=None, target_id=bob, admin=True)


@pytest.mark.parametrize("forged", [1, "false", None, 0])
def test_a_role_that_is_not_a_bool_changes_nothing(session: Session, forged):
    ann = make_admin_user(session, "ann")
    bob = make_admin_user(session, "bob")
    with pytest.raises(Refused):
        admin_rights.set_admin(session=session, actor_id=ann, target_id=bob, admin=forged)
    assert admin_rights.is_admin(session=session, user_id=bob)
    assert audit_actions(session) == []
