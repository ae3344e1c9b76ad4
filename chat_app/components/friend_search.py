"""Search box: find a user by exact username and act on the result."""

from __future__ import annotations

import reflex as rx

from chat_app.components.contact_row import contact_row
from chat_app.components.icon_button import icon_button
from chat_app.components.request_buttons import (
    accept_button,
    cancel_button,
    reject_button,
    unblock_button,
)
from chat_app.states.friends import SEARCH_FIELD_ID, FriendsState
from chat_app.states.ui import said, tr


def _result_actions() -> rx.Component:
    result = FriendsState.search_result
    request_id = result.request_id  # type: ignore[union-attr]
    return rx.match(
        FriendsState.search_relation,
        (
            "can_add",
            rx.button(
                tr("button_add_friend"),
                id="search-add",
                on_click=FriendsState.send_request(result.user_id),  # type: ignore[union-attr]
            ),
        ),
        ("request_sent", cancel_button(request_id, id="search-cancel")),
        (
            "request_received",
            rx.hstack(accept_button(request_id, id="search-accept"), reject_button(request_id)),
        ),
        ("blocked", unblock_button(result.user_id)),  # type: ignore[union-attr]
        rx.fragment(),
    )


def _relation_text() -> rx.Component:
    return rx.text(
        rx.match(
            FriendsState.search_relation,
            ("self", tr("relation_self")),
            ("friend", tr("relation_friend")),
            ("request_sent", tr("relation_request_sent")),
            ("request_received", tr("relation_request_received")),
            ("blocked", tr("relation_blocked")),
            "",
        ),
        id="search-relation",
        size="1",
        color_scheme="gray",
        padding="0 1em",
    )


def friend_search() -> rx.Component:
    """The search form and its single result (exact match only)."""
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    name="username",
                    id=SEARCH_FIELD_ID,
                    placeholder=tr("search_placeholder"),
                    aria_label=tr("search_label"),
                    max_length=64,
                    auto_complete="off",
                    flex="1",
                    size="3",
                ),
                icon_button(
                    "search",
                    type="submit",
                    id="friend-search-submit",
                    aria_label=tr("search_button"),
                    size="3",
                ),
                width="100%",
            ),
            on_submit=FriendsState.search,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            said(FriendsState.search_message) != "",
            rx.text(
                said(FriendsState.search_message),
                id="search-message",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            FriendsState.search_result,
            rx.card(
                contact_row(
                    FriendsState.search_result,
                    _result_actions(),
                    icon_button(
                        "x",
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=tr("button_close"),
                        on_click=FriendsState.clear_search,
                    ),
                ),
                _relation_text(),
                id="search-result",
                width="100%",
                padding="0.25em 0 0.5em 0",
            ),
        ),
        padding="0.75em 1em",
        width="100%",
        spacing="2",
    )
