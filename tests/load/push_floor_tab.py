"""A group member's tab as the groups benchmark has it, for `push_floor` (no server).

The member's chat page is loaded (its chat list of one group and `SIDE_GROUPS` quiet ones)
with the group open on its newest page of history, through the app's own handlers, on a
throw-away SQLite database; the messages to push are stored afterwards, so each push is
the next one the tab expects.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import reflex as rx
from reflex.istate.data import RouterData
from reflex.state import BaseState
from sqlmodel import Session, SQLModel

from chat_app.models import Friendship, utc_now
from chat_app.services import database
from chat_app.services.views import MessageView
from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from chat_app.states.conversation import ConversationState
from tests.load.scenarios import Plan
from tests.support.groups import make_group
from tests.support.tabs import logged_in_tab, run
from tests.support.users import send_text

# As in `make bench PHASES=groups`: every member has 60 quiet groups in the chat list.
SIDE_GROUPS = Plan().group_side_conversations
HISTORY = 50  # the newest page the open group shows


@dataclasses.dataclass
class MemberTab:
    """The member's loaded tab and the messages to push to it, in order."""

    root: BaseState
    group_id: int
    sender_nickname: str
    arriving: list[MessageView]


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """Point the app's services at a new SQLite file with the schema, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="push-floor-") as folder:
        engine = database.create_db_engine(f"sqlite:///{Path(folder) / 'floor.db'}")
        SQLModel.metadata.create_all(engine)
        previous = database.get_engine
        database.get_engine = lambda url=None: engine  # as the tests' `engine` fixture does
        try:
            yield
        finally:
            database.get_engine = previous
            engine.dispose()


def new_tab(state_cls: type[rx.State], *, token: str) -> Any:
    """`tests.support.tabs.make_tab` outside pytest, where Reflex builds states only itself."""
    root = cast(Any, rx.State)(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {"token": token, "ip": "127.0.0.1", "headers": {"user-agent": "bench"}, "pathname": "/"}
    )
    return root.get_substate(state_cls.get_full_name().split(".")[1:])


async def member_tab(arriving: int) -> MemberTab:
    """Bob's chat tab with Ann's group open, and `arriving` messages of Ann's stored since.

    Args:
        arriving: How many new messages to store for the pushes.

    Returns:
        The tab and the messages.
    """
    ann = await logged_in_tab(new_tab, "ann", "ann-tab")
    bob = await logged_in_tab(new_tab, "bob", "bob-tab")
    ann_id = (await ann.get_state(AuthState))._user_id
    bob_id = (await bob.get_state(AuthState))._user_id
    assert ann_id is not None
    assert bob_id is not None
    engine = database.get_engine()
    with Session(engine) as session:
        low, high = sorted((ann_id, bob_id))
        session.add(Friendship(user_low_id=low, user_high_id=high, created_at=utc_now()))
        session.commit()
        for n in range(SIDE_GROUPS):
            make_group(session, ann_id, bob_id, name=f"Quiet {n}")
        group = make_group(session, ann_id, bob_id, name="Bench")
        for n in range(HISTORY):
            send_text(session, ann_id, group, f"history message number {n:05d}")
    root = bob.parent_state
    assert root is not None
    await run((await bob.get_state(ChatPageState)).load)
    conversation = await bob.get_state(ConversationState)
    await run(conversation.open_conversation, group)
    assert conversation.conversation_id == group
    assert conversation.is_group
    # It opened at the first unread message; the reader scrolls down and reads on there
    # (the first report only ends the opening scroll), as the bench's members do.
    for _ in range(2):
        await run(conversation.reader_at_bottom)
    assert conversation._looking()
    with Session(engine) as session:
        sent = [
            send_text(session, ann_id, group, f"m bench.{n} 1764806400000000000")
            for n in range(arriving)
        ]
    return MemberTab(root, group, "Ann", [s.message for s in sent])
