"""The "group info" button of a group's header and the panel it opens.

The panel shows the group's picture and name, one page of its members (searched on the
server), and the actions the viewer's role allows. Buttons follow the role the server read;
the server checks every action again. Full screen on a phone (assets/styles.css).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.avatar import avatar
from chat_app.components.confirm_row import confirm_row
from chat_app.components.focus_return import focus_on_close
from chat_app.components.friend_pick_row import friend_pick_row
from chat_app.components.group_member_row import member_row
from chat_app.components.icon_button import icon_button
from chat_app.components.image_upload import image_upload
from chat_app.components.invite_manager import group_invite_entry
from chat_app.states.conversation import ConversationState
from chat_app.states.group_actions import PICTURE_UPLOAD_ID, GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.ui import tr

_OWNER = GroupPanelState.my_role == "owner"
_MANAGER = _OWNER | (GroupPanelState.my_role == "admin")


def _offered_row(contact: Any) -> rx.Component:
    picked = GroupActionsState.picked_ids.contains(contact.user_id)
    toggle = GroupActionsState.toggle_pick(contact.user_id)
    return friend_pick_row(contact, picked, toggle, "group-add-pick")


def _picker() -> rx.Component:
    return rx.vstack(
        rx.input(
            on_change=GroupActionsState.filter_friends.debounce(250),  # type: ignore[attr-defined]
            placeholder=tr("group_pick_placeholder"),
            aria_label=tr("group_pick_placeholder"),
            id="group-add-filter",
            width="100%",
        ),
        rx.scroll_area(
            rx.vstack(rx.foreach(GroupActionsState.offered, _offered_row), spacing="0"),
            max_height="30vh",
            type="auto",
            scrollbars="vertical",
            class_name="pick-list",
        ),
        confirm_row(
            GroupActionsState.close_picker,
            tr("group_add_picked"),
            GroupActionsState.add_picked,
            "group-add-confirm",
        ),
        width="100%",
        spacing="2",
    )


def _on_rejected(rejected: Any) -> Any:
    return GroupActionsState.reject_picture(rejected.length())


def _settings() -> rx.Component:
    """Rename, change the picture, invite links (owner and admins)."""
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=GroupActionsState.new_name,
                on_change=GroupActionsState.set_new_name,
                placeholder=tr("group_name_placeholder"),
                aria_label=tr("group_name_placeholder"),
                id="group-rename-input",
                max_length=64,
                flex="1",
            ),
            rx.button(
                tr("group_rename"),
                id="group-rename",
                on_click=GroupActionsState.rename,
                disabled=~GroupActionsState.can_rename,
            ),
            width="100%",
        ),
        image_upload(
            rx.button(rx.icon("image-up", size=16), tr("group_change_picture"), variant="soft"),
            PICTURE_UPLOAD_ID,
            GroupActionsState.upload_picture(rx.upload_files(upload_id=PICTURE_UPLOAD_ID)),
            _on_rejected,
        ),
        group_invite_entry(),
        width="100%",
        spacing="2",
    )


def _members() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(tr("group_members_title"), size="3", flex="1"),
            rx.cond(
                _MANAGER & ~GroupActionsState.picker_open,
                rx.button(
                    rx.icon("user-plus", size=16),
                    tr("group_add_members"),
                    id="group-add-members",
                    size="1",
                    variant="soft",
                    on_click=GroupActionsState.open_picker,
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.cond(GroupActionsState.picker_open, _picker()),
        rx.input(
            on_change=GroupPanelState.search_members.debounce(250),  # type: ignore[attr-defined]
            placeholder=tr("group_search_members"),
            aria_label=tr("group_search_members"),
            id="group-member-search",
            width="100%",
        ),
        rx.vstack(
            rx.foreach(GroupPanelState.members, member_row),
            id="group-members",
            spacing="0",
            width="100%",
        ),
        rx.hstack(
            rx.text(GroupPanelState.members_range, size="1", color_scheme="gray", flex="1"),
            rx.cond(
                GroupPanelState.members_offset > 0,
                rx.button(
                    tr("group_previous_members"),
                    size="1",
                    variant="soft",
                    on_click=GroupPanelState.previous_members,
                ),
            ),
            rx.cond(
                GroupPanelState.has_more,
                rx.button(
                    tr("group_more_members"),
                    id="group-more-members",
                    size="1",
                    variant="soft",
                    on_click=GroupPanelState.more_members,
                ),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def _ending() -> rx.Component:
    """Leave, delete (the owner, after a warning), or hide once departed."""
    return rx.cond(
        GroupPanelState.my_role == "",
        rx.vstack(
            rx.text(tr("group_you_left"), size="2", color_scheme="gray"),
            rx.button(
                tr("group_hide"), id="group-hide", variant="soft", on_click=GroupActionsState.hide
            ),
            width="100%",
        ),
        rx.cond(
            GroupActionsState.confirm_leave,
            _question("group_leave", GroupActionsState.cancel_leave, GroupActionsState.leave),
            _leave_or_delete(),
        ),
    )


def _question(action: str, on_cancel: Any, on_yes: Any) -> rx.Component:
    """The question before leaving or deleting (`action`: its i18n key and element id)."""
    return rx.vstack(
        rx.text(tr(f"{action}_confirm"), size="2", weight="medium"),
        confirm_row(
            on_cancel,
            tr(f"{action}_yes"),
            on_yes,
            f"{action.replace('_', '-')}-confirm",
            focus_cancel=True,
            color_scheme="red",
        ),
        width="100%",
    )


def _leave_or_delete() -> rx.Component:
    return rx.cond(
        GroupActionsState.confirm_delete,
        _question("group_delete", GroupActionsState.cancel_delete, GroupActionsState.delete_group),
        rx.hstack(
            rx.button(
                rx.icon("log-out", size=16),
                tr("group_leave"),
                id="group-leave",
                variant="soft",
                color_scheme="red",
                on_click=GroupActionsState.ask_leave,
            ),
            rx.cond(
                _OWNER,
                rx.button(
                    rx.icon("trash-2", size=16),
                    tr("group_delete"),
                    id="group-delete",
                    variant="outline",
                    color_scheme="red",
                    on_click=GroupActionsState.ask_delete,
                ),
            ),
            justify="between",
            width="100%",
        ),
    )


def _panel() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(tr("group_info"), margin="0", flex="1"),
                rx.dialog.close(
                    icon_button("x", variant="ghost", aria_label=tr("button_close"), size="2"),
                ),
                align="center",
                width="100%",
            ),
            rx.vstack(
                rx.vstack(
                    avatar(
                        ConversationState.group_name,
                        size="6",
                        src=ConversationState.group_avatar_url,
                    ),
                    rx.text(
                        ConversationState.group_name,
                        id="group-panel-name",
                        weight="bold",
                        size="4",
                        overflow_wrap="anywhere",
                        text_align="center",
                    ),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    GroupPanelState.error != "",
                    rx.callout(
                        GroupPanelState.error, id="group-panel-error", color_scheme="red", size="1"
                    ),
                ),
                rx.cond(_MANAGER, _settings()),
                rx.cond(GroupPanelState.my_role != "", _members()),
                _ending(),
                spacing="4",
                width="100%",
                padding_top="1em",
            ),
            id="group-panel",
            class_name="group-panel",
            aria_describedby=None,
            on_close_auto_focus=focus_on_close("group-info"),
        ),
        open=GroupPanelState.panel_open,
        on_open_change=GroupPanelState.set_open,
    )


def group_info_button() -> rx.Component:
    """The header's last item: opens the panel (a group only)."""
    return rx.cond(
        ConversationState.is_group,
        rx.fragment(
            icon_button(
                "info",
                id="group-info",
                variant="ghost",
                size="3",
                aria_label=tr("group_info"),
                on_click=[GroupPanelState.open_panel, GroupActionsState.start_forms],
            ),
            _panel(),
        ),
    )
