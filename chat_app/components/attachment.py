"""A file message: an inline thumbnail (click for the full image) or a file card."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.name_text import lines_cut
from chat_app.states.conversation import ConversationState
from chat_app.states.picture_viewer import PictureViewerState
from chat_app.states.ui import tr


def backend_url(relative: Any) -> Any:
    """The absolute URL of a backend path such as "../files/…" (the page and the backend
    may be on different origins, e.g. a static export)."""
    return rx.get_upload_url(relative)


def _image(message: Any) -> rx.Component:
    stored = message.attachment
    known = (stored.width > 0) & (stored.height > 0)
    width, height = stored.width.to(str), stored.height.to(str)
    # The thumbnail's box: the picture's proportions, at most 360 px either way (as the
    # thumbnail is made) and 60 % of the screen's width.
    box_width = "min(" + width + "px, 360px, 60vw, calc(360px * " + width + " / " + height + "))"
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.image(
                src=backend_url(stored.thumb_url),
                alt=message.body,
                class_name="message-thumbnail",
                # The box is reserved from the stored size before the picture loads: a
                # late load would grow the list under the reader (nothing re-scrolls it).
                # CSS, not the img's width attribute (which takes plain pixels only).
                style={
                    "width": rx.cond(known, box_width, "auto"),
                    "aspect_ratio": rx.cond(known, width + " / " + height, "auto"),
                },
                display="block",
                max_width="min(360px, 60vw)",
                max_height="360px",
                border_radius="8px",
                cursor="zoom-in",
            )
        ),
        rx.dialog.content(
            rx.dialog.title(message.body, size="2"),
            rx.image(
                src=backend_url(message.attachment.file_url),
                alt=message.body,
                max_width="100%",
                max_height="75vh",
                # In the middle of the dialog (a tall picture sat at its left edge).
                display="block",
                margin_x="auto",
            ),
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("download"), tr("button_download")),
                    href=backend_url(message.attachment.file_url),
                    is_external=True,
                ),
                rx.dialog.close(rx.button(tr("button_close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1em",
            ),
            max_width="90vw",
        ),
        # Opened through the server, so a phone's Back closes it (states/picture_viewer.py).
        open=(PictureViewerState.viewing_seq == message.seq)
        & (PictureViewerState.viewing_conversation == ConversationState.conversation_id),
        on_open_change=lambda shown: PictureViewerState.show(message.seq, shown),
    )


def _card_icon(name: str, size: int = 24) -> rx.Component:
    # Its size however long the name beside it (a flex item shrinks by default: on a phone
    # a long name left the card's icons 12 px wide).
    return rx.icon(name, size=size, flex_shrink="0")


def _file_card(message: Any) -> rx.Component:
    icon = rx.match(
        message.attachment.mime,
        ("application/pdf", _card_icon("file-text")),
        ("application/zip", _card_icon("file-archive")),
        _card_icon("file"),
    )
    return rx.link(
        rx.hstack(
            icon,
            rx.vstack(
                # Broken between words where it can, read from its start edge (the link
                # centred it); three lines at most, whole in its title and once saved.
                rx.text(
                    message.body,
                    class_name="file-name",
                    weight="medium",
                    overflow_wrap="anywhere",
                    text_align="start",
                    title=message.body,
                    style=lines_cut(3),
                ),
                rx.text(message.attachment.size_label, size="1", color_scheme="gray"),
                spacing="0",
                min_width="0",
            ),
            _card_icon("download", size=16),
            align="center",
            spacing="3",
        ),
        href=backend_url(message.attachment.file_url),
        class_name="file-card",
        is_external=True,
        underline="none",
    )


def attachment(message: Any) -> rx.Component:
    """The attachment of an "image" or "file" message."""
    return rx.cond(message.kind == "image", _image(message), _file_card(message))
