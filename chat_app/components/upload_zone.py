"""Upload entry points: the clip button, and dropping files on the conversation."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.icon_button import icon_button
from chat_app.settings import SETTINGS
from chat_app.states.conversation import LIST_END
from chat_app.states.safe_text import scroll_to
from chat_app.states.ui import tr
from chat_app.states.uploads import DROP_ID, UPLOAD_ID, UploadState


def _on_drop(upload_id: str) -> list:
    # To the list's end, as a text sent is: the file's message appears there.
    return [
        scroll_to(LIST_END),
        UploadState.start_upload,
        UploadState.upload(
            rx.upload_files(upload_id=upload_id, on_upload_progress=UploadState.set_upload_progress)
        ),
    ]


def _on_rejected(rejected: Any) -> Any:
    # Send only how many were refused: the records hold File objects, not for the wire.
    return UploadState.reject_files(rejected.length())


def attach_button() -> rx.Component:
    """The clip: opens the file chooser; the browser refuses files over the limit."""
    return rx.upload(
        icon_button(
            "paperclip",
            type="button",
            id="attach-button",
            variant="ghost",
            size="3",
            aria_label=tr("button_attach", limit=SETTINGS.max_upload_mb),
            class_name="composer-tool",
            title=tr("button_attach", limit=SETTINGS.max_upload_mb),
        ),
        id=UPLOAD_ID,
        max_size=SETTINGS.max_upload_bytes,
        multiple=True,
        no_drag=True,
        # The button inside is the one stop for the keyboard (the zone was a second one,
        # unnamed, before it); Enter or Space on it still opens the chooser.
        no_keyboard=True,
        on_drop=_on_drop(UPLOAD_ID),
        on_drop_rejected=_on_rejected,
        border="none",
        padding="0",
        width="auto",
    )


def drop_zone(*children: rx.Component, disabled: Any = False) -> rx.Component:
    """Makes the message list accept dropped files (click and keys keep their meaning).

    `disabled` (a bool var) turns that off, for a conversation nobody can send to.
    """
    return rx.upload(
        *children,
        id=DROP_ID,
        disabled=disabled,
        max_size=SETTINGS.max_upload_bytes,
        multiple=True,
        no_click=True,
        no_keyboard=True,
        on_drop=_on_drop(DROP_ID),
        on_drop_rejected=_on_rejected,
        border="none",
        padding="0",
        flex="1",
        min_height="0",
        display="flex",
        flex_direction="column",
        width="100%",
    )


def upload_progress() -> rx.Component:
    """Progress bar with a cancel button while an upload runs."""
    return rx.cond(
        UploadState.uploading,
        rx.hstack(
            rx.progress(value=UploadState.upload_progress, id="upload-progress", flex="1"),
            rx.button(
                tr("button_cancel_upload"),
                id="cancel-upload",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=UploadState.cancel_upload,
            ),
            width="100%",
            align="center",
        ),
    )
