"""Asked before logging out while messages wait in the outbox (they would be deleted)."""

from __future__ import annotations

import reflex as rx

from chat_app.states.outbox import OutboxState
from chat_app.states.sign_out import SignOutState
from chat_app.states.ui import tr


def logout_warning() -> rx.Component:
    """The "messages not sent yet" confirmation."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("logout_unsent_title")),
            rx.alert_dialog.description(tr("logout_unsent_body")),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(tr("button_cancel"), variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr("logout_anyway"),
                        id="logout-anyway",
                        color_scheme="red",
                        on_click=SignOutState.log_out(True),
                    )
                ),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=OutboxState.logout_warning_open,
        on_open_change=OutboxState.set_logout_warning_open,
    )
