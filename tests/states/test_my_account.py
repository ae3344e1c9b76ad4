"""My account in a tab: the nickname shown live where others see it, my devices, no session.

Pushes are recorded instead of sent; the test applies each to the tab it names, as the
push queue would (tests/support/fake_pushes.py does the same for groups).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from chat_app.models import AuthSession, Block, User, utc_now
from chat_app.services import account_status, conversations
from chat_app.services.account_status import AccountChange
from chat_app.services.errors import Refused, TooManyAttempts, ValidationFailed
from chat_app.states import account_changes, name_changes
from chat_app.states import auth as auth_module
from chat_app.states import friends as friends_state
from chat_app.states.account_deletion import DeleteAccountState
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.group_timeline import SENDER_BUCKETS
from chat_app.states.my_account import MyAccountState
from chat_app.states.row_values import RowValues
from tests.support.groups import make_group
from tests.support.tabs import PASSWORD, named_tabs, redirect_targets, run
from tests.support.users import make_friends, send_text


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[int], type, Any]]:
    """Every push a handler queues: (user ids, state class, change)."""
    recorded: list[tuple[set[int], type, Any]] = []

    async def recording(user_ids, state_cls, change, **_kwargs):
        recorded.append((set(user_ids), state_cls, change))
        return []

    monkeypatch.setattr(name_changes, "notify_users", recording)
    monkeypatch.setattr(friends_state, "notify_users", recording)
    monkeypatch.setattr(account_changes, "notify_users", recording)
    return recorded


def _nickname(engine, user_id: int) -> str:
    with Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        return user.nickname


async def test_a_rename_reaches_friends_and_group_members_but_not_the_blocked(
    tab_factory, engine, pushed
):
    tabs = await named_tabs(tab_factory, "ann", "bob", "cat", "dan")
    (ann, ann_id), (bob, bob_id), (cat, cat_id), (dan, dan_id) = tabs
    with Session(engine) as db:
        make_friends(db, ann_id, bob_id)
        # Cat and Dan meet Ann only in Bob's group; Dan blocks her.
        make_friends(db, bob_id, cat_id)
        make_friends(db, bob_id, dan_id)
        group = make_group(db, bob_id, ann_id, cat_id, dan_id)
        db.add(Block(blocker_id=dan_id, blocked_id=ann_id, created_at=utc_now()))
        db.commit()
        send_text(db, ann_id, group, "from ann")
        direct = conversations.direct_with(session=db, viewer_id=ann_id, friend_id=bob_id)
    await run(bob.open_conversation, direct)
    await run(cat.open_conversation, group)
    await run((await cat.get_state(GroupPanelState)).open_panel)
    await run(dan.open_conversation, group)
    assert bob.open_friend_nickname == "Ann"
    assert RowValues(cat, SENDER_BUCKETS).get(ann_id, None)[0] == "Ann"
    cat_list = await cat.get_state(ChatListState)
    await run(cat_list.load)
    (cat_row,) = [row for row in cat_list.rows if row.conversation_id == group]
    assert cat_row.line.startswith("Ann:")

    page = await ann.get_state(MyAccountState)
    await run(page.save_nickname, {"nickname": " Annie "})

    assert _nickname(engine, ann_id) == "Annie"
    assert (await ann.get_state(AuthState)).nickname == "Annie"
    to_conversations = [(ids, change) for ids, cls, change in pushed if cls is ConversationState]
    assert len(to_conversations) == 1
    audience, shown = to_conversations[0]
    assert audience == {bob_id, cat_id}
    # Bob's friend pane (list, chat rows) is read again, and Ann's other tabs' header.
    assert {bob_id} in [ids for ids, cls, _ in pushed if cls is friends_state.FriendsState]
    (own,) = [change for ids, cls, change in pushed if cls is AuthState and ids == {ann_id}]
    other_tab = await _second_device(tab_factory, "ann", "ann-laptop")
    other_tab.nickname = "Ann"  # as it showed before the rename
    await own(other_tab)
    assert other_tab.nickname == "Annie"
    for tab in (bob, cat):
        await shown(tab)
    assert bob.open_friend_nickname == "Annie"
    assert RowValues(cat, SENDER_BUCKETS).get(ann_id, None)[0] == "Annie"
    # The group's row in Cat's chat list names its last sender by the new name too.
    (cat_row,) = [
        r for r in (await cat.get_state(ChatListState)).rows if r.conversation_id == group
    ]
    assert cat_row.line.startswith("Annie")
    panel = await cat.get_state(GroupPanelState)
    assert {m.nickname for m in panel.members if m.user_id == ann_id} == {"Annie"}
    # Dan is not told; were he, his look-up would still name Ann by her username.
    await shown(dan)
    assert RowValues(dan, SENDER_BUCKETS).get(ann_id, None)[0] == "ann"


@pytest.mark.parametrize(
    "nickname", ["<reflex.Var>x</reflex.Var>", "Ann\x07", "", "x" * 40, None, ["Ann"]]
)
async def test_a_refused_nickname_is_explained_and_changes_nothing(
    tab_factory, engine, pushed, nickname
):
    ((ann, ann_id),) = await named_tabs(tab_factory, "ann")
    page = await ann.get_state(MyAccountState)
    await run(page.save_nickname, {"nickname": nickname})
    assert page.nickname_error != ""
    assert _nickname(engine, ann_id) == "Ann"
    assert (await ann.get_state(AuthState)).nickname == "Ann"
    assert pushed == []


async def _second_device(tab_factory, username: str, token: str) -> AuthState:
    phone = tab_factory(AuthState, token=token, ip="10.0.0.9")
    await run(phone.login, {"username": username, "password": PASSWORD})
    await run(phone.require_login)
    assert phone._user_id is not None
    return phone


async def test_my_devices_and_logging_out_another_one(tab_factory, engine, monkeypatch):
    ended_tabs: list[list[str]] = []
    monkeypatch.setattr(auth_module, "push_to_tabs", lambda tabs, *_a: ended_tabs.append(tabs))
    ((ann, ann_id),) = await named_tabs(tab_factory, "ann")
    await _second_device(tab_factory, "ann", "ann-phone")
    page = await ann.get_state(MyAccountState)
    await run(page.load)
    assert [(d.this_device, d.address) for d in page.devices] == [
        (True, "127.0.0.1"),
        (False, "10.0.0.9"),
    ]
    other = page.devices[1].session_id

    await run(page.log_out_device, other)

    assert ended_tabs == [["ann-phone"]]
    assert [d.this_device for d in page.devices] == [True]
    with Session(engine) as db:
        assert len(db.exec(select(AuthSession).where(AuthSession.user_id == ann_id)).all()) == 1


async def test_logging_out_all_other_devices_asks_first_and_keeps_this_browser(
    tab_factory, engine, monkeypatch
):
    ended_tabs: list[list[str]] = []
    monkeypatch.setattr(auth_module, "push_to_tabs", lambda tabs, *_a: ended_tabs.append(tabs))
    (ann, ann_id), (_bob, bob_id) = await named_tabs(tab_factory, "ann", "bob")
    await _second_device(tab_factory, "ann", "ann-phone")
    await _second_device(tab_factory, "ann", "ann-laptop")
    page = await ann.get_state(MyAccountState)
    await run(page.load)
    assert len(page.devices) == 3
    assert page.has_other_devices

    await run(page.ask_log_out_others)
    assert page.confirming_log_out_others
    await run(page.cancel_log_out_others)
    assert not page.confirming_log_out_others
    assert ended_tabs == []

    await run(page.ask_log_out_others)
    events = await run(page.log_out_other_devices)

    assert not page.confirming_log_out_others
    assert sorted(ended_tabs[0]) == ["ann-laptop", "ann-phone"]
    assert [d.this_device for d in page.devices] == [True]
    assert not page.has_other_devices
    assert "Your other devices were logged out." in str(events)
    with Session(engine) as db:
        assert len(db.exec(select(AuthSession).where(AuthSession.user_id == ann_id)).all()) == 1
        assert len(db.exec(select(AuthSession).where(AuthSession.user_id == bob_id)).all()) == 1

    # Pressed again (a second tab's stale button): nothing to end, and it says so.
    events = await run(page.log_out_other_devices)
    assert "No other device is logged in." in str(events)
    assert len(ended_tabs) == 1


@pytest.mark.parametrize("forged", ["own", "bob", 10**6, "1", None, True, -3])
async def test_forged_device_ids_log_nothing_out(tab_factory, engine, monkeypatch, forged):
    ended_tabs: list[list[str]] = []
    monkeypatch.setattr(auth_module, "push_to_tabs", lambda tabs, *_a: ended_tabs.append(tabs))
    (ann, _ann_id), (_bob, bob_id) = await named_tabs(tab_factory, "ann", "bob")
    with Session(engine) as db:
        rows = db.exec(select(AuthSession)).all()
        before = {row.token_hash for row in rows}
        ids = {"own": rows[0].id, "bob": next(r.id for r in rows if r.user_id == bob_id)}
    page = await ann.get_state(MyAccountState)
    await run(page.log_out_device, ids.get(forged, forged) if isinstance(forged, str) else forged)
    with Session(engine) as db:
        assert {row.token_hash for row in db.exec(select(AuthSession)).all()} == before
    assert ended_tabs == []


async def test_without_a_session_every_handler_changes_nothing(tab_factory, engine, pushed):
    ((_ann, ann_id),) = await named_tabs(tab_factory, "ann")
    with Session(engine) as db:
        before = {row.id for row in db.exec(select(AuthSession)).all()}
    stranger = tab_factory(MyAccountState, token="stranger")
    (await stranger.get_state(AuthState)).session_token = "forged-token"
    for handler, args in (
        (stranger.load, ()),
        (stranger.save_nickname, ({"nickname": "Mallory"},)),
        (stranger.log_out_device, (next(iter(before)),)),
        (stranger.ask_log_out_others, ()),
        (stranger.log_out_other_devices, ()),
    ):
        events = await run(handler, *args)
        assert redirect_targets(events) == ["/auth"]
    assert stranger.devices == []
    assert not stranger.confirming_log_out_others
    assert _nickname(engine, ann_id) == "Ann"
    with Session(engine) as db:
        assert {row.id for row in db.exec(select(AuthSession)).all()} == before
    assert pushed == []


# ----- deleting my account: the service replaced by a fake (tests/e2e runs the real one) -----


@pytest.fixture
def deletions(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The fake service's calls, what it raises or returns, and what the state pushed."""
    seen: dict[str, Any] = {"calls": [], "raise": None, "published": [], "ended": []}

    def fake(*, session, user_id, password, client_address, device_hash):
        del session
        seen["calls"].append((user_id, password, client_address, device_hash))
        if seen["raise"] is not None:
            raise seen["raise"]
        return AccountChange(user_id, ("group change",), frozenset({99}))  # type: ignore[arg-type]

    async def published(state, change, group_name=""):
        seen["published"].append(change)
        return []

    monkeypatch.setattr(account_status, "delete_own_account", fake)
    monkeypatch.setattr(account_changes, "publish", published)
    monkeypatch.setattr(
        auth_module, "push_to_tabs", lambda tabs, _cls, change: seen["ended"].append((tabs, change))
    )
    return seen


