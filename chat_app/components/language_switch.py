"""English / 中文 switch (remembered in this browser)."""

from __future__ import annotations

import reflex as rx

from chat_app.states.ui import UiState, tr


def language_switch() -> rx.Component:
    """A two-option segmented control, for the pages outside the chat.

    The chat page's menu has the languages as its items (components/user_menu.py).
    """
    return rx.segmented_control.root(
        rx.segmented_control.item(tr("language_en"), value="en", id="language-en"),
        rx.segmented_control.item(tr("language_zh"), value="zh", id="language-zh"),
        value=rx.cond(UiState.language == "zh", "zh", "en"),
        on_change=UiState.set_language,
        aria_label=tr("language"),
        size="1",
    )
