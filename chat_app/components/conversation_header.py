"""The conversation's header: back (phones), who or which group, and what they are doing.

A direct chat shows the friend (picture with presence, nickname, typing or last seen); a
group shows its picture, name and how many members it has.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.components.avatar import avatar
from chat_app.components.chat_export import export_button
from chat_app.components.chat_more_menu import chat_more_menu
from chat_app.components.group_panel import group_info_button
from chat_app.components.group_typing_line import group_typing_line
from chat_app.components.icon_button import icon_button
from chat_app.components.message_search import search_this_chat_button
from chat_app.components.mute_button import mute_button
from chat_app.components.name_text import lines_cut, name_text, one_line_cut, shown_name
from chat_app.components.presence_dot import presence_dot
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.presence import PresenceState
from chat_app.states.ui import moment_locale, tr

# Search, export and mute as buttons; a phone has them in the ⋮ menu (chat_more_menu).
ON_DESKTOPS = ["none", "none", "flex"]


def _one_line(content: Any, **props: Any) -> rx.Component:
    # One line: a 32-letter username must not push the header wider than a phone.
    return rx.text(
        content,
        size="1",
        color_scheme="gray",
        **one_line_cut(),
        **props,
    )


def _presence_line() -> rx.Component:
    friend = ConversationState.open_friend_id
    seen = PresenceState.last_seen.get(friend, "")
    return _one_line(
        rx.cond(
            PresenceState.online.get(friend, False),
            tr("presence_online"),
            rx.cond(
                seen != "",
                rx.fragment(
                    tr("last_seen") + " ",
                    rx.moment(seen, from_now=True, interval=30_000, locale=moment_locale()),
                ),
                "@" + ConversationState.open_friend_username,
            ),
        ),
        id="presence-line",
    )


def _title(name: Any, *, lines: int = 0) -> rx.Component:
    # The one place a person's long name is shown whole (lists cut it, and touch screens
    # have no hover for the title): it wraps, even inside a word, instead of being cut.
    # A group's name (64 characters) took four lines of a phone's header in every one of
    # its conversations: it stops at `lines`, whole in the group's panel.
    return rx.text(
        shown_name(name),
        id="conversation-title",
        weight="bold",
        overflow_wrap="anywhere",
        style=lines_cut(lines) if lines else {},
    )


def _friend_picture() -> rx.Component:
    return rx.box(
        avatar(
            ConversationState.open_friend_nickname,
            size="2",
            src=ConversationState.open_friend_avatar_url,
        ),
        rx.box(
            presence_dot(PresenceState.online.get(ConversationState.open_friend_id, False)),
            position="absolute",
            right="0",
            bottom="0",
        ),
        position="relative",
        flex_shrink="0",
    )


def _friend_lines() -> list[rx.Component]:
    return [
        _title(ConversationState.open_friend_nickname),
        rx.cond(
            ConversationState.friend_typing,
            name_text(
                ConversationState.open_friend_nickname + " " + tr("typing"),
                id="typing-indicator",
                size="1",
                color_scheme="gray",
            ),
            _presence_line(),
        ),
    ]


def _group_lines() -> list[rx.Component]:
    return [
        _title(ConversationState.group_name, lines=2),
        group_typing_line(
            _one_line(
                # Who is in it now is not for someone who left (nor the count, since).
                rx.cond(
                    ConversationState.my_role != "",
                    Var.create(ConversationState.member_count).to(str) + tr("group_members_suffix"),
                    tr("group_header_left"),
                ),
                id="group-member-count",
            )
        ),
    ]


def conversation_header() -> rx.Component:
    """The header row above the messages."""
    return rx.hstack(
        icon_button(
            "arrow-left",
            id="back-button",
            variant="ghost",
            size="3",
            aria_label=tr("button_back"),
            on_click=[ConversationState.close_conversation, ComposerState.clear],
            display=["flex", "flex", "none"],
        ),
        rx.cond(
            ConversationState.is_group,
            rx.box(
                avatar(
                    ConversationState.group_name,
                    size="2",
                    src=ConversationState.group_avatar_url,
                ),
                flex_shrink="0",
            ),
            _friend_picture(),
        ),
        rx.cond(
            ConversationState.is_group,
            rx.vstack(*_group_lines(), spacing="0", min_width="0", flex="1", align="stretch"),
            rx.vstack(*_friend_lines(), spacing="0", min_width="0", flex="1", align="stretch"),
        ),
        rx.hstack(
            group_info_button(),
            rx.hstack(
                search_this_chat_button(),
                export_button(),
                mute_button(),
                spacing="4",
                align="center",
                display=ON_DESKTOPS,
            ),
            chat_more_menu(),
            # A ghost button reaches 6 px past its icon on each side: 16 px apart, the
            # boxes do not touch and the icons read as separate.
            spacing="4",
            align="center",
            flex_shrink="0",
        ),
        id="conversation-header",
        align="center",
        padding="0.5em 1em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        min_height="56px",
    )
