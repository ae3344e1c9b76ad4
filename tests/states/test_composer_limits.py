"""The composer never cuts a text: it keeps long drafts, counts them and refuses to send them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Message
from chat_app.states.client_input import STORAGE_PATTERNS, stored_text
from chat_app.states.composer import DRAFT_MAX, ComposerState
from chat_app.states.ui import is_touch_browser
from tests.support.tabs import chat_tabs, conversation_with, run

TOO_LONG = "A message can have at most 4,000 characters."


# Typing and message pushes are not what these tests look at.
pytestmark = pytest.mark.usefixtures("no_pushes")


async def open_composer(tab_factory) -> ComposerState:
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    return await ann.get_state(ComposerState)


def stored(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Message)).one()


async def test_a_long_draft_is_kept_whole_counted_and_refused_on_send(tab_factory, engine):
    composer = await open_composer(tab_factory)
    pasted = "x" * 9_999 + "é"
    await run(composer.set_draft, pasted)
    assert composer.draft == pasted
    assert composer.draft_length == 10_000

    await run(composer.send, {"body": pasted})
    assert composer.composer_error == TOO_LONG
    assert composer.draft == pasted
    assert stored(engine) == 0


async def test_the_count_is_what_the_server_counts(tab_factory):
    composer = await open_composer(tab_factory)
    for draft, length in [
        ("x" * 4_001, 4_001),
        # 4,000 emoji: 8,000 UTF-16 units in the browser, 4,000 characters to the server.
        ("😀" * 4_000, 4_000),
        ("a\r\n" * 2_001, 4_002),
    ]:
        await run(composer.set_draft, draft)
        assert composer.draft_length == length, draft[:3]


async def test_a_draft_over_the_servers_bound_is_refused_with_the_message_not_cut(tab_factory):
    composer = await open_composer(tab_factory)
    await run(composer.set_draft, "kept")
    await run(composer.set_draft, "y" * (DRAFT_MAX + 1))
    assert composer.draft == "kept"
    assert composer.composer_error == TOO_LONG
    await run(composer.set_draft, "y" * DRAFT_MAX)
    assert len(composer.draft) == DRAFT_MAX
    assert composer.composer_error == ""


async def test_an_emoji_is_added_whole_or_not_at_all(tab_factory):
    composer = await open_composer(tab_factory)
    await run(composer.set_draft, "z" * (DRAFT_MAX - 1))
    await run(composer.insert_emoji, "😀")
    assert composer.draft == "z" * (DRAFT_MAX - 1) + "😀"
    await run(composer.insert_emoji, "😀")
    assert len(composer.draft) == DRAFT_MAX


def test_browser_storage_takes_back_any_draft_the_server_keeps_and_no_longer_one():
    pattern = STORAGE_PATTERNS["chat_draft"]
    assert DRAFT_MAX >= 20_000
    kept = "line\n" * (DRAFT_MAX // 5)
    assert stored_text(kept, pattern) == kept
    assert stored_text(kept + "x", pattern) == ""


@pytest.mark.parametrize(
    ("agent", "hint", "touch"),
    [
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0 Mobile Safari/537.36", "", True),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148", "", True),
        ("Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/126.0 Safari/537.36", "", True),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36", "?1", True),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36", "?0", False),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Firefox/127.0", "", False),
    ],
)
def test_phones_and_tablets_are_told_apart_from_desktops(agent: str, hint: str, touch: bool):
    assert is_touch_browser(agent, hint) is touch
