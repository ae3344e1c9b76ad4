"""English / 中文 switch (remembered in this browser)."""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventCallback

from chat_app.states.ui import UiState, tr


def language_switch(*then: EventCallback[()]) -> rx.Component:
    """A two-option segmented control.

    Args:
        *then: Events to run after the switch, in the same chain (the chat page's: write
            the open group's system lines and the chat list's lines in words in the new
            language). The pages of signed-out users pass none.

    Returns:
        The control.
    """
    return rx.segmented_control.root(
        rx.segmented_control.item(tr("language_en"), value="en", id="language-en"),
        rx.segmented_control.item(tr("language_zh"), value="zh", id="language-zh"),
        value=rx.cond(UiState.language == "zh", "zh", "en"),
        on_change=lambda language: [UiState.set_language(language), *(event() for event in then)],
        aria_label=tr("language"),
        size="1",
    )
