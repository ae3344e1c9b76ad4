"""The "New group" button and dialog: a name, friends to pick (filtered as you type), create."""

from __future__ import annotations

import reflex as rx

from chat_app.components.confirm_row import confirm_row
from chat_app.components.focus_return import COMPOSER_ID, focus_on_close_either
from chat_app.components.friend_pick_row import friend_pick_row
from chat_app.components.name_text import name_text
from chat_app.states.new_group import NewGroupState
from chat_app.states.ui import tr


def new_group_button() -> rx.Component:
    """Opens the dialog (in the Chats tab's header)."""
    return rx.button(
        rx.icon("users", size=16),
        tr("button_new_group"),
        id="new-group",
        size="1",
        variant="soft",
        on_click=NewGroupState.open_dialog,
    )


def _picked_chip(contact) -> rx.Component:
    return rx.badge(
        rx.box(name_text(contact.nickname), max_width="8em", min_width="0"),
        rx.icon("x", size=12),
        key=contact.user_id,
        radius="full",
        variant="soft",
        cursor="pointer",
        aria_label=contact.nickname,
        on_click=NewGroupState.toggle_friend(contact.user_id),
    )


def _offered_row(contact) -> rx.Component:
    picked = NewGroupState.picked_ids.contains(contact.user_id)
    toggle = NewGroupState.toggle_friend(contact.user_id)
    return friend_pick_row(contact, picked, toggle, "group-pick")


def new_group_dialog() -> rx.Component:
    """The dialog; errors are shown in it, in the user's language."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("new_group_title")),
            rx.vstack(
                rx.input(
                    value=NewGroupState.group_name,
                    on_change=NewGroupState.set_group_name,
                    placeholder=tr("group_name_placeholder"),
                    aria_label=tr("group_name_placeholder"),
                    id="new-group-name",
                    max_length=64,
                    width="100%",
                ),
                rx.flex(rx.foreach(NewGroupState.picked, _picked_chip), wrap="wrap", gap="1"),
                rx.input(
                    on_change=NewGroupState.filter_friends.debounce(250),  # type: ignore[attr-defined]
                    placeholder=tr("group_pick_placeholder"),
                    aria_label=tr("group_pick_placeholder"),
                    id="new-group-filter",
                    width="100%",
                ),
                rx.scroll_area(
                    rx.vstack(
                        rx.foreach(NewGroupState.offered, _offered_row),
                        spacing="0",
                        width="100%",
                    ),
                    id="new-group-friends",
                    max_height="40vh",
                    type="auto",
                    scrollbars="vertical",
                    class_name="pick-list",
                ),
                rx.cond(
                    NewGroupState.error != "",
                    rx.text(
                        NewGroupState.error, id="new-group-error", color_scheme="red", size="2"
                    ),
                ),
                confirm_row(
                    NewGroupState.close_dialog,
                    tr("button_create_group"),
                    NewGroupState.create,
                    "new-group-create",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="min(32em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close_either(
                NewGroupState.opened_group, COMPOSER_ID, "new-group"
            ),
        ),
        open=NewGroupState.dialog_open,
        on_open_change=NewGroupState.set_open,
    )
