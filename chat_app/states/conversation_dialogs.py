"""The dialogs about an open conversation: Back closes them first, and they close with it.

A phone's Back closes what is open over a screen before the screen: Back with one of
these dialogs open closes the dialog and keeps the conversation (states/chat_page.py).
A conversation closed otherwise (gone, or no dialog state the page knows of) takes its
dialogs with it: a dialog's state that stayed came back over the next chat opened and
acted on the old one (a deletion asked about in Bob's chat and confirmed over Carol's
deleted the message in Bob's). The full-size picture is one of them (states/picture_viewer.py).
Its menus and the emoji picker live in the browser, which the server does not see open;
Back closes the conversation under them.
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.chat_export import ChatExportState
from chat_app.states.forwarding import ForwardState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.picture_viewer import PictureViewerState
from chat_app.states.readers_dialog import ReadersState


async def dialog_open(state: rx.State) -> bool:
    """Whether a dialog about the tab's conversation is open (or the @ list, or a picture).

    Args:
        state: Any state of the tab.

    Returns:
        True when one of the dialogs `close_dialogs` closes is on screen.
    """
    actions = await state.get_state(MessageActionsState)
    return bool(
        actions.confirm_seq
        or actions.edit_seq
        or (await state.get_state(ForwardState)).forward_conversation
        or (await state.get_state(GroupPanelState)).panel_open
        or (await state.get_state(ReadersState)).readers_open
        or (await state.get_state(MentionPickerState)).options
        or (await state.get_state(ChatExportState)).export_open
        or (await state.get_state(PictureViewerState)).viewing_seq
    )


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
    (await state.get_state(PictureViewerState))._close()
