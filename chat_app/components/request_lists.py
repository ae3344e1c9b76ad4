"""Received and sent friend requests, and blocked users, with their buttons."""

from __future__ import annotations

import reflex as rx

from chat_app.components.contact_row import contact_row
from chat_app.i18n import text
from chat_app.states.friends import FriendsState


def _section(title: str, items, row, empty: str, section_id: str) -> rx.Component:
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


def _secondary(label: str, on_click) -> rx.Component:
    return rx.button(label, size="2", variant="soft", color_scheme="gray", on_click=on_click)


def _incoming_row(contact) -> rx.Component:
    return _row(
        contact,
        contact.request_id,
        rx.button(
            text("button_accept"), size="2", on_click=FriendsState.accept(contact.request_id)
        ),
        _secondary(text("button_reject"), FriendsState.reject(contact.request_id)),
    )


def _outgoing_row(contact) -> rx.Component:
    return _row(
        contact,
        contact.request_id,
        _secondary(text("button_cancel_request"), FriendsState.cancel(contact.request_id)),
    )


def _blocked_row(contact) -> rx.Component:
    return _row(
        contact,
        contact.user_id,
        _secondary(text("button_unblock"), FriendsState.unblock(contact.user_id)),
    )


def request_lists() -> rx.Component:
    """Incoming, outgoing and (when any) blocked."""
    return rx.vstack(
        _section(
            text("incoming_title"),
            FriendsState.incoming,
            _incoming_row,
            text("incoming_empty"),
            "incoming-requests",
        ),
        _section(
            text("outgoing_title"),
            FriendsState.outgoing,
            _outgoing_row,
            text("outgoing_empty"),
            "outgoing-requests",
        ),
        rx.cond(
            FriendsState.blocked,
            _section(
                text("blocked_title"), FriendsState.blocked, _blocked_row, "", "blocked-users"
            ),
        ),
        spacing="3",
        width="100%",
    )
