"""A page load resolves the tab's session once; the next event resolves it again."""

from __future__ import annotations

import io
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from PIL import Image
from reflex_base.event.context import EventContext

from chat_app.states import presence as presence_module
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.presence import PresenceState
from chat_app.states.profile import ProfileState
from chat_app.states.ui import UiState
from chat_app.states.unread import UnreadState
from tests.support.sessions import count_resolutions, top_level
from tests.support.tabs import logged_in_tab, redirect_targets, run


class _SentinelStarted(Exception):
    """Ends the presence sentinel of the test once it has asked who the user is."""


async def _load_chat_page(tab: FriendsState, page_load: EventContext) -> None:
    """The chat page's on_load handlers (chat_app/chat_app.py), each its own queued event."""
    handlers = [
        (await tab.get_state(UiState)).detect_language,
        (await tab.get_state(AuthState)).require_login,
        tab.load,
        (await tab.get_state(UnreadState)).load,
        (await tab.get_state(ConversationState)).load,
        (await tab.get_state(PresenceState)).load,
        # A background handler: Reflex runs its function with the state (a proxy there).
        partial(PresenceState.event_handlers["track"].fn, await tab.get_state(PresenceState)),
    ]
    for handler in handlers:
        with page_load.fork(), suppress(_SentinelStarted):
            await run(handler)


@pytest.fixture
def quiet_sentinel(monkeypatch: pytest.MonkeyPatch) -> None:
    async def started(*_args: Any) -> None:
        raise _SentinelStarted

    monkeypatch.setattr(presence_module, "_keep_alive", started)
    monkeypatch.setattr(presence_module, "spawn", lambda coroutine: coroutine.close())


@pytest.mark.usefixtures("quiet_sentinel")
async def test_a_page_load_resolves_the_session_once(tab_factory, monkeypatch):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    calls = count_resolutions(monkeypatch)
    root = top_level("ann-tab")
    await _load_chat_page(tab, root.fork())
    assert len(calls) == 1
    # The next page load, or the next click, is another chain: it asks again.
    await _load_chat_page(tab, root.fork())
    assert len(calls) == 2
    with root.fork():
        await run(tab.search, {"username": "nobody"})
    assert len(calls) == 3


@pytest.mark.usefixtures("quiet_sentinel")
async def test_an_event_chained_from_a_handler_reuses_its_resolution(tab_factory, monkeypatch):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    calls = count_resolutions(monkeypatch)
    click = top_level("ann-tab").fork()
    with click:
        await run(tab.load)
    with click.fork():  # e.g. ConversationState.mark_seen returned by open_conversation
        await run((await tab.get_state(ConversationState)).mark_seen)
    assert len(calls) == 1


@pytest.mark.usefixtures("quiet_sentinel")
async def test_a_session_ended_in_the_chain_is_not_reused(tab_factory, monkeypatch):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    auth = await tab.get_state(AuthState)
    page_load = top_level("ann-tab").fork()
    with page_load.fork():
        await run(auth.require_login)
    with page_load.fork():
        await run(auth.logout)
    calls = count_resolutions(monkeypatch)
    with page_load.fork():
        assert redirect_targets(await run(tab.search, {"username": "bob"})) == ["/auth"]
    assert auth.username == ""
    assert calls == []  # no token left to resolve, and nothing kept for the ended one


@pytest.mark.usefixtures("profile")  # the picture goes to a folder of this test
async def test_a_handler_that_changes_the_profile_reads_it_again(tab_factory):
    # The avatar upload resolves the session, stores the picture, then asks again for the
    # header's new picture: in one event chain that second answer must not be the kept one.
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    auth = await tab.get_state(AuthState)
    profile = await tab.get_state(ProfileState)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 160, 90)).save(picture, format="PNG")
    picture.seek(0)
    with top_level("ann-tab").fork():
        await run(profile.upload_avatar, [rx.UploadFile(file=picture, path=Path("me.png"))])
    assert profile.avatar_error == ""
    assert "/files/" in auth.avatar_url
