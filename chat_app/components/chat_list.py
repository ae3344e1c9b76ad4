"""The Chats tab: direct and group conversations together, pinned ones first, then the
newest activity first.

Each row: avatar (a group's picture or initial), name, last line, time, unread count, a pin
when pinned. The rows come in the order they were read; a message since moves its row up
by CSS `order` (a pinned row only among the pinned) and replaces its line and time from
`ConversationState`'s buckets (never re-sending the list). A row's own menu (right-click,
long press) pins it.
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.avatar import avatar_with_corner
from chat_app.components.chat_row_marks import chat_row_marks
from chat_app.components.message_search import (
    message_search_form,
    message_search_results,
    search_shown,
)
from chat_app.components.message_time import row_time
from chat_app.components.name_text import name_text, shown_name
from chat_app.components.new_group_dialog import new_group_button
from chat_app.components.pin_toggle import PINNED_LIFT, pinned, with_row_menu
from chat_app.components.presence_dot import presence_dot
from chat_app.states.chat_list import ChatListState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.list_order import ORDER_BUCKETS, ListOrderState
from chat_app.states.notices import close_conversation_toast
from chat_app.states.presence import PresenceState
from chat_app.states.row_lines import LAST_BUCKETS
from chat_app.states.row_values import row_entry, row_value
from chat_app.states.ui import tr


def _last(row) -> tuple[rx.Var, rx.Var]:
    """(sent at, line) of the row's last message: pushed since the list was read, or read."""
    entry = row_entry(ConversationState, LAST_BUCKETS, row.conversation_id, [row.last_at, row.line])
    return entry[0], entry[1]  # type: ignore[index]


def _picture(row) -> rx.Component:
    """The row's picture, with the green dot while a direct chat's friend is online.

    Only the green one: a past conversation's person is no friend, and presence is for
    friends only, so a grey dot there would claim what the tab cannot know.
    """
    online = (row.kind == "direct") & PresenceState.online.get(row.user_id, False)
    return avatar_with_corner(row.name, row.avatar_url, rx.cond(online, presence_dot(True)))


def _row_body(row) -> rx.Component:
    sent_at, line = _last(row)
    return rx.hstack(
        _picture(row),
        rx.vstack(
            rx.hstack(
                name_text(row.name, weight="medium", trim="both", flex="1"),
                rx.cond(
                    sent_at != "",
                    row_time(
                        sent_at,
                        font_size="0.75em",
                        color="var(--gray-11)",
                        class_name="chat-time",
                    ),
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.hstack(
                name_text(
                    line,
                    person=False,
                    size="1",
                    color_scheme="gray",
                    class_name="chat-line",
                    flex="1",
                ),
                chat_row_marks(row.conversation_id),
                width="100%",
                align="center",
                spacing="2",
            ),
            spacing="0",
            min_width="0",
            flex="1",
            align="stretch",
        ),
        data_conversation=row.conversation_id,
        data_kind=row.kind,
        align="center",
        width="100%",
        padding="0.5em 1em",
        min_height="52px",
    )


def _chat_row(row, index) -> rx.Component:
    return with_row_menu(row, _row_button(row, index))


def _row_button(row, index) -> rx.Component:
    # A real <button>: reachable with Tab, opened with Enter or Space, focus ring visible.
    is_pinned = pinned(row.conversation_id)
    moved = row_value(ListOrderState, ORDER_BUCKETS, row.conversation_id, index)
    return rx.el.button(
        _row_body(row),
        on_click=[
            ConversationState.open_conversation(row.conversation_id),
            close_conversation_toast(row.conversation_id),
            ComposerState.clear,
        ],
        aria_label=shown_name(row.name),
        key=row.conversation_id,
        class_name="chat-open",
        # Its place in the list, unless a message moved it up since the list was read;
        # pinned rows above all others, moved up among themselves.
        order=moved - rx.cond(is_pinned, PINNED_LIFT, 0).to(int),
        style={
            "all": "unset",
            "display": "block",
            "width": "100%",
            "cursor": "pointer",
            # A pinned row is tinted, as WeChat's are; hovering shows darker still.
            "background": rx.cond(
                ConversationState.conversation_id == row.conversation_id,
                "var(--accent-a3)",
                rx.cond(is_pinned, "var(--gray-a3)", "transparent"),
            ),
            # Greyed: a chat left is history to read, not somewhere to write.
            "filter": rx.cond(row.departed, "grayscale(1)", "none"),
            "_hover": {"background": "var(--gray-a4)"},
            "_focus_visible": {"outline": "2px solid var(--accent-8)"},
        },
    )


def chat_list() -> rx.Component:
    """Message search and "New group", then every conversation (or a hint when there is
    none), or the search's results in their place."""
    return rx.vstack(
        rx.hstack(
            message_search_form(),
            # Not while results are shown: the field then has the row's room (with the close
            # button beside it, "Search messages" was cut to "Search messa").
            rx.cond(search_shown(), rx.fragment(), new_group_button()),
            align="center",
            spacing="2",
            width="100%",
            padding="0.5em 1em 0",
        ),
        rx.cond(search_shown(), message_search_results(), _rows()),
        spacing="0",
        width="100%",
    )


def _rows() -> rx.Component:
    return rx.fragment(
        rx.cond(
            ChatListState.rows,
            rx.vstack(
                rx.foreach(ChatListState.rows, _chat_row),
                id="chat-list",
                spacing="0",
                width="100%",
                # Rows moved up by CSS `order` are read and tabbed to in the order shown.
                reading_flow="flex-visual",
            ),
            rx.text(tr("chats_empty"), id="chats-empty", color_scheme="gray", padding="1em"),
        ),
    )
