"""The admin page's handlers: administrators only, re-checked at every event.

Every public handler of the admin states, called by a tab without a session or by a user
who is not (or no longer) an administrator, changes nothing in the database and leaves
the tab holding no admin data. An administrator's actions work, and forged or stale ids
are refused with a toast.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from sqlmodel import select

from chat_app import routes
from chat_app.i18n import text
from chat_app.models import AuditEntry, InstanceSetting, PasswordReset, User, utc_now
from chat_app.realtime.profile import PROFILE
from chat_app.services.database import session_scope
from chat_app.states import account_changes, admin_access
from chat_app.states.admin_access import AdminAccessState
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.admin_page import AdminPageState
from chat_app.states.admin_user_actions import AdminUserActionsState
from chat_app.states.admin_users import AdminUsersState
from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from tests.support.group_tabs import befriend_first, group_of, open_panel, record_pushes
from tests.support.group_tabs import people as group_people
from tests.support.tabs import logged_in_tab, redirect_targets, run
from tests.support.toasts import toasts_of_specs


@pytest.fixture(autouse=True)
def _someone_registered_first(engine) -> None:
    """The first account of a database becomes its administrator: these tests choose theirs."""
    with session_scope() as session:
        session.add(
            User(
                username="founder",
                username_key="founder",
                nickname="Founder",
                password_hash="!",
                created_at=utc_now(),
            )
        )
        session.commit()


ADMIN_STATES = (AdminUsersState, AdminUserActionsState, AdminOverviewState)


def _set_role(user_id: int, role: str) -> None:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.role = role
        session.add(user)
        session.commit()


def _database() -> tuple[Any, ...]:
    """Everything an admin handler could change."""
    with session_scope() as session:
        users = tuple(
            (u.id, u.role, u.disabled_at, u.deleted_at, u.nickname, u.password_hash)
            for u in session.exec(select(User).order_by(User.id)).all()  # type: ignore[arg-type]
        )
        audit = len(session.exec(select(AuditEntry)).all())
        settings = tuple((s.key, s.value) for s in session.exec(select(InstanceSetting)).all())
        resets = len(session.exec(select(PasswordReset)).all())
    return users, audit, settings, resets


async def _user_id(tab: rx.State) -> int:
    user_id = (await tab.get_state(AuthState))._user_id
    assert user_id is not None
    return user_id


# Each public handler of the admin states with arguments that would change something.
def _calls(target_id: int) -> list[tuple[type[rx.State], str, tuple[Any, ...]]]:
    return [
        (AdminUsersState, "search", ("bo",)),
        (AdminUsersState, "next_page", ()),
        (AdminUsersState, "previous_page", ()),
        (AdminUserActionsState, "ask", ("disable", target_id)),
        (AdminUserActionsState, "ask", ("enable", target_id)),
        (AdminUserActionsState, "ask", ("promote", target_id)),
        (AdminUserActionsState, "ask", ("demote", target_id)),
        (AdminUserActionsState, "ask", ("reset", target_id)),
        (AdminUserActionsState, "ask", ("delete", target_id)),
        (AdminUserActionsState, "confirm", ()),
        (AdminUserActionsState, "cancel", ()),
        (AdminUserActionsState, "close_reset_link", ()),
        (AdminOverviewState, "open_section", ("audit",)),
        (AdminOverviewState, "refresh_numbers", ()),
        (AdminOverviewState, "set_registration_mode", ("closed",)),
        (AdminOverviewState, "set_group_invites_register", (False,)),
        (AdminOverviewState, "next_audit_page", ()),
        (AdminOverviewState, "previous_audit_page", ()),
    ]


CALLED = sorted({(cls.__name__, name) for cls, name, _ in _calls(1)})
# The target's id is filled in by each test (0 stands for it).
CASES = [
    pytest.param(cls, name, args, id=f"{cls.__name__}.{name}{args}")
    for cls, name, args in _calls(0)
]


def test_every_public_handler_of_the_admin_states_is_covered():
    handlers = {
        (cls.__name__, name)
        for cls in ADMIN_STATES
        for name in cls.event_handlers
        if name != "setvar"  # Reflex's own, refused by the argument guard for every var
    }
    assert handlers == set(CALLED)


async def _admin_tab_with_pending_delete(tab_factory, name: str, target: str):
    """An administrator's /admin tab, a deletion of `target` waiting for its confirmation."""
    admin = await logged_in_tab(tab_factory, name, f"{name}-tab")
    _set_role(await _user_id(admin), "admin")
    await run((await admin.get_state(AdminPageState)).load)
    users = await admin.get_state(AdminUsersState)
    target_id = next(row.id for row in users.rows if row.username == target)
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.ask, "delete", target_id)
    assert actions.pending_action == "delete"
    return admin, target_id


def _blank(state: rx.State) -> None:
    if isinstance(state, AdminUsersState):
        assert (state.rows, state.total, state.query) == ([], 0, "")
        assert state._listed_ids == frozenset()
    elif isinstance(state, AdminUserActionsState):
        assert (state.pending_action, state.reset_link, state._pending_user_id) == ("", "", 0)
    elif isinstance(state, AdminOverviewState):
        assert (state.numbers, state.audit_rows, state.registration_mode) == ({}, [], "")


