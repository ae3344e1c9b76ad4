"""A picture pasted into the composer: sent when small, refused with a word when large,
nothing for anything a browser would not send."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session, func, select

from chat_app.models import Message
from chat_app.states import message_push
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.uploads import PASTE_MAX_CHARS, UploadState, pasted_picture
from tests.support.tabs import chat_tabs, conversation_with, run

# Typing and message pushes are not what these tests look at.
pytestmark = pytest.mark.usefixtures("no_pushes")


def data_url(content: bytes, subtype: str = "png") -> str:
    return f"data:image/{subtype};base64,{base64.b64encode(content).decode()}"


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def test_a_pasted_data_url_gives_its_picture():
    assert pasted_picture(data_url(small_png())) == (small_png(), "pasted-image.png")
    assert pasted_picture(data_url(b"", "jpeg")) == (b"", "pasted-image.jpeg")


@pytest.mark.parametrize(
    "forged",
    [
        None,
        42,
        ["data:image/png;base64,AAAA"],
        "data:text/html;base64,PGI+",
        "data:image/png,rawbytes",
        "data:image/png;base64,not base64!",
        "data:image/png;base64,AAA",
        "data:image/../../x;base64,AAAA",
        "data:image/png;base64," + "A" * PASTE_MAX_CHARS,
    ],
)
def test_anything_else_is_no_picture(forged: object):
    assert pasted_picture(forged) is None


async def open_chat(tab_factory) -> UploadState:
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    return await ann.get_state(UploadState)


def image_messages(engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Message).where(Message.kind == "image")
        return session.exec(query).one()


async def test_a_small_pasted_picture_is_sent_as_an_image(tab_factory, profile, engine):
    uploads = await open_chat(tab_factory)
    await run(uploads.paste_image, data_url(small_png()), len(data_url(small_png())))
    composer = await uploads.get_state(ComposerState)
    assert composer.composer_error == ""
    assert image_messages(engine) == 1


async def test_a_large_picture_is_refused_with_the_limit(tab_factory, profile, engine):
    uploads = await open_chat(tab_factory)
    composer = await uploads.get_state(ComposerState)
    await run(uploads.paste_image, "", PASTE_MAX_CHARS + 1)
    assert composer.composer_error.startswith("This picture is too large to paste (over 52")
    # A paste without a picture (text) says nothing.
    composer.composer_error = ""
    await run(uploads.paste_image, "", 0)
    await run(uploads.paste_image, "data:image/png;base64,!!", 24)
    assert composer.composer_error == ""
    assert image_messages(engine) == 0


async def test_the_sent_picture_reaches_its_own_tab_over_the_socket_in_turn(
    tab_factory, profile, monkeypatch
):
    """An upload's own update travels in its HTTP response, which the browser may apply
    after newer socket updates (a text sent a moment before the file went missing and
    the file showed twice). So the handler leaves the message list alone, and the file
    reaches its own tab as a push, like the sender's other tabs."""
    pushed: list[tuple[list[int], Any, str]] = []

    async def notify(audiences, _cls, *, except_tab=""):
        pushed.extend((list(user_ids), change, except_tab) for user_ids, change in audiences)
        return []

    monkeypatch.setattr(message_push, "notify_each_patiently", notify)
    uploads = await open_chat(tab_factory)
    ann = await uploads.get_state(ConversationState)
    before = [m.seq for m in ann._buffer().stored()]

    await run(uploads.paste_image, data_url(small_png()), len(data_url(small_png())))
    assert [m.seq for m in ann._buffer().stored()] == before

    (echo,) = [(change, tab) for users, change, tab in pushed if users == [ann._user_id]]
    change, left_out = echo
    assert left_out == ""
    await change(ann)
    assert [m.kind for m in ann._buffer().stored()][-1:] == ["image"]
