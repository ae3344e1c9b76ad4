"""A page body that waits for the tab's language, showing only a spinner until then."""

from __future__ import annotations

import reflex as rx

from chat_app.states.ui import language_known


def once_language_known(body: rx.Component) -> rx.Component:
    """`body` once the tab's language is known; a spinner (no text at all) before.

    The static export's HTML and the first frames are rendered before the browser's language
    has been detected; any text there would be in the wrong language for someone.

    Args:
        body: The page body.

    Returns:
        The gated body.
    """
    return rx.cond(
        language_known(),
        body,
        rx.center(rx.spinner(size="3"), id="language-pending", height="100dvh"),
    )
