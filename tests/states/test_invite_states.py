"""Invite states, handlers called directly: the link's page, and managing links.

Every handler re-derives its user from the session: a plain user, a tab without a session
or a forged id change nothing stored.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, func, select

from chat_app import routes
from chat_app.i18n import EN, ZH
from chat_app.models import Invite, User
from chat_app.services.views import wire_time
from chat_app.states import invite_manager
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from chat_app.states.conversation import ConversationState
from chat_app.states.invite_manager import InviteManagerState
from chat_app.states.invite_page import GROUP, INVALID, SERVER, InvitePageState
from chat_app.states.ui import UiState
from tests.support.group_tabs import befriend_first, group_of, open_panel, people, record_pushes
from tests.support.groups import make_group, roles
from tests.support.invites import make_invite
from tests.support.tabs import conversation_with, make_tab, redirect_targets, run

ORIGIN = "http://chat.example:3000"
FORM = {
    "username": "pupil",
    "nickname": "Pupil",
    "password": "correct horse",
    "password_confirm": "correct horse",
}


def page_tab(token: str, *, tab: str = "invite-tab", language: str = "en") -> InvitePageState:
    """A fresh tab on /invite/<token>, its browser asking for `language`."""
    root = rx.State()
    root.router = RouterData.from_router_data(
        {
            "token": tab,
            "ip": "10.0.0.9",
            "headers": {"user-agent": "pytest", "origin": ORIGIN, "accept-language": language},
            "pathname": routes.INVITE,
            "asPath": f"/invite/{token}",
            "query": {"token": token},
        }
    )
    state = root.get_substate(InvitePageState.get_full_name().split(".")[1:])
    assert isinstance(state, InvitePageState)
    return state


def on_page(state: rx.State, path: str = "/", query: dict[str, str] | None = None) -> None:
    """Let a test tab report the page it is on (the admin page's origin makes the links)."""
    root = state._get_root_state()
    root.router = RouterData.from_router_data(
        {
            "token": root.router.session.client_token,
            "ip": "10.0.0.1",
            "headers": {"user-agent": "pytest", "origin": ORIGIN},
            "pathname": path,
            "asPath": path,
            "query": query or {},
        }
    )


def counts(engine) -> tuple[Any, ...]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(User)).one(),
            session.exec(select(Invite.id, Invite.used_count, Invite.revoked_at)).all(),
        )


def promote(engine, user_id: int) -> None:
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        user.role = "admin"
        session.add(user)
        session.commit()


async def test_an_invalid_link_shows_one_message_in_the_browsers_language(tab_factory, engine):
    for token in ("A" * 43, "nonsense", ""):
        page = page_tab(token, language="zh-CN")
        await run(page.load)
        assert (page.kind, page.heading) == (INVALID, "")
        assert page.message == ZH["invite_invalid"]
        assert (await page.get_state(UiState)).language == "zh"
        await run(page.register, FORM)
    assert counts(engine)[0] == 0


async def test_registering_through_a_group_invite_lands_in_the_open_group(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob, name="Class 7")
    with Session(engine) as session:
        token = make_invite(session, ann.user_id, group)
    await run(ann.conversation.open_conversation, group)

    page = page_tab(token)
    await run(page.load)
    assert (page.kind, page.heading, page.may_register) == (
        GROUP,
        "Join Class 7 on this chat",
        True,
    )
    events = await run(page.register, FORM)

    assert redirect_targets(events) == [routes.CHAT]
    auth = await page.get_state(AuthState)
    assert auth.username == "pupil"
    assert auth.session_token
    conversation = await page.get_state(ConversationState)
    assert conversation.open_conversation_store == str(group)
    assert auth._user_id in roles_of(engine, group)
    # The group's members are told, the line included.
    assert pushes.made
    members, _change = pushes.made[0]
    assert set(members) >= {ann.user_id, bob.user_id}
    await pushes.deliver(ann)
    last = ann.conversation._buffer().stored()[-1]
    assert last.kind == "system"
    assert last.body == "You added Pupil"


def roles_of(engine, group: int) -> dict[int, str]:
    with Session(engine) as session:
        return roles(session, group)


async def test_a_server_invite_registers_and_signed_in_visitors_are_sent_to_the_chat(
    tab_factory, engine
):
    (admin,) = await people(tab_factory, "root")
    promote(engine, admin.user_id)
    with Session(engine) as session:
        token = make_invite(session, admin.user_id, uses=1)
    page = page_tab(token)
    await run(page.load)
    assert (page.kind, page.heading) == (SERVER, EN["invite_to_server"])
    assert redirect_targets(await run(page.register, FORM)) == [routes.CHAT]
    # Used up: the same tab, and any other, now get the one message.
    other = page_tab(token, tab="other-tab")
    await run(other.load)
    assert other.kind == INVALID


