"""Pinning a conversation to the top of the chat list ("Pin to top", WeChat's 置顶聊天).

A chat row's own menu has it (right-click on a desktop, a long press on a phone, as in
WeChat and Telegram), and so does the phone's header ⋮ menu for the open conversation
(components/chat_more_menu.py). A departed member's history has neither: it can be hidden,
not pinned.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.chat_list import ChatListState
from chat_app.states.conversation import ConversationState
from chat_app.states.ui import tr

# Pinned rows' CSS `order` sits this far below every other row's (a row's order is its
# index, or a negative count of the moves since the list was read: states/list_order.py).
PINNED_LIFT = 1_000_000_000


def pinned(conversation_id: Any) -> rx.Var[bool]:
    """Whether the conversation is pinned (the list's short list, in the browser)."""
    return ChatListState.pinned_ids.contains(conversation_id)


def _content(conversation_id: Any) -> tuple[rx.Component, rx.Var]:
    """The item's icon and words (what a press does)."""
    on = pinned(conversation_id)
    icon = rx.cond(on, rx.icon("pin-off", size=14), rx.icon("pin", size=14))
    return icon, rx.cond(on, tr("button_unpin"), tr("button_pin"))


def _toggle(conversation_id: Any) -> Any:
    return ChatListState.set_pinned(conversation_id, ~pinned(conversation_id))


def with_row_menu(row: Any, button: rx.Component) -> rx.Component:
    """A chat row's button with its own menu: Pin to top or Unpin (not for a chat left).

    Args:
        row: The row (its `conversation_id` and `departed`).
        button: The row's button, which opens the menu with a right-click or long press.

    Returns:
        The button, in its menu's root (the button stays the list's flex item).
    """
    icon, words = _content(row.conversation_id)
    return rx.context_menu.root(
        rx.context_menu.trigger(button, disabled=row.departed),
        rx.context_menu.content(
            rx.context_menu.item(
                icon, words, class_name="row-pin", on_click=_toggle(row.conversation_id)
            ),
        ),
        # Keyed by its conversation, so a pin that reorders the list moves this row (and
        # the keyboard's focus with it) rather than rebuilding it.
        key=row.conversation_id,
    )


def pin_menu_item() -> rx.Component:
    """The open conversation's item in the phone's header ⋮ menu (none for a chat left)."""
    here = ConversationState.conversation_id
    icon, words = _content(here)
    return rx.cond(
        ConversationState.read_only,
        rx.fragment(),
        rx.dropdown_menu.item(icon, words, id="more-pin", on_click=_toggle(here)),
    )
