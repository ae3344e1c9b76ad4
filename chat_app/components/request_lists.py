"""Received and sent friend requests, and blocked users, with their buttons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.contact_row import contact_row
from chat_app.components.request_buttons import (
    accept_button,
    cancel_button,
    reject_button,
    unblock_button,
)
from chat_app.states.friends import FriendsState
from chat_app.states.ui import tr


def _section(title: Any, items: Any, row: Any, empty: Any, section_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="2", weight="bold", color_scheme="gray", padding="0.5em 1em 0"),
        rx.cond(
            items,
            rx.vstack(rx.foreach(items, row), spacing="0", width="100%"),
            rx.text(empty, size="2", color_scheme="gray", padding="0 1em"),
        ),
        id=section_id,
        spacing="1",
        width="100%",
    )


def _row(contact, key, *buttons: rx.Component) -> rx.Component:
    return rx.box(contact_row(contact, *buttons), key=key, width="100%")


def _incoming_row(contact) -> rx.Component:
    return _row(
        contact,
        contact.request_id,
        accept_button(contact.request_id, size="2"),
        reject_button(contact.request_id, size="2"),
    )


def _outgoing_row(contact) -> rx.Component:
    request_id = contact.request_id
    return _row(contact, request_id, cancel_button(request_id, size="2", color_scheme="gray"))


def _blocked_row(contact) -> rx.Component:
    user_id = contact.user_id
    return _row(contact, user_id, unblock_button(user_id, size="2", color_scheme="gray"))


def request_lists() -> rx.Component:
    """Incoming, outgoing and (when any) blocked."""
    return rx.vstack(
        _section(
            tr("incoming_title"),
            FriendsState.incoming,
            _incoming_row,
            tr("incoming_empty"),
            "incoming-requests",
        ),
        _section(
            tr("outgoing_title"),
            FriendsState.outgoing,
            _outgoing_row,
            tr("outgoing_empty"),
            "outgoing-requests",
        ),
        rx.cond(
            FriendsState.blocked,
            _section(tr("blocked_title"), FriendsState.blocked, _blocked_row, "", "blocked-users"),
        ),
        spacing="3",
        width="100%",
    )
