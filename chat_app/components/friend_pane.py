"""The left pane: search, then Chats (direct and groups), Friends and Requests tabs."""

from __future__ import annotations

import reflex as rx

from chat_app.components.chat_list import chat_list
from chat_app.components.friend_list import confirm_dialog, friend_list, past_conversations
from chat_app.components.friend_search import friend_search
from chat_app.components.new_group_dialog import new_group_dialog
from chat_app.components.request_lists import request_lists
from chat_app.states.friends import FriendsState
from chat_app.states.ui import tr


def _requests_trigger() -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(tr("tab_requests")),
            rx.cond(
                FriendsState.incoming_count > 0,
                rx.badge(
                    FriendsState.incoming_count,
                    color_scheme="red",
                    variant="solid",
                    radius="full",
                ),
            ),
            align="center",
            spacing="1",
        ),
        value="requests",
        id="tab-requests",
    )


def friend_pane() -> rx.Component:
    """Chats and friends, on the left of the chat (the whole screen on phones)."""
    return rx.vstack(
        friend_search(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(tr("tab_chats"), value="chats", id="tab-chats"),
                rx.tabs.trigger(tr("tab_friends"), value="friends", id="tab-friends"),
                _requests_trigger(),
                padding_x="0.5em",
            ),
            rx.tabs.content(chat_list(), value="chats"),
            rx.tabs.content(friend_list(), past_conversations(), value="friends"),
            rx.tabs.content(request_lists(), value="requests"),
            value=FriendsState.pane_tab,
            on_change=FriendsState.set_pane_tab,
            width="100%",
        ),
        confirm_dialog(),
        new_group_dialog(),
        id="friend-pane",
        spacing="0",
        width=["100%", "100%", "20em"],
        flex_shrink="0",
        border_right="1px solid var(--gray-a5)",
        overflow_y="auto",
        height="100%",
    )
