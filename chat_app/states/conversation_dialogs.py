"""The dialogs about an open conversation close with it when Back closes it.

A dialog's overlay covers the header's back button and the chat list, so a conversation
could not be left with one open, until Back (states/history_entry.py) closed it from
under its dialog. The dialog's state stayed, came back over the next chat opened and
acted on the old one: a deletion asked about in Bob's chat and confirmed over Carol's
deleted the message in Bob's. Its menus and pickers live in the browser and close on
their own.
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.chat_export import ChatExportState
from chat_app.states.forwarding import ForwardState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.readers_dialog import ReadersState


async def close_dialogs(state: rx.State) -> None:
    """Close every dialog about the tab's conversation, acting on nothing.

    The reply being written stays, as the draft does: it comes back with its chat.

    Args:
        state: Any state of the tab.
    """
    actions = await state.get_state(MessageActionsState)
    actions._close_delete()
    actions._close_edit()
    (await state.get_state(ForwardState))._close()
    (await state.get_state(GroupPanelState))._close()
    (await state.get_state(GroupActionsState))._reset_forms()
    (await state.get_state(ReadersState))._close()
    (await state.get_state(MentionPickerState))._close()
    export = await state.get_state(ChatExportState)
    if export.export_open:
        export.export_open = False
