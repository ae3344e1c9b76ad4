"""The buttons that answer a friend request or lift a block: each one label, one handler.

The request lists and the search result both show them; each place adds its own ids and size.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.friends import FriendsState
from chat_app.states.ui import tr


def accept_button(request_id: Any, **props: Any) -> rx.Component:
    """Accept a request addressed to this user."""
    return rx.button(tr("button_accept"), on_click=FriendsState.accept(request_id), **props)


def reject_button(request_id: Any, **props: Any) -> rx.Component:
    """Decline a request addressed to this user."""
    return rx.button(
        tr("button_reject"),
        variant="soft",
        color_scheme="gray",
        on_click=FriendsState.reject(request_id),
        **props,
    )


def cancel_button(request_id: Any, **props: Any) -> rx.Component:
    """Withdraw a request this user sent."""
    return rx.button(
        tr("button_cancel_request"),
        variant="soft",
        on_click=FriendsState.cancel(request_id),
        **props,
    )


def unblock_button(user_id: Any, **props: Any) -> rx.Component:
    """Lift a block."""
    return rx.button(
        tr("button_unblock"), variant="soft", on_click=FriendsState.unblock(user_id), **props
    )
