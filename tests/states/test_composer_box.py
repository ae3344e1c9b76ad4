"""The composer's box is replaced after each send; keys typed in the old one are kept.

The browser's box (a debounced input) ignores the state's text while a key is pending, so
it is replaced by a new one for each message (keyed by the issued client id). The old box
sends its last keys as it goes, naming the id it was for: the sent text is taken off, and
the rest becomes the new box's text, also when the new box missed it.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from chat_app.models import Message
from chat_app.states.composer import ComposerState
from chat_app.states.outbox import OutboxState
from tests.support.tabs import chat_tabs, conversation_with, run

pytestmark = pytest.mark.usefixtures("no_pushes")


async def _composer(tab_factory) -> tuple[ComposerState, OutboxState]:
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    outbox = await ann.get_state(OutboxState)
    outbox._issued_id()  # as the page's load does (states/resend.py)
    return await ann.get_state(ComposerState), outbox


def _bodies(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Message.body).order_by(col(Message.id))).all())


async def test_keys_typed_in_the_sent_box_start_the_next_message(tab_factory, engine):
    composer, outbox = await _composer(tab_factory)
    box = outbox.next_client_id
    await run(composer.set_draft, "quick 4", box)
    await run(composer.send, {"body": "quick 4", "client_id": box})
    assert (composer.draft, composer.refocus) == ("", True)
    assert outbox.next_client_id != box

    # The old box held "quick 4" and one more key when the send's answer replaced it.
    await run(composer.set_draft, "quick 4q", box)
    assert composer.draft == "q"
    # The new box missed that text (it was "typing"): what it sends follows the "q".
    await run(composer.set_draft, "uick 5", outbox.next_client_id)
    assert composer.draft == "quick 5"
    box = outbox.next_client_id
    await run(composer.send, {"body": "uick 5", "client_id": box})
    assert _bodies(engine) == ["quick 4", "quick 5"]
    # That box's own last keys arrive after the answer: its text was sent, nothing is left.
    await run(composer.set_draft, "uick 5", box)
    assert composer.draft == ""
    # Or the whole text, had it shown the "q" by then: nothing is left either.
    await run(composer.set_draft, "quick 5", box)
    assert composer.draft == ""
    await run(composer.set_draft, "quick 6", outbox.next_client_id)
    assert composer.draft == "quick 6"


async def test_a_replaced_box_with_nothing_after_the_sent_text_changes_nothing(tab_factory):
    composer, outbox = await _composer(tab_factory)
    box = outbox.next_client_id
    await run(composer.send, {"body": "hello", "client_id": box})
    await run(composer.set_draft, "hello", box)
    assert composer.draft == ""
    # The new box shows the carried keys: nothing is added to its text again.
    await run(composer.set_draft, "hello there", box)
    assert composer.draft == " there"
    await run(composer.set_draft, " there, Bob", outbox.next_client_id)
    assert composer.draft == " there, Bob"
    # Emptied by the user, it stays empty.
    await run(composer.set_draft, "", outbox.next_client_id)
    assert composer.draft == ""


async def test_a_text_pasted_over_the_sent_one_before_the_answer_is_sent_next(tab_factory, engine):
    composer, outbox = await _composer(tab_factory)
    box = outbox.next_client_id
    await run(composer.send, {"body": "line 2", "client_id": box})
    # The old box had "line 3" put in place of "line 2" when the send's answer replaced it.
    await run(composer.set_draft, "line 3", box)
    assert composer.draft == "line 3"
    # Enter in the new box before it shows the text: the text is sent, not lost.
    await run(composer.send, {"body": "", "client_id": outbox.next_client_id})
    assert _bodies(engine) == ["line 2", "line 3"]


async def test_opening_another_chat_forgets_the_focus_and_the_carried_keys(tab_factory):
    composer, outbox = await _composer(tab_factory)
    box = outbox.next_client_id
    await run(composer.send, {"body": "hi", "client_id": box})
    await run(composer.set_draft, "hi!", box)
    await run(composer.clear)
    assert composer.refocus is False
    await run(composer.set_draft, "new text", outbox.next_client_id)
    assert composer.draft == "new text"