@pytest.mark.parametrize(("state_cls", "name", "args"), CASES)
async def test_a_former_administrator_changes_nothing(tab_factory, state_cls, name, args):
    """Demoted while the page was open: the tab's next event does nothing but leave."""
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin, bob_id = await _admin_tab_with_pending_delete(tab_factory, "ann", "bob")
    # Another administrator exists, so Ann's demotion would be allowed by the rules.
    other = await logged_in_tab(tab_factory, "cat", "cat-tab")
    _set_role(await _user_id(other), "admin")
    _set_role(await _user_id(admin), "user")
    before = _database()
    state = await admin.get_state(state_cls)
    args = tuple(bob_id if arg == 0 else arg for arg in args)
    events = await run(getattr(state, name), *args)
    assert _database() == before
    assert redirect_targets(events) == [routes.CHAT]
    for cls in ADMIN_STATES:
        _blank(await admin.get_state(cls))
    assert (await admin.get_state(AdminAccessState)).is_admin is False


@pytest.mark.parametrize(("state_cls", "name", "args"), CASES)
async def test_a_tab_without_a_session_changes_nothing(tab_factory, state_cls, name, args):
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(admin), "admin")
    before = _database()
    stranger = tab_factory(state_cls, token="stranger-tab")
    bob_id = await _user_id(bob)
    args = tuple(bob_id if arg == 0 else arg for arg in args)
    events = await run(getattr(stranger, name), *args)
    assert _database() == before
    assert redirect_targets(events) == [routes.AUTH]
    _blank(stranger)


async def test_the_page_sends_non_administrators_away_with_nothing_loaded(tab_factory):
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(admin), "admin")
    events = await run((await bob.get_state(AdminPageState)).load)
    assert redirect_targets(events) == [routes.CHAT]
    for cls in ADMIN_STATES:
        _blank(await bob.get_state(cls))
    stranger = tab_factory(AdminPageState, token="stranger-tab")
    assert redirect_targets(await run(stranger.load)) == [routes.AUTH]
    for cls in ADMIN_STATES:
        _blank(await stranger.get_state(cls))


async def test_an_administrator_searches_pages_and_sees_the_numbers(tab_factory):
    for name in ("bob", "bea", "cat"):
        await logged_in_tab(tab_factory, name, f"{name}-tab")
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(admin), "admin")
    await run((await admin.get_state(AdminPageState)).load)
    assert (await admin.get_state(AdminAccessState)).is_admin
    users = await admin.get_state(AdminUsersState)
    assert [row.username for row in users.rows] == ["ann", "bea", "bob", "cat", "founder"]
    assert next(row for row in users.rows if row.username == "ann").is_admin
    await run(users.search, "b")
    assert [row.username for row in users.rows] == ["bea", "bob"]
    assert users.page_label == "1 / 1"
    overview = await admin.get_state(AdminOverviewState)
    assert overview.numbers["users"] == "5"
    assert overview.registration_mode == "open"


async def test_the_list_follows_the_empty_box_and_newcomers_on_coming_back(tab_factory):
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(admin), "admin")
    page = await admin.get_state(AdminPageState)
    await run(page.load)
    users = await admin.get_state(AdminUsersState)
    await run(users.search, "found")
    assert [row.username for row in users.rows] == ["founder"]
    # Back to the chat and to /admin again: the box is empty, and so is the search.
    await run(page.load)
    assert [row.username for row in users.rows] == ["ann", "founder"]
    # Someone registers while the page is open: the Users tab, opened again, lists them.
    overview = await admin.get_state(AdminOverviewState)
    await run(overview.open_section, "invites")
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(overview.open_section, "users")
    assert [row.username for row in users.rows] == ["ann", "bob", "founder"]


async def test_a_forged_id_is_refused_with_a_toast_and_nothing_changes(tab_factory):
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin, bob_id = await _admin_tab_with_pending_delete(tab_factory, "ann", "bob")
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.cancel)
    before = _database()
    for forged in (bob_id + 100, "1", True, None, -1):
        events = await run(actions.ask, "disable", forged)
        assert _database() == before
        assert toasts_of_specs(events) == [text("admin_user_gone")]
    for forged_action in ("explode", ["disable"], {"a": 1}, None):
        assert await run(actions.ask, forged_action, bob_id) == []
    assert actions.pending_action == ""


async def test_settings_change_and_are_audited(tab_factory):
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(admin), "admin")
    await run((await admin.get_state(AdminPageState)).load)
    overview = await admin.get_state(AdminOverviewState)
    await run(overview.set_registration_mode, "invite")
    await run(overview.set_group_invites_register, False)
    assert (overview.registration_mode, overview.group_invites_register) == ("invite", False)
    assert [row.action for row in overview.audit_rows] == [
        "group_invites_register",
        "registration_mode",
    ]
    # Codes the page shows in words (components/admin_sections.py).
    assert [(row.detail, row.uses) for row in overview.audit_rows] == [("off", ""), ("invite", "")]
    await run(overview.set_registration_mode, "everyone")
    assert overview.registration_mode == "invite"


