"""Previous / "2 / 5" / Next under a paged list (the admin page's users and audit log)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.ui import tr


def pager(
    label: Any, at_first: Any, at_last: Any, on_previous: Any, on_next: Any, id_prefix: str
) -> rx.Component:
    """The two buttons and the page label between them.

    Args:
        label: "2 / 5" (a state var).
        at_first: Whether the first page is shown (Previous is disabled).
        at_last: Whether the last page is shown (Next is disabled).
        on_previous: Previous's event.
        on_next: Next's event.
        id_prefix: Element ids: `<prefix>-previous`, `<prefix>-next`.

    Returns:
        The row.
    """
    return rx.hstack(
        rx.button(
            tr("admin_previous"),
            variant="soft",
            disabled=at_first,
            on_click=on_previous,
            id=f"{id_prefix}-previous",
        ),
        rx.text(label, size="2"),
        rx.button(
            tr("admin_next"),
            variant="soft",
            disabled=at_last,
            on_click=on_next,
            id=f"{id_prefix}-next",
        ),
        align="center",
        justify="center",
        width="100%",
    )
