"""The friends list; each row has a menu to remove or block (both confirmed first).

Below it, conversations with people who are no longer friends stay reachable, read-only.
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.contact_row import contact_row
from chat_app.components.focus_return import focus_on_close
from chat_app.components.icon_button import icon_button
from chat_app.components.presence_dot import presence_dot
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.list_order import ORDER_BUCKETS, ListOrderState
from chat_app.states.notices import close_conversation_toast
from chat_app.states.presence import PresenceState
from chat_app.states.row_values import row_value
from chat_app.states.ui import tr
from chat_app.states.unread import UNREAD_BUCKETS, UnreadState


def _friend_menu(friend) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            icon_button(
                "ellipsis-vertical",
                variant="ghost",
                color_scheme="gray",
                aria_label=tr("friend_actions"),
                size="3",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                tr("button_remove_friend"),
                on_select=FriendsState.ask_confirm("remove", friend.user_id, friend.nickname),
            ),
            rx.dropdown_menu.item(
                tr("button_block"),
                color_scheme="red",
                on_select=FriendsState.ask_confirm("block", friend.user_id, friend.nickname),
            ),
        ),
    )


def _opener(contact, status: rx.Component | None = None) -> rx.Component:
    """The row's main part, which opens the contact's conversation by its id."""
    # A real <button>: reachable with Tab, opened with Enter or Space, focus ring visible.
    return rx.el.button(
        contact_row(contact, unread_badge(contact.conversation_id), status=status),
        on_click=[
            ConversationState.open_conversation(contact.conversation_id),
            close_conversation_toast(contact.conversation_id),
            ComposerState.clear,
        ],
        aria_label=contact.nickname,
        class_name="friend-open",
        style={
            "all": "unset",
            "display": "block",
            "flex": "1",
            "min_width": "0",
            "cursor": "pointer",
            "border_radius": "8px",
            "_focus_visible": {"outline": "2px solid var(--accent-8)"},
        },
    )


def _row_background(contact) -> rx.Var:
    """Highlighted while the contact's conversation is the one open."""
    return rx.cond(
        ConversationState.conversation_id == contact.conversation_id,
        "var(--accent-a3)",
        "transparent",
    )


def _friend_row(friend, index) -> rx.Component:
    opener = _opener(friend, presence_dot(PresenceState.online.get(friend.user_id, False)))
    return rx.hstack(
        opener,
        _friend_menu(friend),
        key=friend.user_id,
        # Its place in the list, unless a message moved it up since the list was read.
        order=row_value(ListOrderState, ORDER_BUCKETS, friend.conversation_id, index),
        align="center",
        padding_right="0.5em",
        background=_row_background(friend),
        _hover={"background": "var(--gray-a3)"},
        width="100%",
        spacing="0",
    )


def _past_row(contact) -> rx.Component:
    # No presence (only friends see it) and no menu: nothing is left to remove.
    return rx.box(
        _opener(contact),
        key=contact.conversation_id,
        class_name="past-conversation",
        background=_row_background(contact),
        _hover={"background": "var(--gray-a3)"},
        # Greyed (the picture, keeping the text's contrast): history to read, not someone
        # to write to.
        filter="grayscale(1)",
        width="100%",
    )


def unread_badge(conversation_id) -> rx.Component:
    """The conversation's unread count (from `UnreadState`'s buckets), hidden at 0."""
    count = row_value(UnreadState, UNREAD_BUCKETS, conversation_id, 0)
    return rx.cond(
        count > 0,
        rx.badge(
            count, class_name="unread-badge", color_scheme="red", variant="solid", radius="full"
        ),
    )


def friend_list() -> rx.Component:
    """Friends, the most recent conversation first, or a hint when there are none."""
    return rx.cond(
        FriendsState.friends,
        rx.vstack(
            rx.foreach(
                FriendsState.friends,
                _friend_row,
            ),
            id="friend-list",
            spacing="0",
            width="100%",
            # Rows moved up by CSS `order` are read and tabbed to in the order shown, not
            # in the DOM's (the DOM catches up whenever the list is read again).
            reading_flow="flex-visual",
        ),
        rx.text(tr("friends_empty"), id="friends-empty", color_scheme="gray", padding="1em"),
    )


def past_conversations() -> rx.Component:
    """Conversations with people who are no longer friends: opened read-only."""
    return rx.cond(
        FriendsState.past,
        rx.vstack(
            rx.text(
                tr("past_conversations"),
                size="1",
                weight="medium",
                color_scheme="gray",
                padding="1em 1em 0.25em",
            ),
            rx.foreach(FriendsState.past, _past_row),
            id="past-conversations",
            spacing="0",
            width="100%",
            border_top="1px solid var(--gray-a4)",
        ),
    )


def confirm_dialog() -> rx.Component:
    """The confirmation for a pending remove or block."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(
                    FriendsState.confirm_kind == "block",
                    tr("confirm_block_title"),
                    tr("confirm_remove_title"),
                )
            ),
            rx.alert_dialog.description(
                # Whole (who is about to be removed or blocked matters), wrapped if long.
                rx.text(FriendsState.confirm_nickname, weight="bold", overflow_wrap="anywhere"),
                rx.cond(
                    FriendsState.confirm_kind == "block",
                    rx.text(tr("confirm_block_body")),
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        tr("button_cancel"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=FriendsState.dismiss_confirm,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr("button_confirm"),
                        id="confirm-action",
                        color_scheme="red",
                        on_click=FriendsState.confirm,
                    )
                ),
                justify="end",
                margin_top="1em",
            ),
            on_close_auto_focus=focus_on_close("tab-friends"),
        ),
        open=FriendsState.confirm_kind != "",
        on_open_change=lambda is_open: rx.cond(is_open, rx.noop(), FriendsState.dismiss_confirm()),
    )
