"""The header's export button and its dialog: what an export holds, then its download."""

from __future__ import annotations

import reflex as rx

from chat_app.components.attachment import backend_url
from chat_app.components.icon_button import icon_button
from chat_app.states.chat_export import ChatExportState
from chat_app.states.conversation import ConversationState
from chat_app.states.ui import tr


def _download() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.button(rx.icon("download"), tr("export_download"), size="3"),
            href=backend_url(ChatExportState.export_link),
            # A new tab: an expired link's "Not found" never replaces the chat.
            is_external=True,
            id="export-download",
        ),
        rx.text(tr("export_link_note"), size="1", color_scheme="gray"),
        align="end",
        spacing="1",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.dialog.close(
            rx.button(tr("button_close"), variant="soft", color_scheme="gray", size="3")
        ),
        rx.cond(
            ChatExportState.export_link != "",
            _download(),
            rx.button(
                tr("export_prepare"),
                id="export-prepare",
                size="3",
                on_click=ChatExportState.prepare_export(ConversationState.conversation_id),
            ),
        ),
        justify="end",
        align="start",
        spacing="3",
        margin_top="1em",
        wrap="wrap",
    )


def export_button() -> rx.Component:
    """The icon button that opens the export dialog of the open chat."""
    return rx.dialog.root(
        rx.dialog.trigger(
            icon_button(
                "archive",
                id="export-button",
                variant="ghost",
                size="3",
                aria_label=tr("export_chat"),
                title=tr("export_chat"),
            )
        ),
        rx.dialog.content(
            rx.dialog.title(tr("export_title")),
            rx.dialog.description(tr("export_text"), size="2"),
            rx.cond(
                ChatExportState.export_error != "",
                rx.callout(
                    ChatExportState.export_error,
                    color_scheme="red",
                    role="alert",
                    margin_top="1em",
                    id="export-error",
                ),
            ),
            _actions(),
            max_width="28em",
        ),
        open=ChatExportState.export_open,
        on_open_change=ChatExportState.set_export_open,
    )
