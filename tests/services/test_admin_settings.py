"""The instance settings as administrators change them: checked, audited, committed."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.services import admin_settings, instance_settings
from chat_app.services.errors import Forbidden, ValidationFailed
from tests.support.accounts import audit_actions, make_admin_user
from tests.support.users import make_user


def test_an_administrator_changes_the_registration_with_an_audit_entry(session: Session):
    admin_id = make_admin_user(session, "ann")
    assert (
        admin_settings.set_registration_mode(session=session, actor_id=admin_id, mode="invite")
        == "invite"
    )
    assert (
        admin_settings.set_group_invites_register(session=session, actor_id=admin_id, allowed=False)
        is False
    )
    shown = admin_settings.current(session=session, viewer_id=admin_id)
    assert (shown.registration_mode, shown.group_invites_register) == ("invite", False)
    assert audit_actions(session) == [
        ("ann", "registration_mode", ""),
        ("ann", "group_invites_register", ""),
    ]
    entries, total = admin_settings.audit_page(session=session, viewer_id=admin_id, page="x")
    assert total == 2
    assert [entry.detail for entry in entries] == ["off", "invite"]


def test_the_command_line_is_audited_as_such(session: Session):
    admin_settings.set_registration_mode(session=session, actor_id=None, mode="closed")
    assert instance_settings.registration_mode(session=session) == "closed"
    assert audit_actions(session) == [("command line", "registration_mode", "")]


@pytest.mark.parametrize("allowed", ["yes", 1, None])
def test_anything_but_true_forbids_group_invites(session: Session, allowed: object):
    admin_id = make_admin_user(session, "ann")
    admin_settings.set_group_invites_register(session=session, actor_id=admin_id, allowed=allowed)
    assert instance_settings.group_invites_register(session=session) is False


def test_non_administrators_and_bad_modes_change_nothing(session: Session):
    admin_id = make_admin_user(session, "ann")
    user_id = make_user(session, "bob")
    with pytest.raises(Forbidden):
        admin_settings.set_registration_mode(session=session, actor_id=user_id, mode="closed")
    with pytest.raises(Forbidden):
        admin_settings.set_group_invites_register(session=session, actor_id=user_id, allowed=False)
    with pytest.raises(Forbidden):
        admin_settings.current(session=session, viewer_id=user_id)
    with pytest.raises(Forbidden):
        admin_settings.audit_page(session=session, viewer_id=user_id, page=0)
    with pytest.raises(ValidationFailed):
        admin_settings.set_registration_mode(session=session, actor_id=admin_id, mode="everyone")
    session.rollback()
    assert instance_settings.registration_mode(session=session) == "open"
    assert instance_settings.group_invites_register(session=session) is True
    assert audit_actions(session) == []
