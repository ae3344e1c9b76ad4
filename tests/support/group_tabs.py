"""Tabs for group panel tests: people with a tab each, a group of them, and the pushes made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import Session

from chat_app.services import groups
from chat_app.states import group_changes
from chat_app.states.chat_list import ChatListState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from tests.support.tabs import people as tab_people
from tests.support.tabs import run
from tests.support.users import make_friends


@dataclass
class Person:
    """One user's tab: its conversation, panel and actions states."""

    user_id: int
    conversation: ConversationState
    panel: GroupPanelState
    actions: GroupActionsState

    async def chat_list(self) -> ChatListState:
        return await self.conversation.get_state(ChatListState)


@dataclass
class Pushes:
    """What `group_changes.publish` queued for other tabs: (user ids, change), in order."""

    made: list[tuple[tuple[int, ...], Any]] = field(default_factory=list)
    # The tab each push left out (its acting tab; "" for none), beside `made`.
    left_out: list[str] = field(default_factory=list)

    async def deliver(self, *people: Person) -> list[Any]:
        """Apply every push made so far to these people's tabs (those it names, but the tab
        it left out); the events."""
        events: list[Any] = []
        for (user_ids, change), left_out in zip(self.made, self.left_out, strict=True):
            for person in people:
                tab = person.conversation.router.session.client_token
                if person.user_id in user_ids and tab != left_out:
                    events += await change(person.conversation)
        self.made.clear()
        self.left_out.clear()
        return events


def record_pushes(monkeypatch: pytest.MonkeyPatch) -> Pushes:
    """Keep the pushes `publish` makes instead of queueing them (no server in these tests)."""
    pushes = Pushes()

    async def fake_notify(user_ids, _state_cls, change, *, except_tab=""):
        pushes.made.append((tuple(user_ids), change))
        pushes.left_out.append(except_tab)
        return []

    monkeypatch.setattr(group_changes, "notify_users", fake_notify)
    return pushes


async def people(tab_factory, *names: str) -> list[Person]:
    """A logged-in tab for each new user, its conversation state loaded (the tab knows its user)."""
    made: list[Person] = []
    for conversation, user_id in await tab_people(tab_factory, ConversationState, *names):
        await run(conversation.load)  # as the page's on_load does
        made.append(
            Person(
                user_id,
                conversation,
                await conversation.get_state(GroupPanelState),
                await conversation.get_state(GroupActionsState),
            )
        )
    return made


def befriend_first(engine, everyone: list[Person]) -> None:
    with Session(engine) as session:
        for other in everyone[1:]:
            make_friends(session, everyone[0].user_id, other.user_id)


async def group_of(engine, owner: Person, *members: Person, name: str = "Team") -> int:
    """A group made through the service; every member's chat list read again."""
    with Session(engine) as session:
        change = groups.create_group(
            session=session,
            creator_id=owner.user_id,
            name=name,
            member_ids=[member.user_id for member in members],
        )
    for person in (owner, *members):
        await run((await person.chat_list()).load)
    return change.conversation_id


async def open_panel(person: Person, group: int) -> None:
    """Open the group in the person's tab, then its panel."""
    await run(person.conversation.open_conversation, group)
    await run(person.panel.open_panel)
