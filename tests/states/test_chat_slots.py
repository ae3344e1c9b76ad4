"""The live ring's vars are declared plainly (the type checker sees them) and match the buffer."""

from __future__ import annotations

from chat_app.states import live_messages
from chat_app.states.conversation import ConversationState
from chat_app.states.message_buffer import LIVE_SLOTS


def test_the_declared_slot_vars_are_the_ring():
    declared = [name for name in ConversationState.base_vars if name.startswith("live_")]
    assert declared == list(live_messages.SLOT_NAMES)
    assert len(declared) == LIVE_SLOTS
