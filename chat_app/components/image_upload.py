"""A button that picks one picture to upload (a user's or a group's avatar)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx

from chat_app.settings import SETTINGS

# What the browser offers to pick; the server sniffs the real type again.
IMAGE_TYPES: dict[str, Sequence[str]] = {
    "image/png": [".png"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/gif": [".gif"],
    "image/webp": [".webp"],
}


def image_upload(
    button: rx.Component, upload_id: str, on_drop: Any, on_rejected: Any
) -> rx.Component:
    """One picture, up to the upload limit, sent as soon as it is picked or dropped.

    Args:
        button: What the user clicks.
        upload_id: The upload's id (`rx.upload_files(upload_id=...)` in `on_drop`).
        on_drop: The upload handler's event.
        on_rejected: Called with the refused files (too large) instead.

    Returns:
        The upload zone.
    """
    return rx.upload(
        button,
        id=upload_id,
        accept=IMAGE_TYPES,
        max_size=SETTINGS.max_upload_bytes,
        multiple=False,
        # The button is the keyboard's one stop (not also the unnamed zone around it).
        no_keyboard=True,
        on_drop=on_drop,
        on_drop_rejected=on_rejected,
        border="none",
        padding="0",
    )
