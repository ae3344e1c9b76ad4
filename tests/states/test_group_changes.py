"""Group changes shown live in other members' tabs (the pushes applied as the server would).

A change's system line joins the open timeline once, in order; the header and the chat
list follow; a removed or departed member reads on, read-only; a deleted group closes
where it was open, with a toast, and leaves every list.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import reflex as rx
from PIL import Image
from sqlmodel import Session

from chat_app.models import Conversation, utc_now
from chat_app.services import file_links
from chat_app.states.outbox import OutboxState
from chat_app.states.outbox_entries import Outbox, OutboxEntry
from chat_app.states.place import PlaceState
from chat_app.states.place_entries import Place, Places
from chat_app.states.row_lines import LAST_BUCKETS
from chat_app.states.row_values import RowValues
from chat_app.states.unread import UnreadState
from tests.support.group_tabs import (
    Person,
    befriend_first,
    group_of,
    open_panel,
    people,
    record_pushes,
)
from tests.support.groups import stored
from tests.support.tabs import run


def _system_seqs(person: Person) -> list[int]:
    return [m.seq for m in person.conversation._buffer().stored() if m.kind == "system"]


async def _row_names(person: Person, group: int) -> list[str]:
    return [row.name for row in (await person.chat_list()).rows if row.conversation_id == group]


async def _departed(person: Person, group: int) -> list[bool]:
    rows = (await person.chat_list()).rows
    return [row.departed for row in rows if row.conversation_id == group]


def _toasts(events) -> list[str]:
    return [str(event) for event in events if "toast" in str(event)]


async def test_a_rename_shows_in_every_members_header_list_and_timeline_once(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob, cat)
    await run(bob.conversation.open_conversation, group)
    await open_panel(bob, group)
    await open_panel(ann, group)
    before = _system_seqs(bob)

    await run(ann.actions.set_new_name, "Renamed 组")
    await run(ann.actions.rename)
    change = pushes.made[-1][1]
    await pushes.deliver(bob, cat)
    # Delivered twice (a retried push): still shown once.
    await change(bob.conversation)
    assert _system_seqs(bob) == [*before, before[-1] + 1]
    assert bob.conversation.group_name == "Renamed 组"
    assert bob.panel.panel_open
    assert await _row_names(bob, group) == ["Renamed 组"]
    assert await _row_names(cat, group) == ["Renamed 组"]
    # Their rows say what happened, naming no one (the timeline names Ann): read with the
    # list, or pushed since.
    for person in (bob, cat):
        pushed = RowValues(person.conversation, LAST_BUCKETS).get(group, None)
        read = [row.line for row in (await person.chat_list()).rows if row.conversation_id == group]
        assert (pushed[1] if pushed else read[0]) == "Group renamed to “Renamed 组”"
    # A group line is nobody's unread message.
    assert (await cat.conversation.get_state(UnreadState))._unread(group) == 0


async def test_a_removed_member_reads_on_read_only_and_the_others_see_the_new_size(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob, cat)
    for person in (bob, cat):
        await open_panel(person, group)
    await open_panel(ann, group)

    await run(ann.actions.remove_member, cat.user_id)
    await pushes.deliver(bob, cat)
    assert (cat.conversation.read_only, cat.conversation.my_role) == (True, "")
    assert not cat.panel.panel_open
    assert cat.conversation.conversation_id == group  # the history stays on screen
    assert _system_seqs(cat)[-1] == _system_seqs(ann)[-1]
    assert (bob.conversation.member_count, bob.conversation.read_only) == (2, False)
    assert [m.username for m in bob.panel.members] == ["ann", "bob"]
    assert await _departed(cat, group) == [True]
    assert await _departed(bob, group) == [False]
    # Cat's row says it was Cat who was removed; Bob's names no one.
    for person, line in ((cat, "You were removed from the group"), (bob, "A member was removed")):
        pushed = RowValues(person.conversation, LAST_BUCKETS).get(group, None)
        read = [row.line for row in (await person.chat_list()).rows if row.conversation_id == group]
        assert (pushed[1] if pushed else read[0]) == line

    # Added back: the row is no longer greyed, and the chat writable again.
    await open_panel(ann, group)
    await run(ann.actions.open_picker)
    await run(ann.actions.toggle_pick, cat.user_id)
    await run(ann.actions.add_picked)
    await pushes.deliver(bob, cat)
    assert await _departed(cat, group) == [False]
    for person, line in ((cat, "You were added to the group"), (bob, "New members added")):
        pushed = RowValues(person.conversation, LAST_BUCKETS).get(group, None)
        read = [row.line for row in (await person.chat_list()).rows if row.conversation_id == group]
        assert (pushed[1] if pushed else read[0]) == line
    assert (cat.conversation.read_only, cat.conversation.my_role) == (False, "member")


async def test_a_member_who_leaves_reads_only_then_hides_the_group(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    await open_panel(ann, group)
    await open_panel(bob, group)

    await run(bob.actions.leave)
    assert bob.conversation.read_only
    assert not bob.panel.panel_open
    await pushes.deliver(ann)
    assert ann.conversation.member_count == 1
    # Departed: the panel offers only to remove the group from the list.
    await run(bob.panel.open_panel)
    assert (bob.panel.panel_open, bob.panel.my_role, bob.panel.members) == (True, "", [])
    await run(bob.actions.hide)
    assert bob.conversation.conversation_id == 0
    assert await _row_names(bob, group) == []
    assert await _row_names(ann, group) == ["Team"]


async def test_an_owner_who_leaves_hands_over_and_the_heir_sees_it(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob, cat)
    await open_panel(bob, group)
    await open_panel(ann, group)
    before = _system_seqs(bob)
    await run(ann.actions.leave)
    await pushes.deliver(bob, cat)
    # Two lines (handed over, left), in order.
    assert _system_seqs(bob) == [*before, before[-1] + 1, before[-1] + 2]
    assert (bob.conversation.my_role, bob.panel.my_role) == ("owner", "owner")


async def test_a_deleted_group_closes_where_open_and_leaves_every_list(
    tab_factory, engine, monkeypatch
):
    pushes = record_pushes(monkeypatch)
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob, cat, name="Doomed")
    await open_panel(bob, group)
    await open_panel(ann, group)

    # Bob's browser holds an unsent message and a draft for the group, and for another chat.
    bob_id = bob.conversation._user_id
    assert bob_id is not None
    outbox_state = await bob.conversation.get_state(OutboxState)
    kept = OutboxEntry(bob_id, group + 1, "c" * 45, "elsewhere", "2026-12-03T10:00:00+00:00")
    doomed = OutboxEntry(bob_id, group, "d" * 45, "to the group", "2026-12-03T10:00:00+00:00")
    outbox_state._write(Outbox(entries=[doomed, kept]))
    place_state = await bob.conversation.get_state(PlaceState)
    place_state._write(Places(entries=[Place(bob_id, group, 0, "half"), Place(bob_id, 7, 0, "x")]))

    await run(ann.actions.ask_delete)
    assert ann.actions.confirm_delete
    own_events = await run(ann.actions.delete_group)
    assert ann.conversation.conversation_id == 0
    assert not ann.panel.panel_open
    assert _toasts(own_events)
    events = await pushes.deliver(bob, cat)
    assert bob.conversation.conversation_id == 0
    assert not bob.panel.panel_open
    assert len(_toasts(events)) == 1  # bob's tab had it open; cat's did not
    assert "Doomed" in _toasts(events)[0]
    # Nothing is left to re-send to a group that is gone, and no draft for it.
    assert outbox_state._read(bob_id).entries == [kept]
    assert [p.conversation_id for p in place_state._read(bob_id).entries] == [7]
    for person in (ann, bob, cat):
        assert await _row_names(person, group) == []


def _upload(name: str, color: tuple[int, int, int]) -> list[rx.UploadFile]:
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(picture, format="PNG")
    picture.seek(0)
    return [rx.UploadFile(file=picture, path=Path(name))]


async def test_a_new_picture_shows_for_every_member_and_the_old_one_is_deleted(
    tab_factory, engine, monkeypatch, profile
):
    pushes = record_pushes(monkeypatch)
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    await open_panel(bob, group)
    await open_panel(ann, group)

    lines = _system_seqs(ann)
    await run(ann.actions.upload_picture, _upload("first.png", (200, 30, 30)))
    assert ann.panel.error == ""
    # The upload's own update travels in its HTTP response, which the browser may apply
    # after newer socket updates: the acting tab gets the change as a push, like the others.
    assert (ann.conversation.group_avatar_url, _system_seqs(ann)) == ("", lines)
    with Session(engine) as session:
        first = session.get(Conversation, group).avatar_file_id  # type: ignore[union-attr]
    await pushes.deliver(ann, bob)
    assert "/files/" in ann.conversation.group_avatar_url
    assert len(_system_seqs(ann)) == len(lines) + 1
    assert "/files/" in bob.conversation.group_avatar_url
    rows = [row for row in (await bob.chat_list()).rows if row.conversation_id == group]
    assert "/files/" in rows[0].avatar_url
    # A catch-up (every reconnect) keeps the signed link of an unchanged picture: not re-sent.
    shown = bob.conversation.group_avatar_url
    later = utc_now() + timedelta(minutes=5)
    monkeypatch.setattr(file_links, "utc_now", lambda: later)  # a new signing differs
    await run(bob.conversation.catch_up)
    assert bob.conversation.group_avatar_url == shown

    await run(ann.actions.upload_picture, _upload("second.png", (30, 30, 200)))
    assert profile.storage.path(f"{first}-thumb") is not None
    assert not profile.storage.path(f"{first}-thumb").exists()  # type: ignore[union-attr]
    await pushes.deliver(bob)
    assert bob.conversation.group_avatar_url not in ("", shown)

    # A plain member is refused before anything is stored.
    with Session(engine) as session:
        before = stored(session)
    await run(bob.actions.upload_picture, _upload("mine.png", (0, 0, 0)))
    assert bob.panel.error == "Only the group's owner and admins can do that."
    with Session(engine) as session:
        assert stored(session) == before
