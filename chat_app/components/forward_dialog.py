"""Forward's dialog: the user's chats (those they still write in), found by name; a press
sends the copy there and marks the row "Sent" (one dialog for the whole list)."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar

from chat_app.components.avatar import avatar
from chat_app.components.focus_return import COMPOSER_ID, focus_on_close
from chat_app.components.name_text import name_text, shown_name
from chat_app.states.chat_list import ChatListState
from chat_app.states.forwarding import ForwardState
from chat_app.states.ui import tr


def _matches(row: Any) -> rx.Var:
    """The row is a chat the user writes in, and its name holds the words typed."""
    typed = ForwardState.forward_filter.lower()
    named = shown_name(row.name).to(str).lower()
    return ~row.departed & ((typed == "") | named.contains(typed))


def _none_match() -> rx.Var:
    """No row is left to press: say so rather than show an empty list."""
    rows = cast(ArrayVar, ChatListState.rows)
    return rows.filter(_matches).length() == 0


def _target(row: Any) -> rx.Component:
    sent = ForwardState.forwarded_to.contains(row.conversation_id)
    return rx.cond(
        _matches(row),
        rx.el.button(
            rx.hstack(
                avatar(row.name, size="2", src=row.avatar_url),
                name_text(row.name, weight="medium", flex="1", text_align="start"),
                rx.cond(
                    sent,
                    rx.hstack(
                        rx.icon("check", size=16),
                        rx.text(tr("forward_sent"), size="2"),
                        color="var(--green-11)",
                        align="center",
                        spacing="1",
                        class_name="forward-sent",
                    ),
                ),
                align="center",
                width="100%",
                padding="0.5em 0.75em",
                min_height="52px",
            ),
            type="button",
            disabled=sent,
            aria_label=row.name,
            data_conversation=row.conversation_id,
            class_name="forward-target",
            on_click=ForwardState.forward_to(row.conversation_id),
            style={
                "width": "100%",
                "background": "transparent",
                "border": "none",
                "border_radius": "8px",
                "color": "inherit",
                "font": "inherit",
                "cursor": rx.cond(sent, "default", "pointer"),
                "_hover": {"background": "var(--gray-a3)"},
            },
        ),
    )


def forward_dialog() -> rx.Component:
    """Where to forward a message to: a filter, the chats, what went wrong, Close."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("forward_title")),
            rx.dialog.description(tr("forward_text"), size="2"),
            rx.input(
                on_change=ForwardState.set_forward_filter.debounce(250),  # type: ignore[attr-defined]
                placeholder=tr("forward_filter"),
                aria_label=tr("forward_filter"),
                id="forward-filter",
                width="100%",
                margin_top="1em",
            ),
            rx.cond(
                ForwardState.forward_error != "",
                rx.callout(
                    ForwardState.forward_error,
                    color_scheme="red",
                    role="alert",
                    margin_top="0.75em",
                    id="forward-error",
                ),
            ),
            rx.cond(
                _none_match(),
                rx.text(
                    tr("forward_none"),
                    size="2",
                    color_scheme="gray",
                    margin_top="0.75em",
                    id="forward-none",
                ),
            ),
            rx.scroll_area(
                rx.vstack(
                    rx.foreach(ChatListState.rows, _target), spacing="0", id="forward-targets"
                ),
                max_height="45vh",
                type="auto",
                scrollbars="vertical",
                class_name="pick-list",
                margin_top="0.75em",
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button(
                        tr("button_close"),
                        variant="soft",
                        color_scheme="gray",
                        id="forward-close",
                    )
                ),
                justify="end",
                margin_top="1em",
            ),
            max_width="min(28em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close(COMPOSER_ID, text_field=True),
        ),
        open=ForwardState.forward_conversation != 0,
        on_open_change=ForwardState.set_forward_open,
    )