async def test_disabling_a_user_ends_their_tabs_and_lists_them_disabled(tab_factory, monkeypatch):
    ended: list[int] = []
    notices: list[str] = []

    async def end_tabs(user_id: int, *_args: Any, why: str = "", **_kwargs: Any) -> None:
        ended.append(user_id)
        notices.append(why)

    async def everyone_online(user_ids: list[int]) -> set[int]:
        # Presence lags the ended tabs: the list is read again before they have left.
        return set(user_ids)

    monkeypatch.setattr(account_changes, "end_tabs_of", end_tabs)
    monkeypatch.setattr(PROFILE.presence_tracker, "online_among", everyone_online)
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin, bob_id = await _admin_tab_with_pending_delete(tab_factory, "ann", "bob")
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.cancel)
    await run(actions.ask, "disable", bob_id)
    assert actions.pending_action == "disable"
    await run(actions.confirm)
    assert ended == [bob_id]
    assert notices == ["account_disabled"]
    users = await admin.get_state(AdminUsersState)
    bob_row = next(row for row in users.rows if row.id == bob_id)
    assert (bob_row.status, bob_row.online) == ("disabled", False)
    await run(actions.ask, "enable", bob_id)
    bob_row = next(row for row in users.rows if row.id == bob_id)
    assert (bob_row.status, bob_row.online) == ("active", True)
    assert ended == [bob_id]


async def test_the_last_administrator_cannot_remove_their_role(tab_factory):
    admin = await logged_in_tab(tab_factory, "ann", "ann-tab")
    ann_id = await _user_id(admin)
    _set_role(ann_id, "admin")
    await run((await admin.get_state(AdminPageState)).load)
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.ask, "demote", ann_id)
    before = _database()
    events = await run(actions.confirm)
    assert _database() == before
    assert toasts_of_specs(events) == [text("last_admin")]
    assert (await admin.get_state(AdminAccessState)).is_admin


async def test_a_reset_gives_a_one_time_link_on_the_page_origin(tab_factory):
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin, bob_id = await _admin_tab_with_pending_delete(tab_factory, "ann", "bob")
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.cancel)
    await run(actions.ask, "reset", bob_id)
    assert actions.reset_username == "bob"
    assert f"{routes.RESET_PREFIX}/" in actions.reset_link
    await run(actions.close_reset_link)
    assert actions.reset_link == ""


async def test_a_new_role_shows_in_the_users_open_tabs(tab_factory, monkeypatch):
    pushed: list[tuple[list[int], Any]] = []

    async def notify(user_ids, _cls, change, **_kwargs):
        pushed.append((list(user_ids), change))
        return []

    monkeypatch.setattr(admin_access, "notify_users", notify)
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    admin, bob_id = await _admin_tab_with_pending_delete(tab_factory, "ann", "bob")
    actions = await admin.get_state(AdminUserActionsState)
    await run(actions.cancel)
    bob_access = await bob.get_state(AdminAccessState)

    await run(actions.ask, "promote", bob_id)
    [(user_ids, change)] = pushed
    assert user_ids == [bob_id]
    assert await change(bob_access) == []
    assert bob_access.is_admin is True

    pushed.clear()
    await run(actions.ask, "demote", bob_id)
    await run(actions.confirm)
    [(user_ids, change)] = pushed
    # Bob's tab is on the chat: the menu item goes, the tab stays where it is.
    assert redirect_targets(await change(bob_access)) == []
    assert bob_access.is_admin is False


async def test_a_disabled_owners_groups_change_hands_live(tab_factory, engine, monkeypatch):
    monkeypatch.setattr(account_changes, "end_tabs_of", _no_tabs)
    pushes = record_pushes(monkeypatch)
    ann, bob, cat = await group_people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [bob, cat])
    group = await group_of(engine, bob, cat)
    await open_panel(cat, group)
    _set_role(ann.user_id, "admin")
    await run((await ann.conversation.get_state(AdminPageState)).load)
    actions = await ann.conversation.get_state(AdminUserActionsState)
    await run(actions.ask, "disable", bob.user_id)
    await run(actions.confirm)
    assert any(cat.user_id in user_ids for user_ids, _ in pushes.made)
    await pushes.deliver(cat)
    # Cat, the only other member, owns the group now and her open panel says so.
    assert cat.panel.my_role == "owner"


async def _no_tabs(*_args: Any, **_kwargs: Any) -> None:
    return None


async def test_the_chat_page_load_tells_the_menu_who_is_an_administrator(tab_factory):
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    _set_role(await _user_id(ann), "admin")
    for tab, expected in ((ann, True), (bob, False)):
        await run((await tab.get_state(ChatPageState)).load)
        assert (await tab.get_state(AdminAccessState)).is_admin is expected
    _set_role(await _user_id(ann), "user")
    await run((await ann.get_state(ChatPageState)).load)
    assert (await ann.get_state(AdminAccessState)).is_admin is False
