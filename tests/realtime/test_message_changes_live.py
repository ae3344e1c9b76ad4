"""Deleting and editing a message over raw `/_event` clients, on both profiles.

A change reaches the other member's tab and the sender's other tab at once, carrying the
changed message only (the window is not sent again); someone else's message is refused
with the reason; a tab that missed the push (its socket gone) catches up on reconnect; a
conversation opened afterwards reads the change from the database.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from chat_app.i18n import text
from chat_app.services import database, message_deletion, message_edits
from chat_app.services.storage import LocalFileStorage
from chat_app.states.message_actions import MessageActionsState
from tests.realtime.group_helpers import reconnect
from tests.realtime.helpers import (
    CONVERSATION,
    another_tab,
    chat_pair,
    delete_message,
    open_conversation,
    send_text,
    shown,
    toasts,
)
from tests.support.event_client import EventClient

ACTIONS = MessageActionsState.get_full_name()


def _seq_of(tab: EventClient, body: str) -> int:
    return next(m["seq"] for m in shown(tab) if m["body"] == body)


def _covered(tab: EventClient) -> list[int]:
    return tab.var(CONVERSATION, "deleted_seqs") or []


def _shows_deleted(tab: EventClient, seq: int) -> bool:
    """Shown deleted: covered over the rows, or the row itself (read again, as after a
    reconnect that got a fresh state)."""
    return seq in _covered(tab) or any(m["seq"] == seq and m["deleted"] for m in shown(tab))


async def test_a_deletion_reaches_every_tab_and_only_the_sender_may(backend, tmp_path: Path):
    ann, bob, ann_id, bob_id = await chat_pair(backend.url)
    conversation = ann.var(CONVERSATION, "conversation_id")
    ann_phone = await another_tab(backend.url, ann, bob_id)
    await send_text(ann, "meant for someone else")
    await send_text(ann, "this one stays")
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: [m["body"] for m in shown(c)][-1:] == ["this one stays"])
    wrong = _seq_of(ann, "meant for someone else")
    seen = len(bob.frames)

    await delete_message(ann, conversation, wrong)
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: _covered(c) == [wrong])
    # The push carried the seq, not the window or the slot holding the message again.
    (push,) = [f for f in bob.frames[seen:] if "deleted_seqs" in f]
    assert "meant for someone else" not in push
    assert "this one stays" not in push

    # Bob may not delete Ann's message: he is told why, and nothing changes.
    kept = _seq_of(bob, "this one stays")
    await delete_message(bob, conversation, kept)
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
    await bob.wait_for(lambda c: _shows_deleted(c, regretted), timeout=15)
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


def _edits(tab: EventClient) -> dict[str, dict]:
    return tab.var(CONVERSATION, "changed") or {}


def _shows_text(tab: EventClient, seq: int, body: str) -> bool:
    """Shown with this text: edited over the rows, or in the row itself (read again)."""
    if str(seq) in _edits(tab):
        return _edits(tab)[str(seq)]["body"] == body
    return any(m["seq"] == seq and m["body"] == body for m in shown(tab))


async def test_an_edit_reaches_every_tab_with_the_new_text_only(backend):
    ann, bob, ann_id, bob_id = await chat_pair(backend.url)
    conversation = ann.var(CONVERSATION, "conversation_id")
    ann_phone = await another_tab(backend.url, ann, bob_id)
    await send_text(ann, "meet at 5")
    await send_text(bob, "fine")
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: {"meet at 5", "fine"} <= {m["body"] for m in shown(c)})
    seq = _seq_of(ann, "meet at 5")

    await ann.call(ACTIONS, "ask_edit", {"conversation_id": conversation, "seq": seq})
    await ann.wait_for(lambda c: c.var(ACTIONS, "edit_seq") == seq)
    assert ann.var(ACTIONS, "edit_text") == "meet at 5"
    # A refused text is said in the dialog, which stays open.
    await ann.call(ACTIONS, "save_edit", {"form_data": {"body": "   "}})
    await ann.wait_for(lambda c: c.var(ACTIONS, "edit_error") == text("message_empty"))
    assert ann.var(ACTIONS, "edit_seq") == seq
    seen = len(bob.frames)
    await ann.call(ACTIONS, "save_edit", {"form_data": {"body": "meet at 6"}})
    for tab in (ann, bob, ann_phone):
        await tab.wait_for(lambda c: _edits(c).get(str(seq), {}).get("body") == "meet at 6")
        assert _edits(tab)[str(seq)]["edited"] is True
    assert ann.var(ACTIONS, "edit_seq") == 0
    (push,) = [f for f in bob.frames[seen:] if "meet at 6" in f]
    assert "fine" not in push

    # Bob may not edit Ann's message: told why, no dialog.
    await bob.call(ACTIONS, "ask_edit", {"conversation_id": conversation, "seq": seq})
    refusal = text("edit_not_yours")
    await bob.wait_for(lambda c: any(refusal in toast for toast in toasts(c)))
    assert bob.var(ACTIONS, "edit_seq") == 0

    # An edit the tab never heard of: caught up on reconnect.
    await bob.drop()
    _edit_in_database(backend.database_url, ann_id, conversation, seq, "meet at 7")
    await reconnect(bob)
    await bob.wait_for(lambda c: _shows_text(c, seq, "meet at 7"), 15)
    # Reopened, the rows themselves carry it.
    await open_conversation(bob, ann_id)
    await bob.wait_for(lambda c: _edits(c) == {})
    (now,) = [m for m in shown(bob) if m["seq"] == seq]
    assert (now["body"], now["edited"]) == ("meet at 7", True)
    for tab in (ann, bob, ann_phone):
        await tab.close()


def _edit_in_database(
    database_url: str, viewer_id: int, conversation_id: int, seq: int, body: str
) -> None:
    """Edit through the service alone: committed, and pushed to nobody."""
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            change = message_edits.edit_message(
                session=session,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
                body=body,
            )
    finally:
        engine.dispose()
    assert change is not None


def _reactions_of(tab: EventClient, seq: int) -> list[tuple[str, list[int]]] | None:
    changed = _edits(tab).get(str(seq))
    if changed is None:
        return None
    return [(r["emoji"], r["user_ids"]) for r in changed["reactions"]]


async def test_a_reaction_reaches_every_tab_and_comes_off_again(backend):
    ann, bob, ann_id, bob_id = await chat_pair(backend.url)
    conversation = ann.var(CONVERSATION, "conversation_id")
    await send_text(ann, "pizza tonight?")
    for tab in (ann, bob):
        await tab.wait_for(lambda c: "pizza tonight?" in {m["body"] for m in shown(c)})
    seq = _seq_of(bob, "pizza tonight?")

    def toggle(emoji: str) -> dict:
        return {"conversation_id": conversation, "seq": seq, "emoji": emoji}

    seen = len(ann.frames)
    await bob.call(ACTIONS, "toggle_reaction", toggle("👍"))
    for tab in (ann, bob):
        await tab.wait_for(lambda c: _reactions_of(c, seq) == [("👍", [bob_id])])
    (push,) = [f for f in ann.frames[seen:] if "👍" in f]
    assert '"window' not in push
    await ann.call(ACTIONS, "toggle_reaction", toggle("👍"))
    await bob.wait_for(lambda c: _reactions_of(c, seq) == [("👍", [bob_id, ann_id])])
    await bob.call(ACTIONS, "toggle_reaction", toggle("👍"))
    await ann.wait_for(lambda c: _reactions_of(c, seq) == [("👍", [ann_id])])
    # Anything but the quick emoji is refused, and nothing changes.
    await bob.call(ACTIONS, "toggle_reaction", toggle("<img src=x>"))
    refusal = text("not_found")
    await bob.wait_for(lambda c: any(refusal in toast for toast in toasts(c)))
    assert _reactions_of(bob, seq) == [("👍", [ann_id])]
    for tab in (ann, bob):
        await tab.close()
