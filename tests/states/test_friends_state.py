"""FriendsState handlers called directly: session checks, forged input, what the pane shows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from PIL import Image
from sqlmodel import Session, func, select

from chat_app.i18n import ZH
from chat_app.models import Block, FriendRequest, Friendship
from chat_app.states import friends as friends_module
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.profile import ProfileState
from tests.support.tabs import logged_in_tab, redirect_targets, run


def rows(engine) -> list[int]:
    with Session(engine) as session:
        return [
            session.exec(select(func.count()).select_from(table)).one()
            for table in (FriendRequest, Friendship, Block)
        ]


def toast_texts(events) -> list[str]:
    return [str(event) for event in events if "toast" in str(event)]


async def test_search_request_accept_show_in_both_panes(tab_factory):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(ann.search, {"username": "BOB"})
    assert ann.search_result is not None
    assert (ann.search_result.username, ann.search_relation) == ("bob", "can_add")
    await run(ann.send_request, ann.search_result.user_id)
    assert ann.search_relation == "request_sent"
    assert [c.username for c in ann.outgoing] == ["bob"]

    await run(bob.load)
    assert bob.incoming_count == 1
    await run(bob.accept, bob.incoming[0].request_id)
    assert [c.username for c in bob.friends] == ["ann"]
    assert bob.incoming == []


async def test_search_for_unknown_user_says_so(tab_factory):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    await run(ann.search, {"username": "ghost"})
    # Kept in both languages: a switch of language shows it translated at once.
    assert ann.search_message == {"en": "No user with that name.", "zh": ZH["search_no_match"]}
    assert ann.search_result is None


async def test_handlers_without_a_session_redirect_and_change_nothing(tab_factory, engine):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(ann.search, {"username": "bob"})
    assert ann.search_result is not None
    bob_id = ann.search_result.user_id
    await run(ann.send_request, bob_id)
    before = rows(engine)

    intruder = tab_factory(FriendsState, token="intruder")
    (await intruder.get_state(AuthState)).session_token = "forged"
    for handler, argument in [
        (intruder.send_request, bob_id),
        (intruder.accept, 1),
        (intruder.reject, 1),
        (intruder.cancel, 1),
        (intruder.remove_friend, bob_id),
        (intruder.block, bob_id),
        (intruder.unblock, bob_id),
    ]:
        assert redirect_targets(await run(handler, argument)) == ["/auth"]
    assert redirect_targets(await run(intruder.search, {"username": "bob"})) == ["/auth"]
    assert intruder.search_result is None
    assert rows(engine) == before
    await run(bob.load)
    assert bob.incoming_count == 1


@pytest.mark.parametrize("forged", [None, "1", 0, -5, 10**12, [1], {"id": 1}, True])
async def test_forged_ids_show_an_error_and_change_nothing(tab_factory, engine, forged):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    before = rows(engine)
    for handler in (ann.send_request, ann.accept, ann.reject, ann.cancel, ann.block):
        events = await run(handler, forged)
        assert toast_texts(events), handler
    assert rows(engine) == before


async def test_someone_elses_request_cannot_be_accepted(tab_factory, engine):
    _ann, bob = await _asked(tab_factory)
    cat = await logged_in_tab(tab_factory, "cat", "cat-tab")
    request_id = bob.incoming[0].request_id
    events = await run(cat.accept, request_id)
    assert "no longer available" in " ".join(toast_texts(events))
    assert rows(engine)[1] == 0
    await run(bob.load)
    assert bob.incoming_count == 1


async def test_remove_and_block_ask_for_confirmation_first(tab_factory, engine):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(ann.search, {"username": "bob"})
    assert ann.search_result is not None
    bob_id = ann.search_result.user_id
    await run(ann.ask_confirm, "block", bob_id, "Bob")
    assert (ann.confirm_kind, ann.confirm_nickname) == ("block", "Bob")
    assert rows(engine)[2] == 0
    await run(ann.dismiss_confirm)
    assert ann.confirm_kind == ""
    await run(ann.ask_confirm, "explode", bob_id, "Bob")
    assert ann.confirm_kind == ""
    await run(ann.ask_confirm, "block", bob_id, "Bob")
    await run(ann.confirm)
    assert rows(engine)[2] == 1
    assert [c.username for c in ann.blocked] == ["bob"]
    assert ann.search_relation == "blocked"


async def test_the_confirmation_names_only_someone_the_tab_shows(tab_factory, engine):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    await logged_in_tab(tab_factory, "bob", "bob-tab")
    await logged_in_tab(tab_factory, "cat", "cat-tab")
    await run(ann.search, {"username": "bob"})
    assert ann.search_result is not None
    bob_id = ann.search_result.user_id
    # The client's nickname is never shown: the name comes from what the tab holds.
    await run(ann.ask_confirm, "block", bob_id, "<reflex.Var>x</reflex.Var> Boss")
    assert (ann.confirm_kind, ann.confirm_user_id, ann.confirm_nickname) == ("block", bob_id, "Bob")
    await run(ann.dismiss_confirm)
    # Cat is a stranger to Ann (never found, no request): nothing to confirm, nothing shown.
    for stranger_id in (bob_id + 1, 10**6):
        await run(ann.ask_confirm, "block", stranger_id, "Cat")
        assert (ann.confirm_kind, ann.confirm_user_id, ann.confirm_nickname) == ("", 0, "")
        assert await run(ann.confirm) == []
    assert rows(engine)[2] == 0


@pytest.mark.usefixtures("profile")  # the picture goes to a folder of this test
async def test_a_new_picture_reaches_the_uploaders_own_list_over_the_socket(
    tab_factory, monkeypatch
):
    """An upload handler's own update travels in its HTTP response, which the browser may
    apply after newer socket updates: a friend list refreshed there could overwrite a newer
    one. The handler leaves this tab's list alone; the change is pushed to every tab of the
    uploader and of each friend, this one included."""
    pushed: list[tuple[list[int], Any, str]] = []

    async def notify(user_ids, _cls, change, *, except_tab=""):
        pushed.append((list(user_ids), change, except_tab))
        return []

    monkeypatch.setattr(friends_module, "notify_users", notify)
    ann, bob = await _asked(tab_factory)
    await run(bob.accept, bob.incoming[0].request_id)
    ann_id = (await ann.get_state(AuthState))._user_id
    bob_id = (await bob.get_state(AuthState))._user_id
    pushed.clear()
    ann._clean()

    profile = await ann.get_state(ProfileState)
    await run(profile.upload_avatar, [rx.UploadFile(file=_picture(), path=Path("me.png"))])

    assert profile.avatar_error == ""
    assert not ann.dirty_vars  # nothing of the list in the HTTP response
    to_ann = [(change, tab) for users, change, tab in pushed if users == [ann_id]]
    assert [tab for _change, tab in to_ann] == [""]  # this tab is not left out
    to_bob = [change for users, change, _tab in pushed if users == [bob_id]]
    assert len(to_bob) == 1
    await to_bob[0](bob)
    (friend,) = bob.friends
    assert (friend.username, "/files/" in friend.avatar_url) == ("ann", True)


async def _asked(tab_factory) -> tuple[FriendsState, FriendsState]:
    """Ann's and Bob's tabs, Ann's friend request shown in Bob's pane."""
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(ann.search, {"username": "bob"})
    assert ann.search_result is not None
    await run(ann.send_request, ann.search_result.user_id)
    await run(bob.load)
    return ann, bob


def _picture() -> io.BytesIO:
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 160, 90)).save(picture, format="PNG")
    picture.seek(0)
    return picture


async def test_the_avatar_button_is_busy_from_the_pick_to_the_answer(tab_factory):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    profile = await ann.get_state(ProfileState)
    await run(profile.start_avatar_upload)
    assert profile.avatar_uploading
    not_a_picture = io.BytesIO(b"<html>not really</html>")
    await run(profile.upload_avatar, [rx.UploadFile(file=not_a_picture, path=Path("me.png"))])
    assert (profile.avatar_uploading, profile.avatar_error != "") == (False, True)
    await run(profile.start_avatar_upload)
    assert (profile.avatar_uploading, profile.avatar_error) == (True, "")
    await run(profile.upload_avatar, [rx.UploadFile(file=_picture(), path=Path("me.png"))])
    assert (profile.avatar_uploading, profile.avatar_error) == (False, "")
