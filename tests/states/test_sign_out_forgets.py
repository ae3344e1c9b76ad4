"""Signed out, a tab keeps nothing of its user that the next person at it would be sent.

Reflex sends every state of the tab with the next page (a reload, the login page), so
what an administrator's tab held (the user list, the audit log, a reset link, an invite
link) must go with the administrator.
"""

from __future__ import annotations

from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.admin_page import AdminPageState
from chat_app.states.admin_user_actions import AdminUserActionsState
from chat_app.states.admin_users import AdminUsersState
from chat_app.states.auth import AuthState
from chat_app.states.invite_manager import InviteManagerState
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.sign_out import SignOutState
from tests.states.test_invite_states import on_page, promote
from tests.support.tabs import logged_in_tab, run


async def test_an_administrators_tab_forgets_the_admin_data_when_signed_out(tab_factory, engine):
    bob = await logged_in_tab(tab_factory, "bobbington", "bob-tab")
    bob_id = (await bob.get_state(AuthState))._user_id
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    auth = await admin.get_state(AuthState)
    assert auth._user_id is not None
    promote(engine, auth._user_id)
    on_page(admin, "/admin")
    await run((await admin.get_state(AdminPageState)).load)
    users = await admin.get_state(AdminUsersState)
    assert "bobbington" in [row.username for row in users.rows]
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.ask, "reset", bob_id)
    invites = await admin.get_state(InviteManagerState)
    await run(invites.open_for_server)
    await run(invites.create)
    password = await admin.get_state(PasswordChangeState)
    await run(password.set_password_dialog_open, True)
    secrets = [actions.reset_link, invites.new_link, "bobbington"]
    assert all(secrets)
    assert (await admin.get_state(AdminOverviewState)).audit_rows

    await run((await admin.get_state(SignOutState)).log_out, True)
    await run(auth.logout)

    sent_with_the_next_page = repr(admin._get_root_state().dict())
    assert [secret for secret in secrets if secret in sent_with_the_next_page] == []
    assert (await admin.get_state(AdminOverviewState)).audit_rows == []
    assert password.password_dialog_open is False
