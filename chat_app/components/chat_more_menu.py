"""On a phone, the conversation header's less used actions in one ⋮ menu.

A phone's header has room for the back button, the picture, the name and two 44 px
buttons: with search, export and mute beside a group's info button, a group's name was left
50 px and broke after every few letters. The menu holds search (back to the list, where the
field is), export (the dialog the desktop's button opens), mute and pin to top; desktops
keep the buttons (components/conversation_header.py) and pin from the row's own menu.
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.icon_button import icon_button
from chat_app.components.mute_button import mute_menu_item
from chat_app.components.pin_toggle import pin_menu_item
from chat_app.states.chat_export import ChatExportState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.message_search import MessageSearchState
from chat_app.states.ui import tr

# Shown below the desktop breakpoint only (the desktop's buttons show from it on).
ON_PHONES = ["flex", "flex", "none"]


def chat_more_menu() -> rx.Component:
    """The ⋮ button (phones only) and its menu: search this chat, export, mute, pin it."""
    here = ConversationState.conversation_id
    return rx.box(
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                icon_button(
                    "ellipsis-vertical",
                    id="chat-more",
                    variant="ghost",
                    size="3",
                    aria_label=tr("chat_more"),
                    title=tr("chat_more"),
                ),
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(
                    rx.icon("search", size=14),
                    tr("message_search_this_chat"),
                    id="more-search",
                    on_click=[
                        MessageSearchState.search_in(here),
                        ConversationState.close_conversation,
                        ComposerState.clear,
                    ],
                ),
                rx.dropdown_menu.item(
                    rx.icon("archive", size=14),
                    tr("export_chat"),
                    id="more-export",
                    on_click=ChatExportState.set_export_open(True),
                ),
                mute_menu_item(),
                pin_menu_item(),
                align="end",
            ),
        ),
        display=ON_PHONES,
    )
