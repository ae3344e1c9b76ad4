"""The live slots are declared plainly (the type checker sees them) and match the buffer."""

from __future__ import annotations

from chat_app.services.views import MessageView
from chat_app.states import live_messages
from chat_app.states.conversation import ConversationState
from chat_app.states.message_buffer import LIVE_BANK, LIVE_SLOTS


def test_the_declared_slot_vars_are_the_two_banks():
    declared = [name for name in ConversationState.base_vars if name.startswith("live_")]
    assert declared == list(live_messages.SLOT_NAMES)
    assert len(declared) == LIVE_SLOTS == 2 * LIVE_BANK
    types = {ConversationState.base_vars[name]._var_type for name in declared}
    assert types == {MessageView | None}
    assert ConversationState.base_vars["first_bank"]._var_type is int
    assert ConversationState.base_vars["pending"]._var_type == list[MessageView]
