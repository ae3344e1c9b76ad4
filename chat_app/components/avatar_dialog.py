"""The "change avatar" dialog: pick or drop an image."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.avatar import avatar
from chat_app.components.focus_return import focus_on_close
from chat_app.components.image_upload import image_upload
from chat_app.states.auth import AuthState
from chat_app.states.profile import AVATAR_UPLOAD_ID, ProfileState
from chat_app.states.ui import tr


def _on_rejected(rejected: Any) -> Any:
    return ProfileState.reject_avatar(rejected.length())


def avatar_dialog() -> rx.Component:
    """Opened from the user menu."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("menu_avatar")),
            rx.vstack(
                avatar(AuthState.nickname, size="7", src=AuthState.avatar_url),
                image_upload(
                    rx.button(
                        rx.icon("image-up"),
                        tr("menu_avatar"),
                        id="avatar-pick",
                        loading=ProfileState.avatar_uploading,
                    ),
                    AVATAR_UPLOAD_ID,
                    [
                        ProfileState.start_avatar_upload,
                        ProfileState.upload_avatar(rx.upload_files(upload_id=AVATAR_UPLOAD_ID)),
                    ],
                    _on_rejected,
                ),
                rx.cond(
                    ProfileState.avatar_error != "",
                    rx.text(
                        ProfileState.avatar_error, id="avatar-error", color_scheme="red", size="2"
                    ),
                ),
                rx.dialog.close(rx.button(tr("button_close"), variant="soft", color_scheme="gray")),
                align="center",
                spacing="4",
            ),
            on_close_auto_focus=focus_on_close("user-menu"),
        ),
        open=ProfileState.avatar_dialog_open,
        on_open_change=ProfileState.set_avatar_dialog_open,
    )
