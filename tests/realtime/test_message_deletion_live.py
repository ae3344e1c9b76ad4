"""Deleting a message for everyone over raw `/_event` clients, on both profiles.

The deletion reaches the other member's tab and the sender's other tab at once, as a short
list of covered seqs (the window is not sent again); someone else's message is refused
with the reason; a tab that missed the push (its socket gone) catches up on reconnect; a
conversation opened afterwards reads the deletion from the database.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from chat_app.i18n import text
from chat_app.services import database, message_deletion
from chat_app.services.storage import LocalFileStorage
from chat_app.states.message_actions import MessageActionsState
from tests.realtime.group_helpers import reconnect
from tests.realtime.helpers import (
    CONVERSATION,
    chat_pair,
    open_chat,
    open_conversation,
    send_text,
    session_token,
    shown,
    toasts,
)
from tests.support.event_client import EventClient

ACTIONS = MessageActionsState.get_full_name()


async def _delete(tab: EventClient, conversation_id: int, seq: int) -> None:
    """The menu's "Delete for everyone", then the dialog's Delete."""
    await tab.call(ACTIONS, "ask_delete", {"conversation_id": conversation_id, "seq": seq})
    await tab.wait_for(lambda c: c.var(ACTIONS, "confirm_seq") == seq)
    await tab.call(ACTIONS, "delete_message", {})


def _seq_of(tab: EventClient, body: str) -> int:
    return next(m["seq"] for m in shown(tab) if m["body"] == body)


def _covered(tab: EventClient) -> list[int]:
    return tab.var(CONVERSATION, "deleted_seqs") or []


async def test_a_deletion_reaches_every_tab_and_only_the_sender_may(backend, tmp_path: Path):
    ann, bob, ann_id, bob_id = await chat_pair(backend.url)
    conversation = ann.var(CONVERSATION, "conversation_id")
    ann_phone = await open_chat(backend.url, session_token(ann))
    await open_conversation(ann_phone, bob_id)
    await send_text(ann, "meant for someone else")
    await send_text(ann, "this one stays")
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: [m["body"] for m in shown(c)][-1:] == ["this one stays"])
    wrong = _seq_of(ann, "meant for someone else")
    seen = len(bob.frames)

    await _delete(ann, conversation, wrong)
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: _covered(c) == [wrong])
    # The push carried the seq, not the window or the slot holding the message again.
    (push,) = [f for f in bob.frames[seen:] if "deleted_seqs" in f]
    assert "meant for someone else" not in push
    assert "this one stays" not in push

    # Bob may not delete Ann's message: he is told why, and nothing changes.
    kept = _seq_of(bob, "this one stays")
    await _delete(bob, conversation, kept)
    refusal = text("delete_not_yours")
    await bob.wait_for(lambda c: any(refusal in toast for toast in toasts(c)))
    assert _covered(ann) == _covered(bob) == [wrong]

    # Reopened, the conversation reads the deletion from the database: the row itself.
    await open_conversation(bob, ann_id)
    await bob.wait_for(lambda c: _covered(c) == [])
    (gone,) = [m for m in shown(bob) if m["seq"] == wrong]
    assert gone["deleted"]
    assert gone["body"] == ""

    # A deletion the tab never heard of (its socket dropped): caught up on reconnect.
    await send_text(ann, "later regretted")
    await bob.wait_for(lambda c: [m["body"] for m in shown(c)][-1:] == ["later regretted"])
    regretted = _seq_of(bob, "later regretted")
    await bob.drop()
    _delete_in_database(backend.database_url, tmp_path, ann_id, conversation, regretted)
    await reconnect(bob)
    await bob.wait_for(lambda c: regretted in _covered(c), timeout=15)
    for tab in (ann, bob, ann_phone):
        await tab.close()


def _delete_in_database(
    database_url: str, tmp_path: Path, viewer_id: int, conversation_id: int, seq: int
) -> None:
    """Delete through the service alone: committed, and pushed to nobody."""
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            change = message_deletion.delete_for_everyone(
                session=session,
                storage=LocalFileStorage(tmp_path),
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
            )
    finally:
        engine.dispose()
    assert change is not None