async def test_deleting_my_account_sends_all_my_tabs_to_auth(tab_factory, deletions, pushed):
    ((ann, ann_id),) = await named_tabs(tab_factory, "ann")
    await _second_device(tab_factory, "ann", "ann-phone")
    form = await ann.get_state(DeleteAccountState)
    auth = await ann.get_state(AuthState)
    device = auth._session_hash()

    events = await run(form.delete_account, {"password": PASSWORD, "confirm": "on"})

    assert deletions["calls"] == [(ann_id, PASSWORD, "127.0.0.1", device)]
    assert redirect_targets(events) == ["/auth"]
    assert auth._user_id is None
    assert auth.session_token == ""
    assert auth.notice == "Your account was deleted."
    assert deletions["published"] == ["group change"]
    assert {99} in [ids for ids, cls, _ in pushed if cls is friends_state.FriendsState]
    ((tabs, change),) = deletions["ended"]
    assert tabs == ["ann-phone"]
    phone = tab_factory(AuthState, token="ann-phone")
    await change(phone)
    assert phone.notice == "Your account was deleted."


@pytest.mark.parametrize(
    ("form_data", "error", "message"),
    [
        ({"password": PASSWORD}, None, "Tick the box to confirm."),
        ({"password": PASSWORD, "confirm": "off"}, None, "Tick the box to confirm."),
        ("not a form", None, "Tick the box to confirm."),
        (
            {"password": "wrong one", "confirm": "on"},
            ValidationFailed({"password": "current_password_wrong"}),
            "The current password is wrong.",
        ),
        (
            {"password": PASSWORD, "confirm": "on"},
            Refused("last_admin"),
            "You are the only administrator: make someone else an administrator first.",
        ),
        (
            {"password": PASSWORD, "confirm": "on"},
            TooManyAttempts(retry_after_seconds=300),
            "Too many failed attempts. Try again in 5 minutes.",
        ),
    ],
)
async def test_a_refused_deletion_says_why_and_keeps_me_logged_in(
    tab_factory, deletions, form_data, error, message
):
    ((ann, ann_id),) = await named_tabs(tab_factory, "ann")
    deletions["raise"] = error
    form = await ann.get_state(DeleteAccountState)
    events = await run(form.delete_account, form_data)
    assert form.delete_error == message
    assert redirect_targets(events) == []
    assert (await ann.get_state(AuthState))._user_id == ann_id
    assert deletions["published"] == deletions["ended"] == []


async def test_deleting_without_a_session_calls_nothing(tab_factory, deletions):
    stranger = tab_factory(DeleteAccountState, token="stranger")
    (await stranger.get_state(AuthState)).session_token = "forged-token"
    events = await run(stranger.delete_account, {"password": PASSWORD, "confirm": "on"})
    assert redirect_targets(events) == ["/auth"]
    assert deletions["calls"] == []
