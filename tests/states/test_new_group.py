"""The Chats tab and the "New group" dialog, handlers called directly.

Creating a group puts it first in the creator's list and (by the push) in every member's,
opens it in the creator's tab only; forged ids, anonymous tabs and outsiders change nothing.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from chat_app.models import Conversation, ConversationMember
from chat_app.services.people_views import ContactView
from chat_app.services.views import MessageView
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState, group_created
from chat_app.states.conversation import ConversationState
from chat_app.states.list_order import ListOrderState
from chat_app.states.new_group import NewGroupState
from chat_app.states.row_lines import LAST_BUCKETS
from chat_app.states.row_values import RowValues
from chat_app.states.ui import UiState
from tests.support.tabs import logged_in_tab, people, redirect_targets, run
from tests.support.users import make_friends

NAME = "家族 Team"
MARKER = "<reflex.Var>1</reflex.Var> Team"


async def _people(tab_factory, engine, *names: str) -> list[tuple[NewGroupState, int]]:
    """Tabs of new users (each a friend of the first), with their ids."""
    made = await people(tab_factory, NewGroupState, *names)
    with Session(engine) as session:
        for _, other in made[1:]:
            make_friends(session, made[0][1], other)
    for tab, _ in made:
        await run((await tab.get_state(ChatListState)).load)
    return made


def stored(engine) -> tuple[int, int]:
    with Session(engine) as session:
        conversations = session.exec(select(func.count()).select_from(Conversation)).one()
        members = session.exec(select(func.count()).select_from(ConversationMember)).one()
        return conversations, members


async def test_a_new_group_is_first_for_every_member_and_opens_in_the_creators_tab(
    tab_factory, engine
):
    (ann, _ann_id), (bob, bob_id), (cat, cat_id), (dan, _dan_id) = await _people(
        tab_factory, engine, "ann", "bob", "cat", "dan"
    )
    await run(ann.open_dialog)
    assert [c.username for c in ann.offered] == ["bob", "cat", "dan"]
    await run(ann.filter_friends, "  B")
    assert [c.username for c in ann.offered] == ["bob"]
    await run(ann.toggle_friend, bob_id)
    await run(ann.toggle_friend, cat_id)  # not offered by this filter: ignored
    await run(ann.filter_friends, "cat")
    await run(ann.toggle_friend, cat_id)
    assert ann.picked_ids == [bob_id, cat_id]
    await run(ann.set_group_name, NAME)
    events = await run(ann.create)

    rows = (await ann.get_state(ChatListState)).rows
    assert (rows[0].kind, rows[0].name) == ("group", NAME)
    group = rows[0].conversation_id
    opened = [e for e in events if "open_conversation" in str(e)]
    assert opened
    assert str(group) in str(opened[0])
    assert not ann.dialog_open
    assert ann.picked == []
    # Every member's tab is pushed the group, at the top; an outsider's shows nothing.
    for tab in (bob, cat, dan):
        await group_created(group)(await tab.get_state(ChatListState))
    for tab in (bob, cat):
        first = (await tab.get_state(ChatListState)).rows[0]
        assert (first.conversation_id, first.name) == (group, NAME)
        assert first.line == f"Group “{NAME}” created"
    dan_rows = (await dan.get_state(ChatListState)).rows
    assert group not in [row.conversation_id for row in dan_rows]


async def test_errors_are_shown_in_the_dialog_in_the_users_language(tab_factory, engine):
    (ann, _), (_bob, bob_id) = await _people(tab_factory, engine, "ann", "bob")
    before = stored(engine)
    await run(ann.open_dialog)
    await run(ann.set_group_name, "Team")
    await run(ann.create)
    assert ann.error == "Pick at least one friend."
    (await ann.get_state(UiState)).language = "zh"
    await run(ann.toggle_friend, bob_id)
    await run(ann.set_group_name, "   ")
    await run(ann.create)
    assert ann.error == "请输入群名称。"
    # Reflex's var marker in a name is refused, and the error is plain state text.
    (await ann.get_state(UiState)).language = "en"
    await run(ann.set_group_name, MARKER)
    await run(ann.create)
    assert ann.error == "The group name contains characters that are not allowed."
    assert ann.dialog_open
    assert stored(engine) == before


async def test_forged_picks_and_arguments_change_nothing(tab_factory, engine):
    (ann, _), _bob = await _people(tab_factory, engine, "ann", "bob")
    # Someone who never met ann.
    stranger = await logged_in_tab(tab_factory, "zed", "zed-tab")
    zed_id = (await stranger.get_state(AuthState))._user_id
    await run(ann.open_dialog)
    for forged in (zed_id, 0, -1, 10**12):
        await run(ann.toggle_friend, forged)
    assert ann.picked == []
    before = stored(engine)
    await run(ann.set_group_name, "Team")
    await run(ann.create)
    assert ann.error
    assert stored(engine) == before
    # A create without an open dialog (a forged event) does nothing.
    await run(ann.close_dialog)
    await run(ann.create)
    assert stored(engine) == before


async def test_handlers_without_a_session_go_to_login_and_change_nothing(tab_factory, engine):
    (_ann, _), (_bob, bob_id) = await _people(tab_factory, engine, "ann", "bob")
    before = stored(engine)
    intruder = tab_factory(NewGroupState, token="intruder")
    (await intruder.get_state(AuthState)).session_token = "forged"
    intruder.dialog_open = True
    intruder.group_name = "Team"
    for handler, args in [
        (intruder.open_dialog, ()),
        (intruder.filter_friends, ("b",)),
        (intruder.toggle_friend, (bob_id,)),
        (intruder.create, ()),
    ]:
        assert redirect_targets(await run(handler, *args)) == ["/auth"]
    assert intruder.offered == []
    assert intruder.picked == []
    assert stored(engine) == before
    lists = await intruder.get_state(ChatListState)
    await run(lists.load)
    assert lists.rows == []


async def test_a_message_replaces_its_rows_line_without_resending_the_rows(tab_factory, engine):
    (ann, _), (bob, bob_id) = await _people(tab_factory, engine, "ann", "bob")
    await run(ann.open_dialog)
    await run(ann.filter_friends, "bob")
    await run(ann.toggle_friend, bob_id)
    await run(ann.set_group_name, "Duo")
    await run(ann.create)
    bob_lists = await bob.get_state(ChatListState)
    await run(bob_lists.load)
    group = bob_lists.rows[0].conversation_id
    conversation = await bob.get_state(ConversationState)
    bob_lists.dirty_vars.clear()
    message = MessageView(seq=2, sender_id=1, client_id="c", body="hi  all\n", sent_at="now")
    await conversation._list_first(group, message, "Ann", conversation._user_id)
    assert RowValues(conversation, LAST_BUCKETS).get(group) == ["now", "Ann: hi all"]
    assert bob_lists.dirty_vars == set()


async def test_after_a_new_group_a_message_in_the_chat_below_moves_it_up_again(tab_factory, engine):
    (ann, _), (bob, bob_id) = await _people(tab_factory, engine, "ann", "bob")
    bob_conversation = await bob.get_state(ConversationState)
    direct = (await bob.get_state(ChatListState)).rows[0].conversation_id
    message = MessageView(seq=1, sender_id=1, client_id="c", body="hi", sent_at="now")
    await bob_conversation._list_first(direct, message, "Ann", bob_id)  # known first from now on
    await run(ann.open_dialog)
    await run(ann.toggle_friend, bob_id)
    await run(ann.set_group_name, "Duo")
    await run(ann.create)
    bob_lists = await bob.get_state(ChatListState)
    await run(bob_lists.load)
    assert bob_lists.rows[0].kind == "group"
    order = await bob.get_state(ListOrderState)
    await bob_conversation._list_first(direct, message, "Ann", bob_id)
    shown = order._shown(
        [ContactView(0, "", "", conversation_id=r.conversation_id) for r in bob_lists.rows]
    )
    assert shown[0].conversation_id == direct
