"""What a chat row shows beside its last line: `@` for an unread mention, muted, unread count,
pinned.

Each comes from a per-row lookup in the browser (bucket vars, `MuteState`'s short list):
a message or a mute never re-sends the list.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.pin_toggle import pinned
from chat_app.states.mute import MuteState
from chat_app.states.row_values import row_value
from chat_app.states.ui import tr
from chat_app.states.unread import MENTION_BUCKETS, UNREAD_BUCKETS, UnreadState


def chat_row_marks(conversation_id: Any) -> rx.Component:
    """The row's marks: `@` (until read), a crossed bell when muted, the unread count, a pin.

    A muted conversation's count is grey: counted, but not calling for attention.
    """
    count = row_value(UnreadState, UNREAD_BUCKETS, conversation_id, 0)
    mentioned = row_value(UnreadState, MENTION_BUCKETS, conversation_id, 0)
    muted = MuteState.muted_ids.contains(conversation_id)
    return rx.hstack(
        rx.cond(
            mentioned > 0,
            rx.badge(
                "@",
                class_name="mention-mark",
                color_scheme="amber",
                variant="solid",
                radius="full",
                aria_label=tr("chat_mentioned"),
                title=tr("chat_mentioned"),
            ),
        ),
        rx.cond(
            muted,
            rx.icon("bell-off", size=14, class_name="muted-mark", color="var(--gray-10)"),
        ),
        rx.cond(
            count > 0,
            rx.badge(
                count,
                class_name=rx.cond(muted, "unread-badge muted", "unread-badge"),
                color_scheme=rx.cond(muted, "gray", "red"),
                variant=rx.cond(muted, "soft", "solid"),
                radius="full",
            ),
        ),
        rx.cond(muted, rx.el.span(tr("chat_muted"), class_name="visually-hidden")),
        rx.cond(
            pinned(conversation_id),
            rx.fragment(
                rx.icon("pin", size=14, class_name="pinned-mark", color="var(--gray-10)"),
                rx.el.span(tr("chat_pinned"), class_name="visually-hidden"),
            ),
        ),
        spacing="1",
        align="center",
        flex_shrink="0",
    )
