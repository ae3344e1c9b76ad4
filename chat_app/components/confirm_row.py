"""Cancel and a confirming button, right-aligned: the end of a small form or a warning."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.ui import tr


def confirm_row(
    on_cancel: Any,
    label: Any,
    on_confirm: Any,
    confirm_id: str,
    *,
    cancel_id: str | None = None,
    focus_cancel: bool = False,
    **confirm_props: Any,
) -> rx.Component:
    """Cancel (grey) and the confirming button.

    Args:
        on_cancel: The event of Cancel.
        label: The confirming button's text (a `tr(...)` var).
        on_confirm: Its event.
        confirm_id: Its element id.
        cancel_id: Cancel's element id, if anything gives it the focus.
        focus_cancel: A question shown in place of the button that asked it: Cancel takes
            the focus when it appears, which also scrolls the answers into view (on a
            phone they could open below the screen's edge).
        **confirm_props: More props for it (a red colour scheme for a deletion).

    Returns:
        The row.
    """
    return rx.hstack(
        rx.button(
            tr("button_cancel"),
            variant="soft",
            color_scheme="gray",
            on_click=on_cancel,
            auto_focus=focus_cancel,
            id=cancel_id,
        ),
        rx.button(label, id=confirm_id, on_click=on_confirm, **confirm_props),
        justify="end",
        width="100%",
    )
