"""The card of the pages one reaches before the chat: /auth, an invite, a reset link, /setup.

One look for all of them: a heading, the language switch (the visitor may not read the
language the browser chose) and the colour-mode toggle, then the page's own content.
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.language_switch import language_switch
from chat_app.states.ui import tr


def page_card(heading: rx.Component, *content: rx.Component) -> rx.Component:
    """A card of at most 26em with `heading` and the switches on top, then `content`."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                # The switches go below a heading that does not fit beside them (a phone's
                # card is narrow), rather than squeezing it: "Chat" broke as "Cha / t".
                # A heading wider than the card still wraps; the switches keep their size.
                rx.box(heading, flex="1 1 auto", min_width="0", overflow_wrap="anywhere"),
                rx.hstack(
                    language_switch(),
                    rx.color_mode.button(aria_label=tr("theme_toggle")),
                    align="center",
                    flex_shrink="0",
                ),
                align="center",
                flex_wrap="wrap",
                width="100%",
            ),
            *content,
            spacing="4",
            width="100%",
        ),
        size="4",
        width="100%",
        max_width="26em",
    )
