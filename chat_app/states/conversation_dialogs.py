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

from collections.abc import Callable
from typing import Any

import reflex as rx

from chat_app.states.chat_export import ChatExportState
from chat_app.states.forwarding import ForwardState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.picture_viewer import PictureViewerState
from chat_app.states.readers_dialog import ReadersState


def _close_export(export: ChatExportState) -> None:
    if export.export_open:
        export.export_open = False


# Each dialog about the open conversation: its state, whether it is on screen (None: only
# inside another, as the group panel's forms are), and how it closes acting on nothing.
_DIALOGS: tuple[tuple[type[Any], Callable[[Any], object] | None, Callable[[Any], None]], ...] = (
    (MessageActionsState, lambda a: a.confirm_seq, MessageActionsState._close_delete),
    (MessageActionsState, lambda a: a.edit_seq, MessageActionsState._close_edit),
    (ForwardState, lambda f: f.forward_conversation, ForwardState._close),
    (GroupPanelState, lambda p: p.panel_open, GroupPanelState._close),
    (GroupActionsState, None, GroupActionsState._reset_forms),
    (ReadersState, lambda r: r.readers_open, ReadersState._close),
    (MentionPickerState, lambda m: m.options, MentionPickerState._close),
    (ChatExportState, lambda e: e.export_open, _close_export),
    (PictureViewerState, lambda v: v.viewing_seq, PictureViewerState._close),
)


async def dialog_open(state: rx.State) -> bool:
    """Whether a dialog about the tab's conversation is open (or the @ list, or a picture).

    Args:
        state: Any state of the tab.

    Returns:
        True when one of the dialogs `close_dialogs` closes is on screen.
    """
    for state_cls, is_open, _close in _DIALOGS:
        if is_open is not None and is_open(await state.get_state(state_cls)):
            return True
    return False


async def close_dialogs(state: rx.State) -> None:
    """Close every dialog about the tab's conversation, acting on nothing.

    The reply being written stays, as the draft does: it comes back with its chat.

    Args:
        state: Any state of the tab.
    """
    for state_cls, _is_open, close in _DIALOGS:
        close(await state.get_state(state_cls))
