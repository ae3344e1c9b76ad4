"""The page's language on its content, as the switch sets it (the root's `lang` is fixed).

Reflex writes `<html lang="en">` when it builds the pages. Screen readers read the text
and browsers pick fonts by the nearest `lang`: a Chinese page read with English rules, and
with English fonts first, until this wrap says `zh-CN` around everything shown.
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.ui import UiState


def page_language(stateful: bool) -> rx.Component | None:
    """The app wrap that carries the tab's language (no box of its own: `display: contents`).

    Args:
        stateful: Whether the app has state (Reflex asks each app wrap).

    Returns:
        The wrap, or None for an app without state.
    """
    if not stateful:
        return None
    return rx.el.div(
        id="page-language",
        lang=rx.cond(UiState.language == "zh", "zh-CN", "en"),
        display="contents",
    )
