"""A small green (online) or grey (offline) dot with a text alternative."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.ui import tr


def presence_dot(online: Any) -> rx.Component:
    """The dot for a boolean var."""
    return rx.box(
        class_name=rx.cond(online, "presence-dot online", "presence-dot offline"),
        aria_label=rx.cond(online, tr("presence_online"), tr("presence_offline")),
        role="img",
        width="12px",
        height="12px",
        border_radius="50%",
        border="2px solid var(--color-background)",
        background=rx.cond(online, "var(--grass-9)", "var(--gray-8)"),
    )
