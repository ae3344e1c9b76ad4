"""The right pane: header (back on phones, friend, typing), messages, composer."""

from __future__ import annotations

import reflex as rx

from chat_app.components.avatar import avatar
from chat_app.components.composer import composer
from chat_app.components.message_bubble import message_bubble
from chat_app.components.presence_dot import presence_dot
from chat_app.components.upload_zone import drop_zone
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.live_messages import slot_name
from chat_app.states.message_buffer import LIVE_SLOTS
from chat_app.states.presence import PresenceState
from chat_app.states.ui import moment_locale, tr


def _presence_line() -> rx.Component:
    friend = ConversationState.open_friend_id
    seen = PresenceState.last_seen.get(friend, "")
    return rx.text(
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
        size="1",
        color_scheme="gray",
    )


def _header() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("arrow-left"),
            id="back-button",
            variant="ghost",
            size="3",
            aria_label=tr("button_back"),
            on_click=[ConversationState.close_conversation, ComposerState.clear],
            display=["flex", "flex", "none"],
        ),
        rx.box(
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
        ),
        rx.vstack(
            rx.text(ConversationState.open_friend_nickname, id="conversation-title", weight="bold"),
            rx.cond(
                ConversationState.friend_typing,
                rx.text(
                    ConversationState.open_friend_nickname,
                    " ",
                    tr("typing"),
                    id="typing-indicator",
                    size="1",
                    color_scheme="gray",
                ),
                _presence_line(),
            ),
            spacing="0",
        ),
        align="center",
        padding="0.5em 1em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        min_height="56px",
    )


def _bubble(message) -> rx.Component:
    return rx.box(
        message_bubble(
            message, ConversationState.my_id, ConversationState.friend_read_seq, ComposerState.retry
        ),
        key=message.sender_id.to(str) + ":" + message.client_id,
        width="100%",
    )


def _live_slot(index: int) -> rx.Component:
    slot = getattr(ConversationState, slot_name(index))
    # The ring's slots are filled in any order; CSS `order` shows them by seq.
    return rx.cond(slot, rx.box(_bubble(slot.message), order=slot.order, width="100%"))


def _messages() -> rx.Component:
    # A flex column so that `order` places the live slots after the window, and the
    # buttons at the very top and bottom.
    return rx.auto_scroll(
        rx.cond(
            ConversationState.has_older,
            rx.center(
                rx.button(
                    tr("button_load_older"),
                    id="load-older",
                    variant="soft",
                    size="1",
                    on_click=ConversationState.load_older,
                ),
                padding="0.5em",
                order=-1,
                # Not a scroll anchor: the browser then anchors on the first message shown,
                # so older messages appear above it without moving what is being read.
                overflow_anchor="none",
            ),
        ),
        rx.cond(
            ~ConversationState.has_messages,
            rx.center(rx.text(tr("no_messages"), color_scheme="gray"), padding="2em"),
        ),
        rx.foreach(ConversationState.window, _bubble),
        *[_live_slot(index) for index in range(LIVE_SLOTS)],
        rx.cond(
            ConversationState.has_newer,
            rx.center(
                rx.button(
                    tr("button_jump_latest"), size="1", on_click=ConversationState.jump_to_latest
                ),
                padding="0.5em",
                order=2**31 - 1,
            ),
        ),
        id="message-list",
        display="flex",
        flex_direction="column",
        flex="1",
        min_height="0",
        overflow_y="auto",
        padding_y="0.5em",
        width="100%",
    )


def conversation_pane() -> rx.Component:
    """The open conversation, or a hint to pick a friend."""
    return rx.cond(
        ConversationState.open_friend_id != 0,
        rx.flex(
            _header(),
            drop_zone(_messages()),
            composer(),
            id="conversation-pane",
            direction="column",
            flex="1",
            min_width="0",
            height="100%",
        ),
        rx.center(
            rx.text(tr("conversation_empty"), color_scheme="gray"),
            id="conversation-placeholder",
            flex="1",
            display=["none", "none", "flex"],
        ),
    )