async def test_a_use_shows_live_in_the_lists_that_show_its_scope(tab_factory, engine, monkeypatch):
    admin, plain = await people(tab_factory, "root", "plain")
    promote(engine, admin.user_id)
    with Session(engine) as session:
        token = make_invite(session, admin.user_id, uses=2)
    watching = await admin.conversation.get_state(InviteManagerState)
    await run(watching.open_for_server)
    assert [view.used_count for view in watching.invites] == [0]
    pushed: list[tuple[list[int], Any]] = []

    async def notify(user_ids, _state_cls, change, **_kwargs):
        pushed.append((list(user_ids), change))
        return []

    monkeypatch.setattr(invite_manager, "notify_users", notify)
    await run(page_tab(token).register, FORM)

    # Told: the server's administrators, and only them; the open list reads its page again.
    [(user_ids, change)] = pushed
    assert user_ids == [admin.user_id]
    assert await change(watching) == []
    assert [view.used_count for view in watching.invites] == [1]
    # A tab whose list is closed (or shows a group's) reads nothing.
    closed = await plain.conversation.get_state(InviteManagerState)
    await change(closed)
    assert (closed.manager_open, closed.invites) == (False, [])


async def test_a_server_invite_opened_signed_in_says_you_have_an_account(tab_factory, engine):
    (admin,) = await people(tab_factory, "root")
    promote(engine, admin.user_id)
    with Session(engine) as session:
        token = make_invite(session, admin.user_id)
    page = await admin.conversation.get_state(InvitePageState)
    on_page(page, f"/invite/{token}", {"token": token})
    await run(page.load)
    assert (page.kind, page.signed_in_as) == (SERVER, "Root")
    assert page.message == EN["invite_have_account"]
    assert await run(page.join) == []
    assert counts(engine)[1][0][1] == 0  # no use taken


async def test_guessing_links_is_throttled_with_its_own_message(tab_factory, engine):
    for number in range(20):  # CHAT_TOKEN_GUESSES_PER_HOUR's default
        await run(page_tab(f"{number:0>43}").load)
    page = page_tab("Z" * 43)
    await run(page.load)
    assert page.kind == INVALID
    assert page.message == EN["invite_too_many_guesses"]


async def test_an_existing_user_logs_in_on_the_page_and_joins(tab_factory, engine, monkeypatch):
    record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    with Session(engine) as session:
        token = make_invite(session, ann.user_id, group)
    page = page_tab(token)
    await run(page.load)
    await run(page.toggle_login)
    assert page.show_login
    auth = await page.get_state(AuthState)
    # A field left empty is asked for, not called a wrong password.
    for form in ({"username": "cat", "password": ""}, {"username": " ", "password": "x"}):
        await run(page.login, form)
        assert auth.login_error["en"] == EN["login_fill_both"]
    await run(page.login, {"username": "cat", "password": "wrong password"})
    assert auth.login_error["en"] == EN["invalid_credentials"]
    assert cat.user_id not in roles_of(engine, group)

    events = await run(page.login, {"username": "cat", "password": "correct horse"})
    assert redirect_targets(events) == [routes.CHAT]
    assert cat.user_id in roles_of(engine, group)
    assert (await page.get_state(ConversationState)).open_conversation_store == str(group)


async def test_join_without_a_session_changes_nothing(tab_factory, engine):
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    with Session(engine) as session:
        group = make_group(session, ann.user_id, bob.user_id)
        token = make_invite(session, ann.user_id, group)
    before = counts(engine)
    page = page_tab(token)
    await run(page.load)
    assert await run(page.join) == []
    assert counts(engine) == before


async def test_the_admin_makes_lists_and_revokes_server_links(tab_factory, engine):
    admin, plain = await people(tab_factory, "root", "plain")
    promote(engine, admin.user_id)
    manager = await admin.conversation.get_state(InviteManagerState)
    on_page(manager, routes.ADMIN)
    await run(manager.open_for_server)
    assert manager.manager_open
    await run(manager.set_expiry, "30d")
    await run(manager.set_uses, "3")
    await run(manager.create)
    assert manager.new_link.startswith(f"{ORIGIN}/invite/")
    assert [(view.max_uses, view.used_count, view.state) for view in manager.invites] == [
        (3, 0, "active")
    ]
    invite_id = manager.invites[0].id

    # A plain user's tab: refused, nothing listed, nothing stored.
    other = await plain.conversation.get_state(InviteManagerState)
    before = counts(engine)
    await run(other.open_for_server)
    assert (other.manager_open, other.invites) == (False, [])
    assert other.error == EN["admin_only"]
    await run(other.create)
    await run(other.revoke, invite_id)
    assert counts(engine) == before

    for forged in (invite_id + 100, "1", None, True):
        await run(manager.revoke, forged)
    assert counts(engine) == before
    await run(manager.revoke, invite_id)
    assert manager.invites[0].state == "revoked"
    # The audit log names the link by what its row in the list shows (its uses and expiry
    # time), on its creation and on its revocation ("#1" before, a number shown nowhere).
    overview = await admin.conversation.get_state(AdminOverviewState)
    await run(overview.open_section, "audit")
    lines = [
        (row.action, row.detail, row.uses, row.expires_at)
        for row in overview.audit_rows
        if row.action.startswith("invite_")
    ]
    expires = wire_time(manager.invites[0].expires_at)
    assert lines == [
        ("invite_revoke", "30d", "3", expires),
        ("invite_create", "30d", "3", expires),
    ]


