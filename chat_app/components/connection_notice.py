"""The page's own notice of a lost connection, in the reader's language.

It takes the place of Reflex's default overlay, which showed an English toast with the
socket's address ("Cannot connect to server: websocket error. Check if server is reachable
at ws://…") over the top of a Chinese page, and a red Wi-Fi icon half behind the Send
button. With a conversation open the composer says it already (components/composer.py),
so this one is hidden there (styles.css).
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_too_many_connection_errors

from chat_app.states.ui import tr


def connection_notice(stateful: bool) -> rx.Component | None:
    """The app wrap shown while the connection is down (a few failed tries in a row).

    Args:
        stateful: Whether the app has state (Reflex asks each app wrap).

    Returns:
        The notice, or None for an app without state.
    """
    if not stateful:
        return None
    return rx.cond(
        has_too_many_connection_errors,
        rx.text(tr("connection_lost"), id="connection-lost", role="status", size="2"),
    )