async def test_uses_typed_in_other_scripts_make_a_link_or_an_error_not_a_crash(tab_factory, engine):
    admin = (await people(tab_factory, "root"))[0]
    promote(engine, admin.user_id)
    manager = await admin.conversation.get_state(InviteManagerState)
    on_page(manager, routes.ADMIN)
    await run(manager.open_for_server)
    # Full-width digits, as a Chinese input method types them: read as the number.
    await run(manager.set_uses, "\uff12")
    await run(manager.create)
    assert [view.max_uses for view in manager.invites] == [2]
    # A digit int() cannot read ("²", from a forged client): the uses' error, not a crash.
    assert "/invite/" in manager.new_link
    # The audit log shows its expiry and uses apart, each in words ("7d, 2 uses" before).
    overview = await admin.conversation.get_state(AdminOverviewState)
    await run(overview.open_section, "audit")
    made = [row for row in overview.audit_rows if row.action == "invite_create"]
    assert [(row.detail, row.uses) for row in made] == [(manager.expiry, "2")]
    await run(manager.set_uses, "\u00b2")
    await run(manager.create)
    assert [view.max_uses for view in manager.invites] == [2]
    assert manager.error == EN["invite_uses_invalid"]
    # The first link is not shown beside the refusal, as if the refused attempt made it.
    assert manager.new_link == ""


async def test_a_tab_without_a_session_is_sent_to_login_and_changes_nothing(tab_factory, engine):
    manager = make_tab(InviteManagerState, token="anonymous")
    before = counts(engine)
    for handler, args in (
        (manager.open_for_server, ()),
        (manager.toggle_for_group, ()),
        (manager.create, ()),
        (manager.revoke, (1,)),
    ):
        assert routes.AUTH in redirect_targets(await run(handler, *args))
    assert counts(engine) == before


async def test_group_links_from_the_panel_by_managers_only(tab_factory, engine):
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    await open_panel(ann, group)
    await open_panel(bob, group)

    manager = await ann.conversation.get_state(InviteManagerState)
    on_page(manager)
    await run(manager.toggle_for_group)
    assert (manager.manager_open, manager.shown_group) == (True, group)
    await run(manager.create)
    assert "/invite/" in manager.new_link
    assert manager.invites[0].conversation_id == group

    before = counts(engine)
    plain = await bob.conversation.get_state(InviteManagerState)
    await run(plain.toggle_for_group)
    assert not plain.manager_open
    assert plain.error == EN["group_admins_only"]
    await run(plain.create)
    await run(plain.revoke, manager.invites[0].id)
    assert counts(engine) == before

    # Closing the panel ends the scope: the next action does nothing.
    await run(ann.panel.set_open, False)
    await run(manager.create)
    assert not manager.manager_open
    assert counts(engine) == before


async def test_a_signed_in_user_joins_with_one_click_and_lands_in_the_group(
    tab_factory, engine, monkeypatch
):
    record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob)
    # Cat's tab shows her chat with Ann when she follows the link in it.
    await run(
        cat.conversation.open_conversation, await conversation_with(cat.conversation, ann.user_id)
    )
    with Session(engine) as session:
        token = make_invite(session, ann.user_id, group)
    page = await cat.conversation.get_state(InvitePageState)
    on_page(page, f"/invite/{token}", {"token": token})
    await run(page.load)
    assert (page.kind, page.signed_in_line) == (GROUP, "You are logged in as Cat.")

    assert redirect_targets(await run(page.join)) == [routes.CHAT]
    assert cat.user_id in roles_of(engine, group)
    assert cat.conversation.open_conversation_store == str(group)
    # The chat page then shows the group, not the chat she came from.
    on_page(page, routes.CHAT)
    await run((await page.get_state(ChatPageState)).load)
    assert cat.conversation.conversation_id == group
    # Again (a member already): it just opens, no use taken.
    on_page(page, f"/invite/{token}", {"token": token})
    assert redirect_targets(await run(page.join)) == [routes.CHAT]
    assert counts(engine)[1][0][1] == 1
